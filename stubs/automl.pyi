"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in
Rust. The models are usable on their own with scikit-learn's estimator API."""

from ._automl.linear import ElasticNet as ElasticNet
from ._automl.linear import Lasso as Lasso
from ._automl.linear import LinearRegression as LinearRegression
from ._automl.linear import LogisticRegression as LogisticRegression
from ._automl.linear import Ridge as Ridge
from ._automl.mlp import MLPClassifier as MLPClassifier
from ._automl.mlp import MLPRegressor as MLPRegressor
from ._automl.naive_bayes import GaussianNB as GaussianNB
from ._automl.neighbours import KNeighborsClassifier as KNeighborsClassifier
from ._automl.neighbours import KNeighborsRegressor as KNeighborsRegressor

__all__ = [
    "ElasticNet",
    "GaussianNB",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "MLPClassifier",
    "MLPRegressor",
    "Ridge",
]
