"""Monte Carlo VaR and CVaR.

Scenarios of the assets' returns over the horizon h are drawn as x = h·μ + √h·L z (L a Cholesky
factor of ``cov``, z standard normals) or from the multivariate Student t whose covariance is
``cov``; each scenario is priced into the position's loss −w·x, and VaR / CVaR are read from the
losses' upper tail. The generator is counter-based (Philox4x32-10): the same seed gives the same
bits on any number of threads and on the GPU. See ``docs/risk-monte-carlo.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_real
from .._native import risk as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["MonteCarloVaR", "monte_carlo_var", "simulate_returns"]

FloatArray = npt.NDArray[np.float64]
Progress = bool | Callable[[int, int], object] | None


@dataclasses.dataclass(frozen=True)
class MonteCarloVaR:
    """The result of :func:`monte_carlo_var`. Losses are positive numbers (a fraction of the
    portfolio's value when the weights are fractions of it).

    Attributes
    ----------
    var, cvar : float
        Value at risk (the losses' ``1 - alpha`` quantile, interpolated as ``np.quantile``) and
        conditional value at risk (the mean of the losses at or above the VaR).
    var_stderr, cvar_stderr : float
        Their Monte Carlo standard errors (see ``docs/risk-monte-carlo.md``).
    num_scenarios : int
    alpha, horizon : float
    distribution : str
        ``"normal"`` or ``"student_t"``.
    dof : float or None
        The Student t's degrees of freedom.
    seed : int
        The seed the scenarios were drawn with (drawn from the OS when ``seed=None``): pass it
        back to repeat the run bit for bit.
    backend : str
        ``"cpu"`` or ``"cuda"``: where the scenarios ran.
    tail_count : int
        The number of scenarios whose loss is at or above the VaR (the CVaR's sample).
    scenarios : numpy.ndarray or None
        The scenario matrix (num_scenarios × assets) when ``return_scenarios=True``.
    """

    var: float
    cvar: float
    var_stderr: float
    cvar_stderr: float
    num_scenarios: int
    alpha: float
    horizon: float
    distribution: str
    dof: float | None
    seed: int
    backend: str
    tail_count: int
    scenarios: FloatArray | None = dataclasses.field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (the scenario matrix included when it was kept)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _is_pandas(x: object) -> bool:
    return type(x).__module__.startswith("pandas")


def _assets(mean: Any, cov: Any) -> list[Any] | None:
    """The asset labels of a pandas ``mean`` or ``cov``, checking that they agree."""
    names: list[Any] | None = None
    if _is_pandas(mean) and hasattr(mean, "index"):
        names = list(mean.index)
    if _is_pandas(cov) and hasattr(cov, "columns"):
        cols, rows = list(cov.columns), list(cov.index)
        if cols != rows:
            raise InvalidInputError("cov's index and columns must list the same assets in the same order")
        if names is not None and names != cols:
            raise InvalidInputError("mean's index and cov's columns must list the same assets in the same order")
        names = cols
    return names


def _weights(weights: Any, names: list[Any] | None) -> Any:
    """A pandas Series of weights put in the assets' order when they are labelled."""
    if names is not None and _is_pandas(weights) and hasattr(weights, "index"):
        labels = list(weights.index)
        if sorted(map(repr, labels)) != sorted(map(repr, names)) or len(labels) != len(names):
            raise InvalidInputError(f"weights' index must hold the assets {names}, got {labels}")
        return weights.reindex(names).to_numpy(dtype=np.float64)
    return weights.to_numpy(dtype=np.float64) if _is_pandas(weights) else weights


def _values(x: Any) -> Any:
    return x.to_numpy(dtype=np.float64) if _is_pandas(x) else x


def _options(distribution: Any, dof: Any, backend: Any, progress: Any) -> tuple[str, float | None, str]:
    if not isinstance(distribution, str):
        raise InvalidTypeError(f"distribution must be 'normal' or 'student_t', got {distribution!r}")
    if not isinstance(backend, str):
        raise InvalidTypeError(f"backend must be 'auto', 'cpu' or 'cuda', got {backend!r}")
    nu = None if dof is None else check_real(dof, "dof")
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise InvalidTypeError(f"progress must be a bool or a callable(done, total), got {progress!r}")
    return distribution, nu, backend


def _seed(seed: Any) -> int | None:
    return None if seed is None else check_int(seed, "seed", 0)


def monte_carlo_var(
    mean: Any,
    cov: Any,
    weights: Any,
    alpha: float = 0.05,
    num_scenarios: int = 1_000_000,
    horizon: float = 1,
    distribution: str = "normal",
    dof: float | None = None,
    seed: int | None = None,
    backend: str = "auto",
    progress: Progress = False,
    return_scenarios: bool = False,
) -> MonteCarloVaR:
    """Monte Carlo value at risk and conditional value at risk of a linear position.

    Each scenario draws every asset's return over the horizon, ``x = h·mean + √h·L z`` with
    ``L`` a (pivoted) Cholesky factor of ``cov`` and ``z`` standard normals (or the multivariate
    Student t with covariance ``cov``), then prices the position's loss ``-weights·x``. The
    scenarios are generated and reduced in chunks: only the loss vector (8 bytes a scenario) is
    held, unless ``return_scenarios=True``.

    Parameters
    ----------
    mean : array-like or pandas.Series, shape (n,)
        Expected one-period returns of the n assets.
    cov : array-like or pandas.DataFrame, shape (n, n)
        Their covariance: symmetric positive semi-definite (a singular one, e.g. with a redundant
        asset, is accepted).
    weights : array-like or pandas.Series, shape (n,)
        The position in each asset, as a fraction of the portfolio's value (a Series is aligned
        to ``mean``'s index).
    alpha : float, default 0.05
        Tail probability in (0, 1): 0.05 gives the 95% VaR.
    num_scenarios : int, default 1_000_000
        At least 2; the loss vector needs 8 bytes a scenario (``ResourceLimitError`` beyond memory).
    horizon : float, default 1
        Periods h > 0: the mean scales by h, the covariance by h.
    distribution : {"normal", "student_t"}
        ``"student_t"`` needs ``dof`` > 2 and scales the t so that its covariance is ``cov``.
    dof : float, optional
        Degrees of freedom of the Student t (refused for the normal).
    seed : int, optional
        Seed of the counter-based generator; ``None`` draws one (reported in the result).
    backend : {"auto", "cpu", "cuda"}
        ``"auto"`` uses the GPU for large runs when one is available; ``"cuda"`` raises
        ``BackendUnavailableError`` without one. Both give the same bits.
    progress : bool or callable, default False
        ``True`` shows a progress bar; a callable receives ``(done, total)`` scenarios.
    return_scenarios : bool, default False
        Keep the scenario matrix (num_scenarios × n) in the result.

    Returns
    -------
    MonteCarloVaR
        ``var``, ``cvar`` (positive = loss), their standard errors, the seed and the backend.

    Raises
    ------
    InvalidInputError
        Bad shapes, NaN or inf, ``alpha`` outside (0, 1), a covariance that is not symmetric or
        not positive semi-definite, a bad ``dof``, unknown options.
    BackendUnavailableError
        ``backend="cuda"`` without a usable GPU.
    ResourceLimitError
        The loss vector (or scenario matrix) does not fit in memory.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy import risk
    >>> r = risk.monte_carlo_var([0.0, 0.0], [[1e-4, 0.0], [0.0, 1e-4]], [0.5, 0.5],
    ...                          num_scenarios=200_000, seed=1)
    >>> abs(r.var - 1.6449 * np.sqrt(0.5e-4)) < 4 * r.var_stderr
    True
    """
    distribution, nu, backend = _options(distribution, dof, backend, progress)
    if not isinstance(return_scenarios, (bool, np.bool_)):
        raise InvalidTypeError(f"return_scenarios must be a bool, got {return_scenarios!r}")
    names = _assets(mean, cov)
    out = _native.mc_var(
        _values(mean),
        _values(cov),
        _weights(weights, names),
        alpha,
        num_scenarios,
        horizon,
        distribution,
        nu,
        _seed(seed),
        backend,
        progress if progress is not False else None,
        bool(return_scenarios),
    )
    return _result(out, alpha, horizon, distribution, nu)


def _result(out: dict[str, Any], alpha: Any, horizon: Any, distribution: str, nu: float | None) -> MonteCarloVaR:
    return MonteCarloVaR(
        var=out["var"],
        cvar=out["cvar"],
        var_stderr=out["var_stderr"],
        cvar_stderr=out["cvar_stderr"],
        num_scenarios=out["num_scenarios"],
        alpha=float(alpha),
        horizon=float(horizon),
        distribution=distribution,
        dof=nu,
        seed=out["seed"],
        backend=out["backend"],
        tail_count=out["tail_count"],
        scenarios=out.get("scenarios"),
    )


# --- one run cut into ranges of scenarios (quantumpanarchy.distributed) ----------------------

#: Ranges of scenarios simulated apart start at multiples of this (the tail's summation block).
SUM_BLOCK: int = _native.MC_SUM_CHUNK

#: What the tail statistics need of one range of scenarios (see ``src/risk/montecarlo/tail.rs``):
#: ``(first, count, below, max_below, kept losses, kept per block)``. A plain tuple: it is pickled
#: to and from Dask workers.
TailPart = tuple[int, int, int, float, FloatArray, npt.NDArray[np.uint64]]


def var_part(
    mean: Any,
    cov: Any,
    weights: Any,
    first: int,
    count: int,
    *,
    seed: int,
    alpha: float = 0.05,
    num_scenarios: int = 1_000_000,
    horizon: float = 1,
    distribution: str = "normal",
    dof: float | None = None,
    keep_all: bool = False,
) -> TailPart:
    """The tail part of scenarios ``first..first + count`` of the :func:`monte_carlo_var` run with
    these arguments, simulated on the CPU (``count=0`` checks the arguments only). ``first`` is a
    multiple of :data:`SUM_BLOCK`, and so is ``count`` unless the range ends the run."""
    distribution, nu, _ = _options(distribution, dof, "cpu", None)
    names = _assets(mean, cov)
    part: TailPart = _native.mc_var_part(
        _values(mean),
        _values(cov),
        _weights(weights, names),
        alpha,
        first,
        count,
        num_scenarios,
        horizon,
        distribution,
        nu,
        check_int(seed, "seed", 0),
        bool(keep_all),
    )
    return part


def var_from_parts(
    parts: list[TailPart],
    *,
    seed: int,
    alpha: float = 0.05,
    horizon: float = 1,
    distribution: str = "normal",
    dof: float | None = None,
) -> MonteCarloVaR | None:
    """The :func:`monte_carlo_var` result, bit for bit, of the run whose consecutive ranges are
    ``parts`` (made by :func:`var_part` with the same arguments); ``None`` when a part's bound left
    out a loss the statistics need: make the parts again with ``keep_all=True``."""
    distribution, nu, _ = _options(distribution, dof, "cpu", None)
    # arrays that came back from a Dask worker may be misaligned views of a message buffer
    aligned = [
        (*p[:4], np.require(p[4], np.float64, ["C", "A"]), np.require(p[5], np.uint64, ["C", "A"])) for p in parts
    ]
    out = _native.mc_var_merge(aligned, alpha)
    if out is None:
        return None
    out.update(num_scenarios=sum(p[1] for p in parts), seed=seed, backend="cpu")
    return _result(out, alpha, horizon, distribution, nu)


def simulate_returns(
    mean: Any,
    cov: Any,
    num_scenarios: int,
    horizon: float = 1,
    distribution: str = "normal",
    dof: float | None = None,
    seed: int | None = None,
    backend: str = "auto",
    progress: Progress = False,
) -> FloatArray:
    """The scenario matrix that :func:`monte_carlo_var` prices, bit for bit for the same seed.

    Parameters are those of :func:`monte_carlo_var`. With ``seed=None`` the scenarios are drawn
    from a fresh seed (pass a seed to repeat them, or to reproduce a ``monte_carlo_var`` run).

    Returns
    -------
    numpy.ndarray, shape (num_scenarios, n)
        Row i is scenario i's asset returns over the horizon.

    Raises
    ------
    InvalidInputError, BackendUnavailableError, ResourceLimitError
        As :func:`monte_carlo_var`; the matrix needs 8·n bytes a scenario.

    Examples
    --------
    >>> from quantumpanarchy import risk
    >>> x = risk.simulate_returns([0.0, 0.001], [[1e-4, 5e-5], [5e-5, 1e-4]], 1000, seed=3)
    >>> x.shape
    (1000, 2)
    """
    distribution, nu, backend = _options(distribution, dof, backend, progress)
    _assets(mean, cov)
    x, _ = _native.mc_simulate_returns(
        _values(mean),
        _values(cov),
        num_scenarios,
        horizon,
        distribution,
        nu,
        _seed(seed),
        backend,
        progress if progress is not False else None,
    )
    result: FloatArray = x
    return result
