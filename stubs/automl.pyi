"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in
Rust. The models are usable on their own with scikit-learn's estimator API."""

from ._automl.linear import ElasticNet as ElasticNet
from ._automl.linear import Lasso as Lasso
from ._automl.linear import LinearRegression as LinearRegression
from ._automl.linear import LogisticRegression as LogisticRegression
from ._automl.linear import Ridge as Ridge
from ._automl.naive_bayes import GaussianNB as GaussianNB
from ._automl.neighbours import KNeighborsClassifier as KNeighborsClassifier
from ._automl.neighbours import KNeighborsRegressor as KNeighborsRegressor
from ._automl.trees import DecisionTreeClassifier as DecisionTreeClassifier
from ._automl.trees import DecisionTreeRegressor as DecisionTreeRegressor
from ._automl.trees import ExtraTreesClassifier as ExtraTreesClassifier
from ._automl.trees import ExtraTreesRegressor as ExtraTreesRegressor
from ._automl.trees import RandomForestClassifier as RandomForestClassifier
from ._automl.trees import RandomForestRegressor as RandomForestRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ElasticNet",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GaussianNB",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "Ridge",
]
