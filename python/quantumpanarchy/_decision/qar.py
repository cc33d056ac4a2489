"""QAR: a Boltzmann machine of p-bits that turns market factors in [0, 1] into Buy / Sell / Hold.

The machine has one p-bit per factor and one decision p-bit (+1 = buy). A factor value f_i
becomes the field h_i = g_i (2 f_i - 1) + c_i on its p-bit; couplings W_i link each factor to the
decision unit (its vote) and J_ij link factors to each other. With the physics convention of
``quantumpanarchy.core``,

    E(x, d) = -Σ_i h_i x_i - Σ_{i<j} J_ij x_i x_j - d (b + Σ_i W_i x_i),   p ∝ exp(-β E),

and the thermal vote is the decision unit's magnetisation ⟨d⟩ = P(buy) - P(sell). See
``docs/decision-qar.md``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

# The native module has no stub of its own: its public face is this module's, in stubs/decision.pyi.
from .. import _async
from .._native import decision as _native
from ..exceptions import InvalidInputError
from ._estimator import Estimator, check_samples, real_array
from ._params import check_int, check_real, same

__all__ = ["QAR", "Action", "Decision"]

_PUBLIC = "quantumpanarchy.decision"
MAX_FACTORS, MAX_EXACT_FACTORS, AUTO_EXACT_FACTORS = _native.qar_limits()
FloatArray = npt.NDArray[np.float64]
# Factor values as real_array gave them: any real dtype, which the native code reads
# (float16/32/64 in place).
RealArray = npt.NDArray[Any]


class _Settings(NamedTuple):
    """QAR's parameters as :meth:`QAR._validate_params` checked them (all but the seed and the
    factor names)."""

    num_pbits: int
    energy_threshold: float
    beta: float
    num_samples: int
    burn_in: int
    exact: bool | None
    max_iter: int
    alpha: float
    tol: float


class Action(enum.Enum):
    """A trading decision. ``Action("BUY")``, ``Action(1)``, ``Action(-1)`` and ``Action(0)``
    also work (strings in any case; +1 buy, -1 sell, 0 hold)."""

    Buy = "buy"
    Sell = "sell"
    Hold = "hold"

    @property
    def signal(self) -> int:
        """+1 (buy), -1 (sell) or 0 (hold)."""
        return _SIGNALS[self]

    @classmethod
    def _missing_(cls, value: object) -> Action:
        """Case-insensitive names and the signals +1/-1/0; anything else raises
        InvalidInputError (a ValueError, as the enum's own error is) listing the valid actions."""
        if isinstance(value, str):
            key = value.strip().lower()
            found = next((a for a in cls if a.value == key), None)
            if found is not None:
                return found
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            if value in (1, -1, 0):
                return {1: cls.Buy, -1: cls.Sell, 0: cls.Hold}[int(value)]
        raise InvalidInputError(
            f"{_short_repr(value)} is not a valid Action: use 'buy', 'sell' or 'hold' (any case), "
            f"+1, -1 or 0, or Action.Buy/Sell/Hold"
        )


def _short_repr(value: object) -> str:
    """``repr(value)`` cut to 40 characters (an int of thousands of digits has no printable repr)."""
    try:
        text = repr(value)
    except ValueError:
        return f"a huge {type(value).__name__}"
    return text if len(text) <= 40 else text[:40] + "..."


_SIGNALS = {Action.Buy: 1, Action.Sell: -1, Action.Hold: 0}
_BY_SIGNAL = {1: Action.Buy, -1: Action.Sell, 0: Action.Hold}
# P(buy) each label asks of the machine: a Hold asks for an undecided vote.
_TARGETS = {Action.Buy: 1.0, Action.Sell: 0.0, Action.Hold: 0.5}


@dataclasses.dataclass(frozen=True, repr=False)
class Decision:
    """One decision of :class:`QAR`.

    ``confidence`` is the probability of the side the vote leans to, max(P(buy), P(sell)): for
    Buy and Sell the probability of the action taken (at least ``energy_threshold``), for Hold
    how close the stronger side came. ``energy`` is the thermal mean energy ⟨E⟩ of the machine
    (exact, or the mean over the sampled states), and ``contributions`` maps each factor to its
    evidence for buying in nats of log-odds (negative: for selling).
    """

    action: Action
    confidence: float
    reasoning: str
    energy: float
    probability_buy: float
    probability_sell: float
    contributions: dict[str, float] = dataclasses.field(hash=False)
    exact: bool

    @property
    def vote(self) -> float:
        """The decision unit's magnetisation ⟨d⟩ = P(buy) - P(sell), in [-1, 1]."""
        return self.probability_buy - self.probability_sell

    @property
    def signal(self) -> int:
        """+1 (buy), -1 (sell) or 0 (hold)."""
        return self.action.signal

    def to_dict(self) -> dict[str, Any]:
        """Plain types only: the action as its string value."""
        out = dataclasses.asdict(self)
        out["action"] = self.action.value
        out["contributions"] = dict(self.contributions)
        out["vote"] = self.vote
        return out

    def __repr__(self) -> str:
        return (
            f"Decision(action=Action.{self.action.name}, confidence={self.confidence:.4f}, "
            f"energy={self.energy:.4f}, reasoning={self.reasoning!r})"
        )


_FITTED = (
    "gains_",
    "biases_",
    "weights_",
    "couplings_",
    "decision_bias_",
    "n_features_in_",
    "feature_names_in_",
    "n_iter_",
    "converged_",
    "loss_curve_",
    "log_likelihood_",
    "prior_log_likelihood_",
    "exact_",
)


class QAR(Estimator):
    """Market-decision Boltzmann machine: factors in [0, 1] become p-bit fields, learned or default
    couplings link them, and the thermal vote of a decision p-bit says Buy, Sell or Hold.

    Action rule: Buy when P(buy) ≥ ``energy_threshold``, Sell when P(sell) = 1 - P(buy) ≥
    ``energy_threshold``, Hold otherwise (``energy_threshold`` in (0.5, 1]).

    Before :meth:`fit` the machine is the prior: every factor votes equally (W_i = 2/n, gain 2) and
    factors herd mildly (J_ij = 0.25/(n-1)), so all factors high gives Buy, all low Sell, all at
    0.5 Hold. :meth:`fit` learns gains, offsets, votes, factor couplings and the decision bias by
    maximum conditional likelihood.

    P(buy) is exact (enumeration of all 2^(n+1) states) when ``exact`` is True, and by default
    for up to 12 factors; otherwise it is estimated from ``num_samples`` p-bit Gibbs sweeps (after
    ``burn_in``) per machine of a ladder that clamps the decision unit from sell to buy, combined
    with Bennett's acceptance ratio. With a ``seed`` a decision depends on its factor values alone
    (not on the thread count or its place in a batch); ``seed=None`` draws fresh randomness.

    Fitting options: ``max_iter`` (L-BFGS iterations for exact fits, Adam steps for sampled ones),
    ``alpha`` (L2 pull towards the prior), ``tol`` (gradient tolerance of exact fits).
    ``factor_names`` names the factors (dicts, pandas Series and DataFrames are matched by name).

    For scikit-learn it is a classifier of three actions that predicts before any fit (the
    prior). The constructor and ``set_params`` store the parameters as given; they are checked
    when the machine is used.
    """

    # fitted attributes (present after fit)
    gains_: FloatArray
    biases_: FloatArray
    weights_: FloatArray
    couplings_: FloatArray
    decision_bias_: float
    n_features_in_: int
    feature_names_in_: npt.NDArray[np.object_]
    n_iter_: int
    converged_: bool | None
    loss_curve_: FloatArray
    log_likelihood_: float
    prior_log_likelihood_: float
    exact_: bool

    def __init__(
        self,
        num_pbits: int = 8,
        energy_threshold: float = 0.65,
        beta: float = 1.0,
        num_samples: int = 1000,
        seed: int | None = None,
        *,
        burn_in: int = 100,
        exact: bool | None = None,
        factor_names: Sequence[str] | None = None,
        max_iter: int = 200,
        alpha: float = 1e-2,
        tol: float = 1e-6,
    ) -> None:
        self.num_pbits = num_pbits
        self.energy_threshold = energy_threshold
        self.beta = beta
        self.num_samples = num_samples
        self.seed = seed
        self.burn_in = burn_in
        self.exact = exact
        self.factor_names = factor_names
        self.max_iter = max_iter
        self.alpha = alpha
        self.tol = tol

    # --- scikit-learn estimator protocol -------------------------------------------------

    def _sklearn_type(self) -> str:
        return "classifier"

    def __sklearn_is_fitted__(self) -> bool:
        """Always True: the prior machine decides before any fit (``check_is_fitted`` asks;
        whether ``fit`` has run is ``hasattr(self, "weights_")``)."""
        return True

    def __sklearn_tags__(self) -> Any:
        """Those of :class:`Estimator`; the prior machine predicts before any fit."""
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def _params_changed(self, old: dict[str, Any]) -> None:
        if not same(self.num_pbits, old["num_pbits"]):
            self._clear_fit()  # the fitted couplings no longer fit the machine

    def _validate_params(self) -> _Settings:
        """The parameters checked, as the native code takes them (a float holding a whole number
        becomes an int). The seed is passed on as given: the native code checks it, by the rule
        every other seed argument follows."""
        n = check_int(self.num_pbits, "num_pbits")
        if not 1 <= n <= MAX_FACTORS:
            raise InvalidInputError(f"num_pbits must be between 1 and {MAX_FACTORS}, got {n}")
        t = check_real(self.energy_threshold, "energy_threshold")
        if not 0.5 < t <= 1.0:
            raise InvalidInputError(
                f"energy_threshold must be in (0.5, 1] (the P(buy) or P(sell) needed to act), got {t}"
            )
        beta = check_real(self.beta, "beta")
        if not (math.isfinite(beta) and beta > 0):
            raise InvalidInputError(f"beta must be finite and positive, got {beta}")
        num_samples = check_int(self.num_samples, "num_samples")
        if num_samples < 1:
            raise InvalidInputError(f"num_samples must be at least 1, got {self.num_samples}")
        burn_in = check_int(self.burn_in, "burn_in")
        if burn_in < 0:
            raise InvalidInputError(f"burn_in must be non-negative, got {self.burn_in}")
        max_iter = check_int(self.max_iter, "max_iter")
        if max_iter < 1:
            raise InvalidInputError(f"max_iter must be at least 1, got {self.max_iter}")
        penalties = {}
        for name in ("alpha", "tol"):
            v = check_real(getattr(self, name), name)
            if not (math.isfinite(v) and v >= 0):
                raise InvalidInputError(f"{name} must be finite and non-negative, got {v}")
            penalties[name] = v
        if self.exact not in (None, True, False) or isinstance(self.exact, np.ndarray):
            raise InvalidInputError(f"exact must be True, False or None (automatic), got {self.exact!r}")
        if self.factor_names is not None:
            _check_names(self.factor_names, n, "factor_names")
        exact = None if self.exact is None else bool(self.exact)
        return _Settings(n, t, beta, num_samples, burn_in, exact, max_iter, penalties["alpha"], penalties["tol"])

    # --- the machine ----------------------------------------------------------------------

    def parameters(self) -> dict[str, Any]:
        """The machine's current parameters (the prior before :meth:`fit`): ``gains``,
        ``biases``, ``weights`` (factor-decision couplings), ``couplings`` (n×n factor-factor),
        ``decision_bias``. Copies."""
        machine = self._machine(self._validate_params().num_pbits)
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in machine.items()}

    def _machine(self, n: int) -> dict[str, Any]:
        """:meth:`parameters` for ``n`` checked factors, not copied (the native code only reads
        them): the fitted arrays themselves, or the prior."""
        state = dict(self.__dict__)  # one consistent snapshot, even while another thread fits
        if "gains_" in state:
            return {
                "gains": state["gains_"],
                "biases": state["biases_"],
                "weights": state["weights_"],
                "couplings": state["couplings_"],
                "decision_bias": float(state["decision_bias_"]),
            }
        prior: dict[str, Any] = _native.qar_prior(n)
        return prior

    @property
    def names(self) -> list[str]:
        """The factor names: ``factor_names``, else the columns :meth:`fit` saw, else
        ``factor_0``, ``factor_1``, ..."""
        return self._names(self._validate_params().num_pbits)

    def _names(self, n: int) -> list[str]:
        """:attr:`names` for ``n`` checked factors."""
        return self._known_names() or [f"factor_{i}" for i in range(n)]

    def _known_names(self) -> list[str] | None:
        if self.factor_names is not None:
            return [str(v) for v in self.factor_names]
        fitted = getattr(self, "feature_names_in_", None)
        return None if fitted is None else [str(v) for v in fitted]

    def decide(self, factors: Any, names: Sequence[str] | None = None) -> Decision:
        """The decision for one set of factor values in [0, 1]: a sequence or array of
        ``num_pbits`` values, a dict or pandas Series keyed by factor name."""
        settings = self._validate_params()
        if isinstance(factors, Mapping):
            names, factors = list(factors.keys()), list(factors.values())
        elif _is_series(factors):
            names, factors = [str(v) for v in factors.index], factors.to_numpy()
        values = real_array(factors, "factors")
        if values.ndim != 1:
            raise InvalidInputError(f"factors must be 1-D, got shape {values.shape}")
        if values.size == 0:
            raise InvalidInputError("factors must not be empty, got shape (0,)")
        x, columns = self._aligned(settings, values.reshape(1, -1), _column_names(names), "factors")
        return self._decisions(settings, x, columns, None)[0]

    def decide_batch(
        self, matrix: Any, names: Sequence[str] | None = None, *, progress: bool | Any = False
    ) -> list[Decision]:
        """Decisions for every row of an (m, num_pbits) matrix (array, nested lists or a pandas
        DataFrame whose columns name the factors), computed in parallel."""
        settings, x, columns = self._rows(matrix, "matrix", names)
        return self._decisions(settings, x, columns, progress)

    def predict(self, X: Any) -> Any:
        """Signals +1 (buy), -1 (sell), 0 (hold) as int8 for the rows of ``X`` (a pandas Series
        with ``X``'s index when ``X`` is a DataFrame)."""
        out = self._decide_rows(*self._rows(X, "X")[:2])
        return _like(X, out["signal"].astype(np.int8), "signal")

    def probability_buy(self, X: Any) -> Any:
        """P(buy) for the rows of ``X`` (a pandas Series with ``X``'s index for a DataFrame)."""
        out = self._decide_rows(*self._rows(X, "X")[:2])
        return _like(X, out["p_buy"], "probability_buy")

    def score(self, X: Any, y: Any) -> float:
        """Accuracy of :meth:`predict` against the labels ``y`` (Buy, Sell and Hold all count)."""
        settings, x, _ = self._rows(X, "X")
        t = _targets(y, x.shape[0])
        out = self._decide_rows(settings, x)
        return float(np.mean(out["signal"] == np.rint(2.0 * t - 1.0)))

    def log_likelihood(self, X: Any, y: Any) -> float:
        """Mean log-likelihood per row of the labels ``y``: t ln P(buy) + (1 - t) ln P(sell) with
        t = 1 (Buy), 0 (Sell), 1/2 (Hold), the quantity :meth:`fit` maximises."""
        settings, x, _ = self._rows(X, "X")
        t = _targets(y, x.shape[0])
        z = self._decide_rows(settings, x)["log_odds"]
        # ln P(buy) = -softplus(-z), ln P(sell) = -softplus(z)
        return float(-np.mean(t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)))

    def fit(self, history: Any, outcomes: Any, *, progress: bool | Any = False) -> QAR:
        """Learn the machine from ``history`` (an (m, num_pbits) matrix of factor values in
        [0, 1], or a DataFrame) and ``outcomes`` (m labels: :class:`Action` members, strings
        ``"buy"``/``"sell"``/``"hold"`` in any case, or +1 / -1 / 0). A Hold asks the machine for
        an undecided vote (P(buy) = 1/2). Starts from the prior every time; a failed call leaves
        the machine as it was."""
        settings = self._validate_params()
        if outcomes is None:
            raise InvalidInputError("QAR requires y to be passed, but the target y is None (the outcomes)")
        x, columns = _table(history, None, "history")
        x, names = self._aligned(settings, x, columns, "history")
        t = _targets(outcomes, x.shape[0])
        out = _native.qar_fit(
            x,
            t,
            settings.beta,
            settings.energy_threshold,
            settings.num_samples,
            settings.burn_in,
            settings.exact,
            settings.max_iter,
            settings.alpha,
            settings.tol,
            self.seed,
            progress,
        )
        fitted: dict[str, Any] = {
            "gains_": out["gains"],
            "biases_": out["biases"],
            "weights_": out["weights"],
            "couplings_": out["couplings"],
            "decision_bias_": float(out["decision_bias"]),
            "n_features_in_": settings.num_pbits,
            "n_iter_": int(out["n_iter"]),
            "converged_": out["converged"],
            "loss_curve_": out["loss_curve"],
            "log_likelihood_": float(out["log_likelihood"]),
            "prior_log_likelihood_": float(out["prior_log_likelihood"]),
            "exact_": bool(out["exact"]),
        }
        if columns is not None and self.factor_names is None:
            fitted["feature_names_in_"] = np.array(names, dtype=object)
        else:
            self.__dict__.pop("feature_names_in_", None)
        # one dict update: a thread deciding meanwhile sees the old machine or the new one
        self.__dict__.update(fitted)
        return self

    async def decide_async(self, factors: Any, names: Sequence[str] | None = None) -> Decision:
        """:meth:`decide` off the event loop (the native work releases the GIL)."""
        return await _async.to_thread(self.decide, factors, names)

    async def decide_batch_async(
        self, matrix: Any, names: Sequence[str] | None = None, *, progress: bool | Any = False
    ) -> list[Decision]:
        """:meth:`decide_batch` off the event loop."""
        return await _async.to_thread(self.decide_batch, matrix, names, progress=progress)

    async def fit_async(self, history: Any, outcomes: Any, *, progress: bool | Any = False) -> QAR:
        """:meth:`fit` off the event loop."""
        return await _async.to_thread(self.fit, history, outcomes, progress=progress)

    def _clear_fit(self) -> None:
        for name in _FITTED:
            self.__dict__.pop(name, None)

    # --- the internal path: parameters checked once per public call ---------------------------

    def _rows(self, X: Any, what: str, names: Sequence[str] | None = None) -> tuple[_Settings, RealArray, list[str]]:
        """The checked parameters, and ``X`` as a checked table in the machine's factor order with
        its factor names."""
        settings = self._validate_params()
        x, columns = _table(X, names, what)
        return (settings, *self._aligned(settings, x, columns, what))

    def _aligned(
        self, settings: _Settings, x: RealArray, columns: list[str] | None, what: str
    ) -> tuple[RealArray, list[str]]:
        """The columns of ``x`` (factor values in [0, 1]) reordered to the machine's factor order
        when both have names, and the names in that order."""
        n = settings.num_pbits
        if x.shape[1] != n:
            per_row = "values" if what == "factors" else "columns"
            raise InvalidInputError(f"{what} must have num_pbits ({n}) {per_row}, got {x.shape[1]}")
        known = self._known_names()
        if columns is None:
            names = known or self._names(n)
        else:
            _check_names(columns, n, f"names of {what}")
            names = columns if known is None else known
            if known is not None and columns != known:
                if sorted(columns) != sorted(known):
                    raise InvalidInputError(f"{what} names {columns} do not match the machine's factors {known}")
                x = x[:, [columns.index(k) for k in known]]
        _check_range(x, names, what)
        return x, names

    def _decide_rows(self, settings: _Settings, x: RealArray, progress: Any = False) -> dict[str, Any]:
        """The native decisions for the rows of ``x``, a table from :meth:`_aligned`."""
        p = self._machine(settings.num_pbits)
        out: dict[str, Any] = _native.qar_decide(
            p["gains"],
            p["biases"],
            p["weights"],
            p["couplings"],
            p["decision_bias"],
            x,
            settings.beta,
            settings.energy_threshold,
            settings.num_samples,
            settings.burn_in,
            settings.exact,
            self.seed,
            progress,
        )
        return out

    def _decisions(self, settings: _Settings, x: RealArray, names: list[str], progress: Any) -> list[Decision]:
        """:class:`Decision` objects for the rows of ``x``, a table from :meth:`_aligned`."""
        out = self._decide_rows(settings, x, progress)
        threshold = settings.energy_threshold
        decisions = []
        for k in range(len(out["p_buy"])):
            p = float(out["p_buy"][k])
            action = _BY_SIGNAL[int(out["signal"][k])]
            evidence = {name: float(e) for name, e in zip(names, out["evidence"][k], strict=True)}
            decisions.append(
                Decision(
                    action=action,
                    confidence=max(p, 1.0 - p),
                    reasoning=_reasoning(action, p, threshold, evidence),
                    energy=float(out["energy"][k]),
                    probability_buy=p,
                    probability_sell=1.0 - p,
                    contributions=evidence,
                    exact=bool(out["exact"]),
                )
            )
        return decisions


def _check_names(names: Any, n: int, what: str) -> None:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise InvalidInputError(f"{what} must be a sequence of {n} strings, got {type(names).__name__}")
    if len(names) != n:
        raise InvalidInputError(f"{what} must name num_pbits ({n}) factors, got {len(names)}")
    strings = [str(v) for v in names]
    if len(set(strings)) != n:
        raise InvalidInputError(f"{what} must be distinct, got {strings}")


def _is_series(x: Any) -> bool:
    return hasattr(x, "index") and hasattr(x, "to_numpy") and getattr(x, "ndim", 0) == 1


def _is_frame(x: Any) -> bool:
    return hasattr(x, "columns") and hasattr(x, "to_numpy") and getattr(x, "ndim", 0) == 2


def _column_names(names: Sequence[Any] | None) -> list[str] | None:
    return None if names is None else [str(c) for c in names]


def _table(x: Any, names: Sequence[str] | None, what: str) -> tuple[RealArray, list[str] | None]:
    """A 2-D real matrix (the caller's array where it is one) and its column names (a
    DataFrame's columns, or ``names``)."""
    columns = _column_names(names)
    if _is_frame(x):
        columns = columns or [str(c) for c in x.columns]
        x = x.to_numpy()
    arr = real_array(x, what)
    check_samples(arr, what, "QAR")
    return arr, columns


def _like(X: Any, values: Any, name: str) -> Any:
    """``values`` as a pandas Series on ``X``'s index when ``X`` is a DataFrame."""
    if _is_frame(X):
        import pandas as pd

        return pd.Series(values, index=X.index, name=name)
    return values


def _check_range(x: RealArray, names: list[str], what: str) -> None:
    bad = ~((x >= 0.0) & (x <= 1.0))  # NaN fails both comparisons
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise InvalidInputError(
            f"{what} must hold finite factor values in [0, 1]; {names[col]!r} is {x[row, col]} in row {row}"
        )


def _targets(outcomes: Any, m: int) -> FloatArray:
    """Labels as the P(buy) each asks for: Buy 1, Sell 0, Hold 1/2."""
    values = outcomes.to_numpy() if hasattr(outcomes, "to_numpy") else outcomes
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise InvalidInputError(f"outcomes must be a sequence of labels, got {type(outcomes).__name__}")
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.ndim != 1:
        raise InvalidInputError(f"outcomes must be 1-D, got shape {arr.shape}")
    if len(arr) != m:
        raise InvalidInputError(f"outcomes must have one label per row ({m}), got {len(arr)}")
    if arr.dtype.kind in "iuf":
        ok = np.isin(arr, (-1, 0, 1))
        if not ok.all():
            k = int(np.argmin(ok))
            raise InvalidInputError(f"numeric outcomes must be +1 (buy), -1 (sell) or 0 (hold); got {arr[k]} at {k}")
        return (np.asarray(arr, dtype=np.float64) + 1.0) / 2.0
    out = np.empty(m)
    for k, label in enumerate(arr.tolist()):
        try:
            action = label if isinstance(label, Action) else Action(label)
        except ValueError:
            raise InvalidInputError(
                f"unknown outcome {label!r} at position {k}; use Action.Buy/Sell/Hold, 'buy'/'sell'/'hold' or +1/-1/0"
            ) from None
        out[k] = _TARGETS[action]
    return out


def _reasoning(action: Action, p: float, threshold: float, evidence: dict[str, float]) -> str:
    if action is Action.Buy:
        head = f"Buy: P(buy) = {p:.3f} ≥ {threshold:g} (P(sell) = {1.0 - p:.3f})"
    elif action is Action.Sell:
        head = f"Sell: P(sell) = {1.0 - p:.3f} ≥ {threshold:g} (P(buy) = {p:.3f})"
    else:
        head = f"Hold: P(buy) = {p:.3f}, P(sell) = {1.0 - p:.3f}, neither reaches {threshold:g}"
    ranked = sorted(((v, k) for k, v in evidence.items() if abs(v) > 1e-9), key=lambda e: -abs(e[0]))
    if not ranked:
        return head + ". No factor leans either way."
    parts = [f"{name} {v:+.2f} ({'buy' if v > 0 else 'sell'})" for v, name in ranked[:3]]
    return head + ". Strongest factors (log-odds): " + ", ".join(parts) + "."


Action.__module__ = Decision.__module__ = QAR.__module__ = _PUBLIC
