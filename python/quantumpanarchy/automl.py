"""AutoML: model search driven by Boltzmann sampling over encoded hyperparameters, with models in
Rust. The models are usable on their own with scikit-learn's estimator API."""

from __future__ import annotations

from types import ModuleType

from ._automl import boosting, engine, linear, mlp, naive_bayes, neighbours, onnx_export, results, trees
from ._help import public_dir

_PARTS: tuple[ModuleType, ...] = (engine, results, linear, neighbours, naive_bayes, trees, boosting, mlp, onnx_export)

__all__: list[str] = sorted(name for part in _PARTS for name in part.__all__)

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
