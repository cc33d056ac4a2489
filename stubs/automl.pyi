"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in
Rust. The models are usable on their own with scikit-learn's estimator API."""

from ._automl.boosting import HistGradientBoostingClassifier as HistGradientBoostingClassifier
from ._automl.boosting import HistGradientBoostingRegressor as HistGradientBoostingRegressor
from ._automl.engine import PBitAutoML as PBitAutoML
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
from ._automl.onnx_export import to_onnx as to_onnx
from ._automl.results import AutoMLConfig as AutoMLConfig
from ._automl.results import AutoMLResult as AutoMLResult
from ._automl.results import Dataset as Dataset
from ._automl.results import Leaderboard as Leaderboard
from ._automl.results import TaskType as TaskType
from ._automl.results import Trial as Trial
from ._automl.trees import DecisionTreeClassifier as DecisionTreeClassifier
from ._automl.trees import DecisionTreeRegressor as DecisionTreeRegressor
from ._automl.trees import ExtraTreesClassifier as ExtraTreesClassifier
from ._automl.trees import ExtraTreesRegressor as ExtraTreesRegressor
from ._automl.trees import RandomForestClassifier as RandomForestClassifier
from ._automl.trees import RandomForestRegressor as RandomForestRegressor

__all__ = [
    "AutoMLConfig",
    "AutoMLResult",
    "Dataset",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ElasticNet",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GaussianNB",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "Lasso",
    "Leaderboard",
    "LinearRegression",
    "LogisticRegression",
    "MLPClassifier",
    "MLPRegressor",
    "PBitAutoML",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "Ridge",
    "TaskType",
    "Trial",
    "to_onnx",
]
