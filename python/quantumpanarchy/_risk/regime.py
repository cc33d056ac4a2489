"""Market regimes: a Gaussian hidden Markov model.

:class:`RegimeModel` is hmmlearn's ``GaussianHMM`` (the same parameters, attributes and M-step)
fitted by Baum–Welch in native code, with its states ordered by volatility after every fit:
state 0 has the smallest total variance (the trace of its covariance). :class:`MarketRegime`
names the states of 2- and 3-state models, and :func:`detect_regime` fits one and labels every
observation. See ``docs/risk-regimes.md``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

# The native module has no stub of its own: its public face is this module's, in stubs/risk.pyi.
from .._decision._estimator import real_array
from .._decision._params import Params, check_int, check_real, same
from .._native import risk as _native
from .._validation import as_array
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["MarketRegime", "RegimeModel", "detect_regime"]

_PUBLIC = "quantumpanarchy.risk"
MAX_STATES, MAX_FEATURES = _native.regime_limits()
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class MarketRegime(enum.Enum):
    """A market regime: ``Normal`` (the calmest state), ``Volatile`` and ``Crisis`` (the most
    volatile). ``MarketRegime("crisis")`` and ``MarketRegime("Crisis")`` also work; ``str()``
    gives the value (``"crisis"``); :attr:`severity` is 0, 1 or 2.

    A 3-state :class:`RegimeModel` maps its states 0, 1, 2 (ordered by volatility) to Normal,
    Volatile, Crisis; a 2-state model maps them to Normal and Crisis. Other numbers of states have
    no names (use the state numbers :meth:`RegimeModel.predict` gives).
    """

    Normal = "normal"
    Volatile = "volatile"
    Crisis = "crisis"

    @property
    def severity(self) -> int:
        """0 (Normal), 1 (Volatile) or 2 (Crisis)."""
        return _SEVERITY[self]

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"MarketRegime.{self.name}"

    @classmethod
    def _missing_(cls, value: object) -> MarketRegime:
        """Names in any case; anything else raises InvalidInputError (a ValueError)."""
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if member.value == key:
                    return member
        text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else "a huge int"
        raise InvalidInputError(f"{text[:40]} is not a MarketRegime: use 'normal', 'volatile' or 'crisis'")


_SEVERITY = {MarketRegime.Normal: 0, MarketRegime.Volatile: 1, MarketRegime.Crisis: 2}


def _regime_names(k: int) -> tuple[MarketRegime, ...]:
    """The regimes of the states of a ``k``-state model."""
    if k == 3:
        return (MarketRegime.Normal, MarketRegime.Volatile, MarketRegime.Crisis)
    if k == 2:
        return (MarketRegime.Normal, MarketRegime.Crisis)
    raise InvalidInputError(
        f"MarketRegime names the states of 2- or 3-state models only (Normal/Crisis, Normal/Volatile/Crisis); "
        f"this model has {k}: use predict() for state numbers"
    )


def _is_pandas(x: Any) -> bool:
    return type(x).__module__.startswith("pandas")


def _observations(X: Any, name: str = "X") -> npt.NDArray[Any]:
    """``X`` as a 2-D real array (observations × features): 1-D returns become one column; pandas
    Series and DataFrames are read as their values."""
    if _is_pandas(X) and hasattr(X, "to_numpy"):
        X = X.to_numpy()
    arr = real_array(X, name)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise InvalidInputError(
            f"{name} must be 1-D (one series) or 2-D (observations × features), got shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidInputError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def _lengths(lengths: Any, n: int) -> IntArray | None:
    """``lengths`` as int64 sequence lengths summing to ``n`` (None: one sequence)."""
    if lengths is None:
        return None
    if isinstance(lengths, (bool, np.bool_, str, bytes)):
        raise InvalidTypeError(f"lengths must be a sequence of positive integers, got {lengths!r:.60}")
    if isinstance(lengths, (int, np.integer)):
        lengths = [lengths]
    arr = as_array(lengths, "lengths")
    if arr.ndim != 1:
        raise InvalidInputError(f"lengths must be 1-D (one length per sequence), got shape {arr.shape}")
    if not 1 <= arr.size <= n:
        raise InvalidInputError(f"lengths must hold 1 to {n} sequence lengths (one per sequence), got {arr.size}")
    if (
        arr.dtype.kind == "f"
        and np.all(np.isfinite(arr))
        and np.all(arr == np.round(arr))
        and np.all(np.abs(arr) < 2**62)
    ):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise InvalidInputError(f"lengths must hold positive integers, got dtype {arr.dtype}")
    if np.any(arr < 1):
        raise InvalidInputError("lengths must hold positive integers")
    if np.any(arr > n) or int(arr.sum(dtype=np.int64)) != n:  # each at most n: the int64 sum cannot overflow
        raise InvalidInputError(f"lengths must sum to the number of observations ({n})")
    return arr.astype(np.int64)


def _param_array(value: Any, name: str, shapes: Sequence[tuple[int, ...]]) -> FloatArray:
    """A starting parameter as float64 with one of ``shapes``."""
    if _is_pandas(value) and hasattr(value, "to_numpy"):
        value = value.to_numpy()
    arr = np.asarray(real_array(value, name), dtype=np.float64)
    if arr.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        raise InvalidInputError(f"{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"{name} must be finite")
    return arr


_STARTS = ("startprob_init", "transmat_init", "means_init", "covars_init")
# The largest starting array: 64 states of 256 × 256 covariances.
_MAX_START_SIZE = MAX_STATES * MAX_FEATURES * MAX_FEATURES


def _bounded(value: Any, name: str) -> Any:
    """``value`` itself, unless it is an array larger than any starting parameter can be (a
    broadcast view of 10**10 values would otherwise be copied when the model is pickled)."""
    size = getattr(value, "size", None)
    if isinstance(size, (int, np.integer)) and size > _MAX_START_SIZE:
        raise InvalidInputError(f"{name} has {size} values, more than a starting parameter can have")
    return value


_FITTED = (
    "startprob_",
    "transmat_",
    "means_",
    "_covars",
    "covariance_type_",
    "n_features_in_",
    "n_iter_",
    "converged_",
    "loglik_history_",
)


class RegimeModel(Params):
    """A Gaussian hidden Markov model of market regimes: hmmlearn's ``GaussianHMM`` fitted by
    Baum–Welch in native code, its states ordered by volatility.

    Parameters
    ----------
    num_regimes : int
        Number of hidden states (1 to 64).
    covariance_type : {"diag", "full"}
        Each state's covariance: independent features, or a full matrix.
    n_iter : int
        Most EM iterations (0 keeps the starting parameters).
    tol : float
        EM stops once an iteration gains less than ``tol`` in log-likelihood (hmmlearn's
        meaning: an absolute gain); a negative ``tol`` (or ``-inf``) runs all ``n_iter``.
    seed : int or None
        Seed of the k-means++ initialisation; the same seed gives the same model on any number
        of threads.
    init : {"kmeans", "volatility"}
        How starting parameters not given explicitly are chosen. ``"kmeans"``: means from
        k-means++ (10 seeded restarts, lowest inertia), every covariance the data's covariance
        plus ``min_covar``, transitions counted from the k-means labels (add-one smoothed),
        uniform start. ``"volatility"``: states from quantile groups of a 21-step local
        volatility, their means and covariances, transitions counted from the groups
        (deterministic).
    min_covar : float or None
        Floor on every variance (the diagonal of each covariance) after every M-step, also added
        to the starting covariances. None: 1e-3 × each feature's variance (scale-free).
    covars_prior, covars_weight : float or None, float
        hmmlearn's prior on the covariances: ``covars_prior`` is added to each state's scatter
        matrix (a number is added to every entry, as hmmlearn does); None: 1e-2 × each feature's
        variance on the diagonal (scale-free). hmmlearn's defaults are ``covars_prior=1e-2`` and
        ``min_covar=1e-3`` in the data's units.
    means_prior, means_weight : float
        Normal prior on the means (weight 0: none).
    startprob_prior, transmat_prior : float
        Dirichlet concentrations (1: none).
    startprob_init, transmat_init, means_init, covars_init : array-like or None
        Starting parameters (those given replace the ``init`` method's): shapes ``(K,)``,
        ``(K, K)``, ``(K, d)``, and ``(K, d)`` (diag) or ``(K, d, d)`` (full); for one feature
        ``(K,)`` also works for the means and covariances.

    Attributes
    ----------
    startprob_, transmat_, means_ : ndarray
        Fitted start probabilities ``(K,)``, transition matrix ``(K, K)``, means ``(K, d)``.
    covars_ : ndarray
        Covariance matrices ``(K, d, d)`` (as hmmlearn's ``covars_`` property returns them, for
        both covariance types). :attr:`variances_` gives the diagonals ``(K, d)``.
    n_iter_, converged_, loglik_history_ : int, bool, ndarray
        EM iterations run; whether the last one gained less than ``tol``; the log-likelihood
        before each M-step (hmmlearn's ``monitor_.history``).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.risk import RegimeModel
    >>> rng = np.random.default_rng(0)
    >>> returns = np.concatenate([rng.normal(0, 0.01, 500), rng.normal(0, 0.04, 100)])
    >>> model = RegimeModel(num_regimes=2, seed=0).fit(returns)
    >>> [round(float(v), 1) for v in np.sqrt(model.variances_[:, 0]) * 100]  # volatility in %
    [1.0, 3.6]
    >>> model.regimes(returns)[-1]
    MarketRegime.Crisis
    """

    startprob_: FloatArray
    transmat_: FloatArray
    means_: FloatArray
    n_features_in_: int
    n_iter_: int
    converged_: bool
    loglik_history_: FloatArray

    def __init__(
        self,
        num_regimes: int = 3,
        covariance_type: str = "diag",
        n_iter: int = 100,
        tol: float = 1e-2,
        seed: int | None = None,
        *,
        init: str = "volatility",
        min_covar: float | None = None,
        covars_prior: float | None = None,
        covars_weight: float = 1.0,
        means_prior: float = 0.0,
        means_weight: float = 0.0,
        startprob_prior: float = 1.0,
        transmat_prior: float = 1.0,
        startprob_init: Any = None,
        transmat_init: Any = None,
        means_init: Any = None,
        covars_init: Any = None,
    ) -> None:
        self.num_regimes = num_regimes
        self.covariance_type = covariance_type
        self.n_iter = n_iter
        self.tol = tol
        self.seed = seed
        self.init = init
        self.min_covar = min_covar
        self.covars_prior = covars_prior
        self.covars_weight = covars_weight
        self.means_prior = means_prior
        self.means_weight = means_weight
        self.startprob_prior = startprob_prior
        self.transmat_prior = transmat_prior
        self.startprob_init = _bounded(startprob_init, "startprob_init")
        self.transmat_init = _bounded(transmat_init, "transmat_init")
        self.means_init = _bounded(means_init, "means_init")
        self.covars_init = _bounded(covars_init, "covars_init")

    def _check_params(self) -> None:
        for name in _STARTS:
            _bounded(getattr(self, name), name)
        self._settings()

    def _params_changed(self, old: dict[str, Any]) -> None:
        if not (same(self.num_regimes, old["num_regimes"]) and same(self.covariance_type, old["covariance_type"])):
            for name in _FITTED:
                self.__dict__.pop(name, None)

    def _settings(self) -> dict[str, Any]:
        """The parameters checked, as the native fit takes them (starting arrays apart)."""
        k = check_int(self.num_regimes, "num_regimes")
        if not 1 <= k <= MAX_STATES:
            raise InvalidInputError(f"num_regimes must be between 1 and {MAX_STATES}, got {k}")
        if self.covariance_type not in ("diag", "full"):
            raise InvalidInputError(f"covariance_type must be 'diag' or 'full', got {self.covariance_type!r:.60}")
        if self.init not in ("kmeans", "volatility"):
            raise InvalidInputError(f"init must be 'kmeans' or 'volatility', got {self.init!r:.60}")
        n_iter = check_int(self.n_iter, "n_iter", 0)
        if n_iter >= 2**32:
            raise InvalidInputError(f"n_iter is too large: {n_iter}")
        out: dict[str, Any] = {"num_regimes": k, "n_iter": n_iter}
        tol = check_real(self.tol, "tol")
        if math.isnan(tol) or tol == math.inf:
            raise InvalidInputError(f"tol must be a number below inf (-inf runs every iteration), got {tol}")
        out["tol"] = tol
        for name in ("covars_weight", "means_weight"):
            v = check_real(getattr(self, name), name)
            if not (math.isfinite(v) and v >= 0):
                raise InvalidInputError(f"{name} must be finite and non-negative, got {v}")
            out[name] = v
        for name in ("startprob_prior", "transmat_prior"):
            v = check_real(getattr(self, name), name)
            if not (math.isfinite(v) and v > 0):
                raise InvalidInputError(f"{name} must be finite and positive, got {v}")
            out[name] = v
        mp = check_real(self.means_prior, "means_prior")
        if not math.isfinite(mp):
            raise InvalidInputError(f"means_prior must be finite, got {mp}")
        out["means_prior"] = mp
        for name, positive in (("min_covar", True), ("covars_prior", False)):
            value = getattr(self, name)
            if value is None:
                out[name] = None
                continue
            v = check_real(value, name)
            if not (math.isfinite(v) and (v > 0 if positive else v >= 0)):
                raise InvalidInputError(
                    f"{name} must be finite and {'positive' if positive else 'non-negative'}, got {v}"
                )
            out[name] = v
        if self.seed is not None and (
            isinstance(self.seed, (bool, np.bool_)) or not isinstance(self.seed, (int, np.integer))
        ):
            raise InvalidTypeError(f"seed must be an int or None, got {self.seed!r:.60}")
        return out

    def _starts(self, k: int, d: int) -> dict[str, FloatArray | None]:
        """The starting arrays given, checked against ``k`` states and ``d`` features (covariances
        flattened per state, as the native fit takes them)."""
        out: dict[str, FloatArray | None] = {}
        out["startprob_init"] = (
            None if self.startprob_init is None else _param_array(self.startprob_init, "startprob_init", [(k,)])
        )
        out["transmat_init"] = (
            None if self.transmat_init is None else _param_array(self.transmat_init, "transmat_init", [(k, k)])
        )
        means_shapes = [(k, d)] + ([(k,)] if d == 1 else [])
        out["means_init"] = (
            None if self.means_init is None else _param_array(self.means_init, "means_init", means_shapes).reshape(k, d)
        )
        covars: FloatArray | None = None
        if self.covars_init is not None:
            one = [(k,)] if d == 1 else []
            if self.covariance_type == "diag":
                arr = _param_array(self.covars_init, "covars_init", [(k, d), (k, d, d), *one])
                if arr.ndim == 3:
                    diagonal = np.einsum("kii->ki", arr)
                    if np.any(arr != np.einsum("ki,ij->kij", diagonal, np.eye(d))):
                        raise InvalidInputError("covars_init of a 'diag' model must have zero off-diagonal entries")
                    arr = diagonal
                covars = np.ascontiguousarray(arr.reshape(k, d))
            else:
                arr = _param_array(self.covars_init, "covars_init", [(k, d, d), *one])
                covars = np.ascontiguousarray(arr.reshape(k, d * d))
        out["covars_init"] = covars
        return out

    # --- fitting ----------------------------------------------------------------------------

    def fit(self, X: Any, lengths: Any = None) -> RegimeModel:
        """Fit the model to ``X`` by Baum–Welch (EM).

        Parameters
        ----------
        X : array-like or pandas Series/DataFrame
            1-D returns, or a 2-D array of observations × features; several sequences
            concatenated when ``lengths`` is given.
        lengths : sequence of int, optional
            The lengths of the sequences in ``X`` (summing to its rows).

        Returns
        -------
        RegimeModel
            ``self``, fitted, its states ordered by increasing total variance.

        Raises
        ------
        InvalidInputError
            NaN or infinite values, a constant series, fewer observations than states, invalid
            starting parameters.
        """
        s = self._settings()
        x = _observations(X)
        if x.shape[1] > MAX_FEATURES:
            raise InvalidInputError(f"X may have at most {MAX_FEATURES} features, got {x.shape[1]}")
        lens = _lengths(lengths, x.shape[0])
        k = s["num_regimes"]
        starts = self._starts(k, x.shape[1])
        out = _native.regime_fit(
            x,
            lens,
            k,
            self.covariance_type,
            s["n_iter"],
            s["tol"],
            self.init,
            self.seed,
            s["startprob_prior"],
            s["transmat_prior"],
            s["means_prior"],
            s["means_weight"],
            s["covars_prior"],
            s["covars_weight"],
            s["min_covar"],
            starts["startprob_init"],
            starts["transmat_init"],
            starts["means_init"],
            starts["covars_init"],
        )
        fitted = {
            "startprob_": out["startprob"],
            "transmat_": out["transmat"],
            "means_": out["means"],
            "_covars": out["covars"],
            "covariance_type_": self.covariance_type,
            "n_features_in_": int(x.shape[1]),
            "n_iter_": int(out["n_iter"]),
            "converged_": bool(out["converged"]),
            "loglik_history_": out["history"],
        }
        # one dict update: a thread predicting meanwhile sees the old model or the new one
        self.__dict__.update(fitted)
        return self

    # --- the fitted model -------------------------------------------------------------------

    def _model(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, str]:
        state = dict(self.__dict__)  # one consistent snapshot
        if "_covars" not in state:
            raise InvalidInputError("this RegimeModel is not fitted yet: call fit(X) first")
        return state["startprob_"], state["transmat_"], state["means_"], state["_covars"], state["covariance_type_"]

    @property
    def covars_(self) -> FloatArray:
        """The covariance matrices, ``(K, d, d)`` (hmmlearn's ``covars_``)."""
        _, _, means, covars, kind = self._model()
        k, d = means.shape
        out: FloatArray = (
            np.einsum("ki,ij->kij", covars, np.eye(d)) if kind == "diag" else covars.reshape(k, d, d).copy()
        )
        return out

    @property
    def variances_(self) -> FloatArray:
        """Each state's variances (the diagonal of its covariance), ``(K, d)``."""
        _, _, means, covars, kind = self._model()
        k, d = means.shape
        out: FloatArray = (
            covars.copy() if kind == "diag" else np.ascontiguousarray(np.einsum("kii->ki", covars.reshape(k, d, d)))
        )
        return out

    def _prepared(self, X: Any, lengths: Any) -> tuple[npt.NDArray[Any], IntArray | None]:
        x = _observations(X)
        return x, _lengths(lengths, x.shape[0])

    def score(self, X: Any, lengths: Any = None) -> float:
        """The log-likelihood ``ln p(X)`` under the model (summed over the sequences)."""
        model = self._model()
        x, lens = self._prepared(X, lengths)
        return float(_native.regime_score(*model, x, lens))

    def score_samples(self, X: Any, lengths: Any = None) -> tuple[float, FloatArray]:
        """``(log-likelihood, posteriors)`` as hmmlearn's ``score_samples``."""
        model = self._model()
        x, lens = self._prepared(X, lengths)
        ll, post = _native.regime_posteriors(*model, x, lens)
        return float(ll), post

    def predict_proba(self, X: Any, lengths: Any = None) -> Any:
        """Smoothed state probabilities ``P(state_t = s | X)``, ``(T, K)`` (a DataFrame on the
        input's index for pandas input)."""
        post = self.score_samples(X, lengths)[1]
        if _is_pandas(X) and hasattr(X, "index"):
            import pandas as pd

            return pd.DataFrame(post, index=X.index)
        return post

    def decode(self, X: Any, lengths: Any = None) -> tuple[float, IntArray]:
        """``(log-probability, states)`` of the most likely state path (Viterbi)."""
        model = self._model()
        x, lens = self._prepared(X, lengths)
        lp, states = _native.regime_viterbi(*model, x, lens)
        return float(lp), states

    def predict(self, X: Any, lengths: Any = None) -> Any:
        """The Viterbi states (0 = calmest), int64 (a Series on the input's index for pandas
        input)."""
        states = self.decode(X, lengths)[1]
        if _is_pandas(X) and hasattr(X, "index"):
            import pandas as pd

            return pd.Series(states, index=X.index, name="regime")
        return states

    def regimes(self, X: Any, lengths: Any = None) -> list[MarketRegime]:
        """The Viterbi path as :class:`MarketRegime` values (2- or 3-state models)."""
        names = _regime_names(self._model()[0].shape[0])
        return [names[s] for s in self.decode(X, lengths)[1].tolist()]

    def sample(self, n_samples: int = 1, seed: int | None = None) -> tuple[FloatArray, IntArray]:
        """``(X, states)``: ``n_samples`` observations ``(n, d)`` simulated from the model."""
        model = self._model()
        n = check_int(n_samples, "n_samples", 1)
        if n >= 2**63:
            raise InvalidInputError(f"n_samples is too large: {n}")
        return _native.regime_sample(*model, n, seed)  # type: ignore[no-any-return]


def detect_regime(returns: Any, num_regimes: int = 3, seed: int | None = None) -> list[MarketRegime]:
    """The regime of every observation: a :class:`RegimeModel` fitted to ``returns`` (1-D, or
    observations × features), decoded by Viterbi.

    Parameters
    ----------
    returns : array-like or pandas Series/DataFrame
        The returns (or other observations) to label.
    num_regimes : {2, 3}
        3: Normal/Volatile/Crisis; 2: Normal/Crisis.
    seed : int or None
        Seed of the initialisation.

    Returns
    -------
    list of MarketRegime
        One per observation.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.risk import detect_regime
    >>> rng = np.random.default_rng(1)
    >>> r = np.concatenate([rng.normal(0, 0.01, 300), rng.normal(-0.01, 0.05, 50)])
    >>> labels = detect_regime(r, num_regimes=2, seed=0)
    >>> str(labels[0]), str(labels[-1])
    ('normal', 'crisis')
    """
    k = check_int(num_regimes, "num_regimes")
    _regime_names(k)
    model = RegimeModel(num_regimes=k, seed=seed)
    return model.fit(returns).regimes(returns)


MarketRegime.__module__ = RegimeModel.__module__ = detect_regime.__module__ = _PUBLIC
