"""Performance statistics against empyrical-reloaded (the anchor): the same numbers to 1e-10
relative on the 20 S&P 500 stocks of skfolio and on synthetic returns with NaNs, as 1-D per column,
as 2-D, and as a DataFrame (a Series keyed by the columns); shapes, NaN rules and bad input."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from quantumpanarchy import performance, risk
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

ep = pytest.importorskip("empyrical")
es = pytest.importorskip("empyrical.stats")

RTOL = 1e-10
# statistics of the returns alone, with empyrical's default arguments
UNARY = [
    "sharpe_ratio",
    "sortino_ratio",
    "downside_risk",
    "annual_volatility",
    "annual_return",
    "cum_returns_final",
    "max_drawdown",
    "calmar_ratio",
    "omega_ratio",
    "value_at_risk",
    "conditional_value_at_risk",
    "tail_ratio",
    "stability_of_timeseries",
]
# statistics against a benchmark
FACTOR = ["excess_sharpe", "alpha", "beta", "up_capture", "down_capture"]
# statistics aligned with the input
PATHS = ["cum_returns", "drawdown_series"]
ALL_20 = UNARY + FACTOR + PATHS


def close(ours: Any, theirs: Any, rtol: float = RTOL) -> float:
    """The largest relative difference, NaN matching NaN (and inf matching inf)."""
    a = np.asarray(ours, dtype=float)
    b = np.asarray(theirs, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    same = (np.isnan(a) & np.isnan(b)) | (a == b)
    assert np.array_equal(np.isnan(a), np.isnan(b)), (a, b)
    with np.errstate(invalid="ignore"):
        diff = np.where(same, 0.0, np.abs(a - b) / np.maximum(np.abs(b), 1e-300))
    worst = float(diff.max(initial=0.0))
    assert worst <= rtol, f"max relative difference {worst:.3g}"
    return worst


def empyrical_1d(name: str, x: npt.NDArray[np.float64], factor: Any = None, **kw: Any) -> float:
    f = getattr(es, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "stability_of_timeseries" and np.isnan(x).all() and len(x) >= 2:
            return float("nan")  # empyrical raises (scipy's linregress of nothing); documented NaN here
        return float(f(x, factor, **kw) if factor is not None else f(x, **kw))


@pytest.fixture(scope="module")
def sp500() -> pd.DataFrame:
    datasets = pytest.importorskip("skfolio.datasets")
    prices = datasets.load_sp500_dataset()
    returns: pd.DataFrame = prices.pct_change().dropna()
    return returns


@pytest.fixture(scope="module")
def nan_returns() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Synthetic returns with NaNs sprinkled in, a column of NaN, a column with one present value
    and a constant column; and a benchmark with a few NaNs."""
    rng = np.random.default_rng(7)
    x = rng.normal(0.0004, 0.012, (600, 8))
    x[rng.random(x.shape) < 0.05] = np.nan
    x[:, 5] = np.nan
    x[:, 6] = np.nan
    x[17, 6] = 0.01
    x[:, 7] = 0.002
    f = rng.normal(0.0003, 0.01, 600)
    f[rng.random(600) < 0.03] = np.nan
    return x, f


def ours(name: str, x: Any, factor: Any = None, **kw: Any) -> Any:
    f: Callable[..., Any] = getattr(risk, name)
    return f(x, factor, **kw) if factor is not None else f(x, **kw)


def test_twenty_statistics_are_exported() -> None:
    assert len(ALL_20) == 20
    for name in ALL_20:
        assert name in risk.__all__
        assert getattr(risk, name).__module__ == "quantumpanarchy.risk"


@pytest.mark.parametrize("name", UNARY)
def test_unary_statistics_equal_empyrical_on_sp500(name: str, sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()
    want = np.array([empyrical_1d(name, x[:, j]) for j in range(x.shape[1])])
    one_d = np.array([ours(name, x[:, j]) for j in range(x.shape[1])])
    close(one_d, want)
    close(ours(name, x), want)
    got = ours(name, sp500)
    assert isinstance(got, pd.Series) and list(got.index) == list(sp500.columns)
    close(got.to_numpy(), want)
    assert isinstance(ours(name, sp500.iloc[:, 0]), float)


@pytest.mark.parametrize("name", FACTOR)
def test_factor_statistics_equal_empyrical_on_sp500(name: str, sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()
    f = x.mean(axis=1)
    want = np.array([empyrical_1d(name, x[:, j], f) for j in range(x.shape[1])])
    close(np.array([ours(name, x[:, j], f) for j in range(x.shape[1])]), want)
    close(ours(name, x, f), want)
    got = ours(name, sp500, pd.Series(f, index=sp500.index))
    assert isinstance(got, pd.Series)
    close(got.to_numpy(), want)


@pytest.mark.parametrize("name", PATHS)
def test_paths_equal_empyrical_on_sp500(name: str, sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()
    close(ours(name, x), getattr(es, name)(x))
    got = ours(name, sp500)
    assert isinstance(got, pd.DataFrame) and got.index.equals(sp500.index) and got.columns.equals(sp500.columns)
    close(got.to_numpy(), getattr(es, name)(x))
    s = ours(name, sp500.iloc[:, 3])
    assert isinstance(s, pd.Series) and s.index.equals(sp500.index)
    close(s.to_numpy(), getattr(es, name)(x[:, 3]))


@pytest.mark.parametrize("name", UNARY)
def test_unary_statistics_follow_empyrical_nan_rules(name: str, nan_returns: Any) -> None:
    x, _ = nan_returns
    want = np.array([empyrical_1d(name, x[:, j]) for j in range(x.shape[1])])
    close(np.array([ours(name, x[:, j]) for j in range(x.shape[1])]), want)
    close(ours(name, x), want)


@pytest.mark.parametrize("name", FACTOR)
def test_factor_statistics_follow_empyrical_nan_rules(name: str, nan_returns: Any) -> None:
    x, f = nan_returns
    want = np.array([empyrical_1d(name, x[:, j], f) for j in range(x.shape[1])])
    close(ours(name, x, f), want)


@pytest.mark.parametrize("name", PATHS)
def test_paths_follow_empyrical_nan_rules(name: str, nan_returns: Any) -> None:
    x, _ = nan_returns
    close(ours(name, x), getattr(es, name)(x))


def test_nan_results_are_the_documented_ones(nan_returns: Any) -> None:
    x, _ = nan_returns
    # a column of NaN: no data for a mean or a deviation
    assert np.isnan(risk.sharpe_ratio(x)[5]) and np.isnan(risk.annual_volatility(x)[5])
    # one present value: no standard deviation
    assert np.isnan(risk.sharpe_ratio(x)[6])
    # NaN returns count as 0 in compounded paths: no drawdown, no growth
    assert risk.max_drawdown(x)[5] == 0.0 and risk.cum_returns_final(x)[5] == 0.0
    # constant returns: zero volatility gives inf, as empyrical's
    assert risk.sharpe_ratio(x)[7] == np.inf
    # value_at_risk is NaN for a column holding a NaN (np.percentile); CVaR drops them
    assert np.isnan(risk.value_at_risk(x)[0]) and np.isfinite(risk.conditional_value_at_risk(x)[0])
    # fewer than 2 rows
    assert np.isnan(risk.sharpe_ratio(np.array([0.01])))


def test_arguments_equal_empyrical(sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()[:, :4]
    rf = np.linspace(0.0, 0.0002, x.shape[0])
    for j in range(x.shape[1]):
        c = x[:, j]
        close(risk.sharpe_ratio(c, risk_free=0.0001, period="weekly"), es.sharpe_ratio(c, 0.0001, "weekly"))
        close(risk.sharpe_ratio(c, risk_free=rf), es.sharpe_ratio(c, rf))
        close(
            risk.sortino_ratio(c, required_return=0.0002, annualization=250), es.sortino_ratio(c, 0.0002, "daily", 250)
        )
        close(risk.downside_risk(c, required_return=rf, period="monthly"), es.downside_risk(c, rf, "monthly"))
        close(risk.annual_volatility(c, "quarterly", alpha=1.5), es.annual_volatility(c, "quarterly", 1.5))
        close(risk.annual_return(c, "yearly"), es.annual_return(c, "yearly"))
        close(risk.cum_returns_final(c, starting_value=100.0), es.cum_returns_final(c, 100.0))
        close(risk.calmar_ratio(c, annualization=12), es.calmar_ratio(c, annualization=12))
        close(risk.omega_ratio(c, 0.0001, 0.05, 252), es.omega_ratio(c, 0.0001, 0.05, 252))
        close(risk.omega_ratio(c, 0.0, 0.001, 1), es.omega_ratio(c, 0.0, 0.001, 1))
        assert np.isnan(risk.omega_ratio(c, required_return=-1.5))
        close(risk.value_at_risk(c, 0.01), es.value_at_risk(c, 0.01))
        close(risk.conditional_value_at_risk(c, 0.1), es.conditional_value_at_risk(c, 0.1))
        f = x[:, (j + 1) % 4]
        close(risk.alpha(c, f, risk_free=0.0001, period="weekly"), es.alpha(c, f, 0.0001, "weekly"))
        close(risk.up_capture(c, f, period="monthly"), es.up_capture(c, f, period="monthly"))
        close(risk.excess_sharpe(c, 0.0003), es.excess_sharpe(c, 0.0003))
        close(risk.cum_returns(c, starting_value=10.0), es.cum_returns(c, 10.0))


def test_two_dimensional_equals_empyrical_two_dimensional(sp500: pd.DataFrame) -> None:
    """Where empyrical takes a 2-D array itself, the arrays agree too."""
    x = sp500.to_numpy()
    for name in ["sharpe_ratio", "sortino_ratio", "downside_risk", "annual_volatility", "annual_return"]:
        close(ours(name, x), getattr(es, name)(x))
    close(risk.cum_returns_final(x), es.cum_returns_final(x))
    close(risk.max_drawdown(x), es.max_drawdown(x))
    f = x.mean(axis=1)
    close(risk.beta(x, f), es.beta(x, f))


def test_dataframe_gives_series_where_empyrical_gives_arrays(sp500: pd.DataFrame) -> None:
    # empyrical returns an ndarray for a DataFrame here; we return a Series keyed by the columns
    assert isinstance(es.sharpe_ratio(sp500), np.ndarray)
    got = risk.sharpe_ratio(sp500)
    assert isinstance(got, pd.Series) and got.index.equals(sp500.columns)
    close(got.to_numpy(), es.sharpe_ratio(sp500.to_numpy()))


def test_series_benchmark_is_aligned_by_index(sp500: pd.DataFrame) -> None:
    r = sp500.iloc[:, 0]
    f = sp500.iloc[:, 1]
    shuffled = f.sample(frac=1.0, random_state=0)
    close(risk.beta(r, shuffled), risk.beta(r.to_numpy(), f.to_numpy()))
    close(risk.beta(r, shuffled), es.beta(r, shuffled))


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.astype(np.float32),
        lambda a: a.astype(np.float16),
        np.asfortranarray,
        lambda a: np.repeat(a, 2, axis=1)[:, ::2],
        lambda a: a.tolist(),
        lambda a: a.astype(np.int64),
    ],
    ids=["float32", "float16", "fortran", "strided", "list", "int64"],
)
def test_any_layout_and_dtype(convert: Callable[[Any], Any]) -> None:
    rng = np.random.default_rng(3)
    a = np.round(rng.normal(0.0, 0.02, (300, 5)), 3) if convert is not None else None
    assert a is not None
    converted = convert(a)
    reference = np.asarray(converted, dtype=np.float64)
    for name in ["sharpe_ratio", "max_drawdown", "tail_ratio", "stability_of_timeseries"]:
        close(ours(name, converted), ours(name, np.ascontiguousarray(reference)), rtol=0)
    close(risk.drawdown_series(converted), risk.drawdown_series(np.ascontiguousarray(reference)), rtol=0)


@pytest.mark.parametrize("cols", [1, 3, 5, 8, 13, 64, 69, 131])
def test_layouts_give_the_same_bits(cols: int) -> None:
    """C-ordered returns are read in place by panels of 64 columns (8-lane groups); F-ordered and
    strided ones are read per column, and a short last group goes column by column or padded:
    every layout and width gives the same bits, columns all NaN included, and the path
    statistics come back in the returns' memory order."""
    rng = np.random.default_rng(cols)
    c = rng.normal(0.0003, 0.015, (700, cols))
    c[rng.random(c.shape) < 0.01] = np.nan
    c[:, cols // 2] = np.nan
    f = np.asfortranarray(c)
    strided = np.repeat(c, 2, axis=1)[:, ::2]
    bench = rng.normal(0.0003, 0.01, 700)
    for name in UNARY + FACTOR:
        args = (bench,) if name in FACTOR else ()
        want = getattr(risk, name)(c, *args)
        for other in (f, strided):
            assert np.array_equal(getattr(risk, name)(other, *args), want, equal_nan=True), name
        for j in (0, cols // 2, cols - 1):
            one = getattr(risk, name)(np.ascontiguousarray(c[:, j]), *args)
            assert np.array_equal(one, want[j], equal_nan=True), (name, j)
    for name in PATHS:
        want = getattr(risk, name)(c)
        assert want.flags.c_contiguous
        got = getattr(risk, name)(f)
        assert got.flags.f_contiguous
        assert np.array_equal(got, want, equal_nan=True), name
        assert np.array_equal(getattr(risk, name)(strided), want, equal_nan=True), name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            close(want, getattr(es, name)(c))
    bad = c.copy()
    bad[123, cols - 1] = -np.inf
    at = "returns[123]" if cols == 1 else f"returns[123,{cols - 1}]"
    for name in ["sharpe_ratio", "beta", "tail_ratio", "drawdown_series"]:
        for x in (bad, np.asfortranarray(bad)):
            with pytest.raises(InvalidInputError, match=at.replace("[", r"\[")):
                getattr(risk, name)(x, *((bench,) if name in FACTOR else ()))


def test_threads_do_not_change_results(sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()
    results = []
    for n in (1, 2):
        performance.set_num_threads(n)
        results.append([ours(name, x) for name in UNARY])
    performance.set_num_threads(0)
    for a, b in zip(*results, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk.sharpe_ratio(np.zeros(0)),
        lambda: risk.sharpe_ratio(np.zeros((0, 3))),
        lambda: risk.sharpe_ratio([]),
        lambda: risk.sharpe_ratio(np.zeros((2, 2, 2))),
        lambda: risk.sharpe_ratio(np.array([0.01, np.inf])),
        lambda: risk.max_drawdown(np.array([[0.01, -np.inf]])),
        lambda: risk.sharpe_ratio(np.full(4, 1e308)),
        lambda: risk.annual_return(np.full(1000, 10.0)),
        lambda: risk.sharpe_ratio(np.zeros(4), period="hourly"),
        lambda: risk.sharpe_ratio(np.zeros(4), annualization=0),
        lambda: risk.sharpe_ratio(np.zeros(4), annualization=float("nan")),
        lambda: risk.sharpe_ratio(np.zeros(4), risk_free=10**400),
        lambda: risk.sharpe_ratio(np.zeros(4), risk_free=float("nan")),
        lambda: risk.sharpe_ratio(np.zeros(4), risk_free=np.zeros(3)),
        lambda: risk.sharpe_ratio(np.zeros((4, 2)), risk_free=np.zeros((4, 3))),
        lambda: risk.beta(np.zeros(4), np.zeros(5)),
        lambda: risk.value_at_risk(np.zeros(4), cutoff=1.5),
        lambda: risk.sharpe_ratio(np.array(["a", "b"])),
        lambda: risk.sharpe_ratio(np.array([1 + 1j, 2j])),
        lambda: risk.sharpe_ratio([[0.1], [0.1, 0.2]]),
        lambda: risk.sharpe_ratio(np.broadcast_to(np.nan, (3, 10**5))[:, :0]),
    ],
)
def test_bad_input_raises_invalid_input(call: Callable[[], Any]) -> None:
    with pytest.raises(InvalidInputError):
        call()


@pytest.mark.parametrize("layout", ["1-D", "C", "F", "short group"])
def test_stability_refuses_a_total_loss(layout: str) -> None:
    """A return of -100% (or less) makes the cumulative log return non-finite: an error naming
    it, from the row-wise kernel (C, F) and the column path (1-D, a short last group) alike."""
    x = np.random.default_rng(3).normal(0.0005, 0.01, (300, 19))
    x[40, [3, 17]] = -1.0  # column 3 in a full group of 8 (the kernel), 17 in the short last one
    x[41, [3, 17]] = 0.02
    arrays = {"1-D": x[:, 17], "C": x, "F": np.asfortranarray(x), "short group": x[:, 16:]}
    with pytest.raises(InvalidInputError, match="-100%"):
        risk.stability_of_timeseries(arrays[layout])


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk.sharpe_ratio(np.zeros(4), risk_free=True),
        lambda: risk.sharpe_ratio(np.zeros(4), risk_free="0.1"),
        lambda: risk.sharpe_ratio(np.zeros(4), period=3),  # type: ignore[arg-type]
        lambda: risk.annual_volatility(np.zeros(4), alpha="2"),  # type: ignore[arg-type]
        lambda: risk.beta(np.zeros(4), None),
        lambda: risk.beta(np.zeros(4), 0.01),
    ],
)
def test_bad_types_raise_invalid_type(call: Callable[[], Any]) -> None:
    with pytest.raises((InvalidTypeError, InvalidInputError)):
        call()


def test_huge_broadcast_input_is_refused_or_interruptible() -> None:
    """A 10**9-row broadcast view is read in place; a path of it would need 8 GB: refused."""
    from quantumpanarchy.exceptions import ResourceLimitError

    with pytest.raises((ResourceLimitError, InvalidInputError)):
        risk.drawdown_series(np.broadcast_to(0.0, (10**5, 10**5)))


def test_sharpe_ctrl_c_on_a_huge_view() -> None:
    from interrupts import assert_interrupted

    big = np.broadcast_to(0.001, (10**5, 10**5))
    assert_interrupted(lambda: risk.sharpe_ratio(big), "sharpe_ratio of 10**10 values")
    assert np.isfinite(risk.sharpe_ratio(np.array([0.01, 0.02, -0.01])))
