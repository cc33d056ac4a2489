"""NQO: a hybrid optimiser for continuous and mixed-integer problems (RBF-network surrogate,
p-bit annealing over Gray-coded variables, basin hopping and local refinement)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .. import _async
from .._native import decision as _decision
from .._validation import as_float_array
from ..exceptions import InvalidInputError, InvalidTypeError
from ._params import Params, check_native_int

__all__ = ["NQO", "NQOResult", "minimize_nqo"]

FloatArray = npt.NDArray[np.float64]

_PUBLIC = "quantumpanarchy.decision"


@dataclasses.dataclass(frozen=True, eq=False)
class NQOResult:
    """What :meth:`NQO.minimize` found, with scipy's ``OptimizeResult`` field names.

    ``x`` is the best point (integer variables hold whole numbers), ``fun`` its value, ``nfev``
    the number of calls of ``fun`` (never more than ``maxfun``; with ``vectorized=True``, the
    number of points evaluated), ``nit`` the iterations (surrogate rounds and local searches),
    ``history[k]`` the best value after ``k + 1`` evaluations. ``success`` is false when no
    finite value was found or the callback stopped the run; ``message`` says why it ended.
    ``nan_count`` counts the points where ``fun`` returned NaN (they count as +inf).
    """

    x: FloatArray
    fun: float
    nfev: int
    nit: int
    success: bool
    message: str
    history: FloatArray
    nan_count: int
    local_searches: int
    restarts: int

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain Python values (lists for the arrays): JSON-friendly."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["x"] = self.x.tolist()
        out["history"] = self.history.tolist()
        return out

    def __getitem__(self, key: str) -> Any:
        """``result["x"]`` as with scipy's ``OptimizeResult``."""
        if key not in {f.name for f in dataclasses.fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def __repr__(self) -> str:
        x = np.array2string(self.x, precision=6, threshold=8)
        return (
            f"NQOResult(fun={self.fun:.6g}, x={x}, nfev={self.nfev}, nit={self.nit}, "
            f"success={self.success}, message={self.message!r})"
        )


class NQO(Params):
    """Hybrid optimiser for continuous and mixed-integer black-box problems.

    ``NQO(...).minimize(fun, bounds)`` minimises ``fun(x, *args)`` over the box ``bounds`` (a
    sequence of ``(lower, upper)`` pairs or a ``scipy.optimize.Bounds``) with at most
    ``maxfun`` calls of ``fun`` (default ``500 × d`` for ``d`` variables). Each round fits an
    RBF network (a neural surrogate: cubic radial units and a linear tail) to the evaluated
    points, anneals p-bits that Gray-code the variables inside a trust region with the surrogate
    (minus a bonus for distance from evaluated points) as energy, and evaluates the best
    proposals. The search alternates a trust-region descent with basin hopping around the best
    point, polishes with a local method, and restarts when stuck.

    Parameters follow scipy's ``dual_annealing`` and ``differential_evolution`` where they
    overlap: ``maxfun``, ``seed``, ``integrality`` (a boolean per variable: integer variables
    take the whole numbers within their bounds), ``x0`` and ``args`` in :meth:`minimize`. Also:
    ``n_initial`` (initial Latin-hypercube points, default ``2(d + 1)``), ``local_method``
    (``"bfgs"``: projected quasi-Newton with finite differences; ``"nelder-mead"``; ``"none"``),
    ``batch_size`` (proposals evaluated per round, default ``1 + d // 5``), ``bits`` (p-bits per
    continuous variable), ``num_chains``, ``num_sweeps`` (β steps of each annealing), ``method``
    (the p-bit rule: ``"gibbs"`` or ``"metropolis"``), ``vectorized`` (``fun`` takes an ``(m, d)``
    array of points, one per row, and returns ``m`` values; note that scipy's
    ``differential_evolution`` passes ``(d, m)`` instead) and ``num_threads`` (for the annealing
    chains; results do not depend on it).

    ``fun`` must return a real number. NaN counts as +inf (the point is never the answer) and
    a ``RuntimeWarning`` says how often it happened; ``-inf``, arrays and other values raise
    :class:`~quantumpanarchy.InvalidInputError`. An exception raised by ``fun`` or the callback
    propagates unchanged, and Ctrl-C interrupts the run. With a ``seed`` the result is the same
    on every run and whatever the number of threads. The constructor only stores its arguments
    (``get_params``/``set_params`` as in scikit-learn).
    """

    def __init__(
        self,
        maxfun: int | None = None,
        n_initial: int | None = None,
        seed: int | None = None,
        integrality: npt.ArrayLike | None = None,
        local_method: Literal["bfgs", "nelder-mead", "none"] = "bfgs",
        *,
        batch_size: int | None = None,
        bits: int = 8,
        num_chains: int = 4,
        num_sweeps: int = 10,
        method: Literal["gibbs", "metropolis"] = "gibbs",
        vectorized: bool = False,
        num_threads: int | None = None,
    ) -> None:
        self.maxfun = maxfun
        self.n_initial = n_initial
        self.seed = seed
        self.integrality = integrality
        self.local_method = local_method
        self.batch_size = batch_size
        self.bits = bits
        self.num_chains = num_chains
        self.num_sweeps = num_sweeps
        self.method = method
        self.vectorized = vectorized
        self.num_threads = num_threads

    def minimize(
        self,
        fun: Callable[..., Any],
        bounds: Any,
        *,
        x0: npt.ArrayLike | None = None,
        args: Sequence[Any] = (),
        maxfun: int | None = None,
        callback: Callable[[FloatArray, float], object] | None = None,
        progress: bool | Callable[[int, int], object] | None = None,
    ) -> NQOResult:
        """Minimises ``fun(x, *args)`` over ``bounds``.

        ``x0`` is evaluated first (it must lie inside the bounds); ``maxfun`` overrides the
        constructor's budget for this call; ``callback(x, f)`` is called whenever the best value
        improves and stops the run by returning true; ``progress`` shows a progress bar (or
        calls ``progress(done, maxfun)``).
        """
        lower, upper = _bounds(bounds)
        d = lower.size
        integrality = _integrality(self.integrality, d)
        budget = maxfun if maxfun is not None else self.maxfun
        if budget is None:
            budget = 500 * d
        if not isinstance(args, tuple):
            args = tuple(args) if isinstance(args, Sequence) and not isinstance(args, str) else (args,)
        out = _decision.nqo_minimize(
            fun,
            lower,
            upper,
            integrality,
            x0=None if x0 is None else as_float_array(x0, "x0", 1, False),
            fun_args=args,
            maxfun=check_native_int(budget, "maxfun"),
            n_initial=None if self.n_initial is None else check_native_int(self.n_initial, "n_initial"),
            seed=self.seed,
            local_method=_choice(self.local_method, "local_method"),
            batch_size=None if self.batch_size is None else check_native_int(self.batch_size, "batch_size"),
            bits=check_native_int(self.bits, "bits"),
            num_chains=check_native_int(self.num_chains, "num_chains"),
            num_sweeps=check_native_int(self.num_sweeps, "num_sweeps"),
            method=_choice(self.method, "method"),
            vectorized=_flag(self.vectorized, "vectorized"),
            callback=callback,
            progress=progress,
            num_threads=None if self.num_threads is None else check_native_int(self.num_threads, "num_threads"),
        )
        out.pop("seed")
        result = NQOResult(**out)
        if result.nan_count:
            warnings.warn(
                f"fun returned NaN at {result.nan_count} of {result.nfev} points; NaN counts as +inf",
                RuntimeWarning,
                stacklevel=2,
            )
        return result

    async def minimize_async(
        self,
        fun: Callable[..., Any],
        bounds: Any,
        *,
        x0: npt.ArrayLike | None = None,
        args: Sequence[Any] = (),
        maxfun: int | None = None,
        callback: Callable[[FloatArray, float], object] | None = None,
        progress: bool | Callable[[int, int], object] | None = None,
    ) -> NQOResult:
        """``minimize`` off the event loop (in a worker thread, where ``fun`` is then called)."""
        return await _async.to_thread(
            self.minimize, fun, bounds, x0=x0, args=args, maxfun=maxfun, callback=callback, progress=progress
        )


def minimize_nqo(
    fun: Callable[..., Any],
    bounds: Any,
    *,
    x0: npt.ArrayLike | None = None,
    args: Sequence[Any] = (),
    callback: Callable[[FloatArray, float], object] | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
    **options: Any,
) -> NQOResult:
    """``NQO(**options).minimize(fun, bounds, ...)`` in one call, as ``scipy.optimize.dual_annealing``
    is used."""
    return NQO(**options).minimize(fun, bounds, x0=x0, args=args, callback=callback, progress=progress)


def _bounds(bounds: Any) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds from (lower, upper) pairs or a ``scipy.optimize.Bounds``."""
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lb = as_float_array(np.atleast_1d(bounds.lb), "bounds.lb", 1, False)
        ub = as_float_array(np.atleast_1d(bounds.ub), "bounds.ub", 1, False)
        if lb.size != ub.size and 1 not in (lb.size, ub.size):
            raise InvalidInputError(f"bounds.lb and bounds.ub must have the same length, got {lb.size} and {ub.size}")
        lb, ub = np.broadcast_arrays(lb, ub)
        return np.ascontiguousarray(lb), np.ascontiguousarray(ub)
    arr = as_float_array(bounds, "bounds", 2, False)
    if arr.shape[1] != 2:
        raise InvalidInputError(f"bounds must be a sequence of (lower, upper) pairs, got shape {arr.shape}")
    return np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1])


def _integrality(integrality: Any, d: int) -> list[bool]:
    """One flag per variable from a bool or a boolean array-like (bools, or 0/1 numbers): a string
    or another object is not a flag, however truthy."""
    if integrality is None:
        return [False] * d
    if isinstance(integrality, (bool, np.bool_)):
        return [bool(integrality)] * d
    if isinstance(integrality, (str, bytes)):
        raise InvalidTypeError(f"integrality must be a bool or an array-like of booleans, got {integrality!r}")
    try:
        arr = np.asarray(integrality)
    except (ValueError, TypeError):  # ragged, or not array-like
        raise InvalidInputError("integrality must be a bool or a 1-D array-like of booleans") from None
    if arr.ndim == 0 and arr.dtype.kind == "b":
        return [bool(arr)] * d
    if arr.ndim != 1 or arr.size != d:
        raise InvalidInputError(f"integrality must have one entry per variable ({d}), got shape {arr.shape}")
    if arr.dtype.kind not in "biuf" or not np.all(np.isin(arr, (0, 1))):
        raise InvalidInputError(f"integrality must hold booleans (or 0 and 1), got {arr.dtype} values")
    return [bool(v) for v in arr.tolist()]


def _flag(value: Any, name: str) -> bool:
    """A bool setting: a string like ``'no'`` is not a flag, however truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _choice(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate is no option's name
        raise InvalidInputError(f"{name} is not a valid option: {value!r}") from None
    return value


NQO.__module__ = _PUBLIC
NQOResult.__module__ = _PUBLIC
minimize_nqo.__module__ = _PUBLIC
