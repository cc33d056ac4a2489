"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in
Rust. The models are usable on their own with scikit-learn's estimator API."""

from ._automl.linear import ElasticNet as ElasticNet
from ._automl.linear import Lasso as Lasso
from ._automl.linear import LinearRegression as LinearRegression
from ._automl.linear import LogisticRegression as LogisticRegression
from ._automl.linear import Ridge as Ridge

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "Ridge"]
