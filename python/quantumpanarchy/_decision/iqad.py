"""IQAD: anomaly detection with a p-bit restricted Boltzmann machine (see :class:`IQAD`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _async
from .._native import decision as _native
from ..exceptions import InvalidInputError, NotFittedError
from ._estimator import Estimator, check_samples, real_array
from ._params import check_int, check_real

__all__ = ["IQAD"]

FloatArray = npt.NDArray[np.float64]
Progress = bool | Callable[[int, int], object] | None

_INT_PARAMS = ("n_hidden", "n_epochs", "batch_size", "cd_steps")
_FLOAT_PARAMS = ("learning_rate", "momentum", "l2", "visible_sigma", "contamination")
_BOOL_PARAMS = ("persistent", "whiten")


class IQAD(Estimator):
    """Anomaly detection with a p-bit restricted Boltzmann machine, scored by free energy.

    The features are standardised and (``whiten=True``, the default) whitened, then a
    Gaussian–Bernoulli RBM learns their distribution by contrastive divergence: Gaussian visible
    units of standard deviation ``visible_sigma``, and ``n_hidden`` binary hidden units sampled as
    p-bits (sigmoid activation and a uniform draw from a seeded stream). A row's free energy F(v)
    is minus its log-probability under the model up to a constant: rare rows have a high F.

    Conventions are scikit-learn's (``IsolationForest``): ``score_samples(X)`` is **higher for
    normal rows** (it is −F(v)); ``decision_function(X) = score_samples(X) − offset_`` is negative
    for outliers; ``predict(X)`` returns +1 for inliers and −1 for outliers. ``offset_`` is set at
    fit so that a fraction ``contamination`` of the training rows are outliers (numpy's linear
    percentile of their scores, as scikit-learn computes it). For PyOD's orientation (larger is
    more anomalous) use ``free_energy(X)``, with ``threshold_ = −offset_``: a row is an outlier
    when its free energy is above ``threshold_``.

    ``update(X)`` learns online: CD steps on the new rows (with the fitted hyper-parameters),
    then the rows join a window of the ``window`` most recent rows (default: the training set's
    size, at most 2048) and ``offset_`` is recomputed over that window, so the threshold follows
    a drifting stream. The standardisation and whitening stay as fitted.

    For scikit-learn it is an outlier detector (``is_outlier_detector``): it learns from ``X``
    alone and ``predict`` labels rows +1 / −1, like ``IsolationForest``. The constructor only
    stores its arguments (``get_params``/``set_params`` and ``sklearn.base.clone`` work); they are
    checked at ``fit``. With a ``seed`` the fitted model, every score and every ``update`` are
    the same whatever the number of threads. Objects pickle with their full state (including the
    random streams), so a restored model continues exactly.

    Parameters
    ----------
    n_hidden : int
        Hidden p-bits (≥ 1).
    learning_rate : float
        Step size ε of the gradient updates.
    n_epochs : int
        Passes over the training rows (0 keeps the initial model: the whitened Gaussian).
    batch_size : int
        Rows per minibatch.
    cd_steps : int
        k of CD-k: Gibbs steps per negative sample.
    persistent : bool
        Persistent CD: the negative chains (``batch_size`` of them) carry over between steps.
    momentum : float
        Momentum in [0, 1); the first 5 epochs use min(momentum, 0.5) (Hinton's practical guide).
    l2 : float
        L2 weight decay on the weights.
    visible_sigma : float
        Standard deviation of the Gaussian visible units, in (whitened) feature units. Below 1 it
        leaves part of the data's variance to the hidden units, which is what lets them model
        clusters.
    whiten : bool
        ZCA-whiten the standardised features (``whitening_``); without it only standardise.
    contamination : float
        Expected fraction of outliers, in (0, 0.5]: sets ``offset_``.
    window : int or None
        Rows ``offset_`` is recomputed from after ``update`` (the most recent ones, training rows
        first); None: the training set's size, at most 2048. ``fit`` always uses every training row.
    seed : int or None
        Seed of every random draw (initial weights, shuffles, p-bits); None: fresh entropy.
    num_threads : int or None
        Threads for this estimator's native work; None: the pool of
        ``quantumpanarchy.performance``.

    Attributes (after ``fit``)
    --------------------------
    weights_ : ndarray (n_features, n_hidden)
    visible_bias_ : ndarray (n_features,)
    hidden_bias_ : ndarray (n_hidden,)
    mean_, scale_ : ndarray (n_features,)
        The standardisation (``scale_`` is 1 for constant features).
    whitening_ : ndarray (n_features, n_features) or None
        The ZCA matrix applied to standardised rows.
    offset_ : float
        scikit-learn's offset: ``decision_function = score_samples − offset_``.
    threshold_ : float
        ``−offset_``, the free energy above which a row is an outlier.
    n_features_in_ : int
    feature_names_in_ : ndarray of str (n_features_in_,)
        The columns of a pandas DataFrame given to ``fit`` (only when they are all strings);
        later DataFrames must have the same columns.
    n_iter_ : int
        Epochs run by ``fit``.
    n_steps_ : int
        Gradient steps taken (fit and updates).
    reconstruction_error_ : ndarray (n_iter_,)
        Mean squared one-step reconstruction error per epoch (a training diagnostic).
    seed_ : int
        The seed used (drawn from entropy when ``seed`` is None).
    """

    # fitted attributes (present after fit; see the class docstring)
    weights_: FloatArray
    visible_bias_: FloatArray
    hidden_bias_: FloatArray
    mean_: FloatArray
    scale_: FloatArray
    whitening_: FloatArray | None
    reconstruction_error_: FloatArray
    offset_: float
    threshold_: float
    n_features_in_: int
    n_iter_: int
    n_steps_: int
    seed_: int

    def __init__(
        self,
        n_hidden: int = 16,
        learning_rate: float = 0.01,
        n_epochs: int = 50,
        batch_size: int = 32,
        cd_steps: int = 1,
        persistent: bool = False,
        momentum: float = 0.9,
        l2: float = 1e-4,
        visible_sigma: float = 0.5,
        whiten: bool = True,
        contamination: float = 0.1,
        window: int | None = None,
        seed: int | None = None,
        num_threads: int | None = None,
    ) -> None:
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.cd_steps = cd_steps
        self.persistent = persistent
        self.momentum = momentum
        self.l2 = l2
        self.visible_sigma = visible_sigma
        self.whiten = whiten
        self.contamination = contamination
        self.window = window
        self.seed = seed
        self.num_threads = num_threads

    # --- scikit-learn estimator protocol -------------------------------------------------

    def _sklearn_type(self) -> str:
        return "outlier_detector"

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run (scikit-learn's ``check_is_fitted`` asks)."""
        return hasattr(self, "_model")

    # --- fitting --------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, *, progress: Progress = False) -> IQAD:
        """Learns the preprocessing, the RBM and ``offset_`` from the rows of ``X``
        (n_samples ≥ 2, n_features). ``y`` is ignored. ``progress`` shows a bar (or is called as
        ``progress(done, total)`` with minibatches as units). A failed fit leaves a previously
        fitted model as it was."""
        arr = real_array(X, "X")
        check_samples(arr, "X", "IQAD", min_samples=2)
        names = self._input_names(X, reset=True)
        model = _native.IqadModel.fit(arr, **self._native_params(), progress=progress)
        self._model = model
        self._keep_names(names)
        self._sync()
        return self

    def partial_fit(self, X: Any, y: Any = None) -> IQAD:
        """scikit-learn's incremental API: ``fit`` on the first call, ``update`` afterwards."""
        return self.update(X) if hasattr(self, "_model") else self.fit(X)

    def update(self, X: Any) -> IQAD:
        """Streaming learning on one row (1-D) or a few rows (2-D): CD steps in their order,
        ``batch_size`` rows a step, then ``offset_`` is recomputed over the window of recent rows
        that they join. On bad input the model is left as it was."""
        model = self._fitted()
        arr = real_array(X, "X")
        model.update(self._rows(X, arr.reshape(1, -1) if arr.ndim == 1 else arr), self._threads())
        self._sync()
        return self

    def fit_predict(self, X: Any, y: Any = None) -> npt.NDArray[np.int64]:
        """``fit(X)`` then ``predict(X)``: −1 for the ``contamination`` fraction of outliers."""
        return self.fit(X).predict(X)

    # --- scoring --------------------------------------------------------------------------

    def free_energy(self, X: Any) -> FloatArray:
        """F(v) of each row (PyOD's orientation: the higher, the more anomalous)."""
        model = self._fitted()
        energies: FloatArray = model.free_energy(self._rows(X, real_array(X, "X")), self._threads())
        return energies

    def score_samples(self, X: Any) -> FloatArray:
        """−F(v) of each row (scikit-learn's orientation: the lower, the more abnormal)."""
        return -self.free_energy(X)

    def decision_function(self, X: Any) -> FloatArray:
        """``score_samples(X) − offset_``: negative for outliers."""
        return -self.free_energy(X) - self.offset_

    def predict(self, X: Any) -> npt.NDArray[np.int64]:
        """+1 for inliers, −1 for outliers (``decision_function(X) < 0``)."""
        return np.where(self.decision_function(X) < 0.0, -1, 1).astype(np.int64)

    # --- async ----------------------------------------------------------------------------

    async def fit_async(self, X: Any, y: Any = None, *, progress: Progress = False) -> IQAD:
        """``fit`` off the event loop (the native work releases the GIL)."""
        return await _async.to_thread(self.fit, X, y, progress=progress)

    async def update_async(self, X: Any) -> IQAD:
        """``update`` off the event loop."""
        return await _async.to_thread(self.update, X)

    async def score_samples_async(self, X: Any) -> FloatArray:
        """``score_samples`` off the event loop."""
        return await _async.to_thread(self.score_samples, X)

    async def predict_async(self, X: Any) -> npt.NDArray[np.int64]:
        """``predict`` off the event loop."""
        return await _async.to_thread(self.predict, X)

    # --- plumbing -------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        # the fitted attributes but feature_names_in_ are copies of the native model's state
        # (_sync): pickle the model once
        def kept(k: str) -> bool:
            return k.startswith("_") or not k.endswith("_") or k == "feature_names_in_"

        return {k: v for k, v in self.__dict__.items() if kept(k)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_model" in state:
            self._sync()

    def _fitted(self) -> Any:
        model = getattr(self, "_model", None)
        if model is None:
            raise NotFittedError("this IQAD instance is not fitted yet: call fit(X) before using it")
        return model

    def _rows(self, X: Any, arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``arr`` (``X`` as :func:`real_array` gave it) checked as rows for the fitted model."""
        check_samples(arr, "X", "IQAD")
        self._check_input(X, arr.shape[1])
        return arr

    def _sync(self) -> None:
        a = self._model.attributes()
        for name in ("weights", "visible_bias", "hidden_bias", "mean", "scale", "whitening", "reconstruction_error"):
            value = a[name]
            if value is not None:
                value.flags.writeable = False  # copies: editing them would not change the model
            setattr(self, name + "_", value)
        self.offset_ = float(a["offset"])
        self.threshold_ = -self.offset_
        self.n_features_in_ = int(a["n_features"])
        self.n_iter_ = int(a["n_iter"])
        self.n_steps_ = int(a["n_steps"])
        self.seed_ = int(a["seed"])

    def _native_params(self) -> dict[str, Any]:
        """The hyper-parameters with their types checked (ranges are checked natively)."""
        out: dict[str, Any] = {}
        for name in _INT_PARAMS:
            out[name] = check_int(getattr(self, name), name)
        for name in _FLOAT_PARAMS:
            out[name] = check_real(getattr(self, name), name)
        for name in _BOOL_PARAMS:
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise InvalidInputError(f"{name} must be True or False, got {value!r}")
            out[name] = bool(value)
        out["window"] = None if self.window is None else check_int(self.window, "window")
        out["seed"] = self.seed
        out["num_threads"] = self._threads()
        return out

    def _threads(self) -> int | None:
        return None if self.num_threads is None else check_int(self.num_threads, "num_threads")


IQAD.__module__ = "quantumpanarchy.decision"
