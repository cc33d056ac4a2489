"""VaR backtests: Kupiec's and Christoffersen's statistics equal the likelihood ratios written out
here on fixed hit sequences, p-values equal scipy.stats.chi2.sf, the Basel traffic-light table,
edge cases (no exceptions, no transitions), and bad input."""

from __future__ import annotations

import itertools
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
from quantumpanarchy import risk
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

# a fixed hit sequence: 250 days, exceptions clustered
HITS = np.zeros(250, dtype=bool)
HITS[[3, 4, 50, 51, 52, 120, 200, 201, 240]] = True


def xlogy(a: float, b: float) -> float:
    return 0.0 if a == 0 else a * math.log(b)


def by_hand(hits: np.ndarray[Any, Any], alpha: float) -> dict[str, float]:
    h = [bool(v) for v in hits]
    n, x = len(h), sum(h)
    pof = -2 * (xlogy(n - x, 1 - alpha) + xlogy(x, alpha)) + 2 * (xlogy(n - x, 1 - x / n) + xlogy(x, x / n))
    t = {(i, j): 0 for i in (0, 1) for j in (0, 1)}
    for a, b in itertools.pairwise(h):
        t[int(a), int(b)] += 1
    n00, n01, n10, n11 = t[0, 0], t[0, 1], t[1, 0], t[1, 1]
    pi0 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi1 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    restricted = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    unrestricted = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1)
    ind = -2 * (restricted - unrestricted)
    return {"pof": pof, "ind": ind, "cc": pof + ind, "n00": n00, "n01": n01, "n10": n10, "n11": n11}


@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_kupiec_equals_hand_computation(alpha: float) -> None:
    want = by_hand(HITS, alpha)
    stat, p = risk.kupiec_test(HITS, alpha)
    assert stat == pytest.approx(want["pof"], rel=1e-12)
    assert p == pytest.approx(ss.chi2.sf(want["pof"], 1), rel=1e-10)
    r = risk.kupiec_test(HITS.astype(int).tolist(), alpha)
    assert (r.num_observations, r.num_exceptions) == (250, 9)
    assert r.statistic == stat


@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_christoffersen_equals_hand_computation(alpha: float) -> None:
    want = by_hand(HITS, alpha)
    r = risk.christoffersen_test(HITS, alpha)
    stat, p = r
    assert stat == pytest.approx(want["cc"], rel=1e-12)
    assert p == pytest.approx(ss.chi2.sf(want["cc"], 2), rel=1e-10)
    assert r.independence_statistic == pytest.approx(want["ind"], rel=1e-12)
    assert r.independence_pvalue == pytest.approx(ss.chi2.sf(want["ind"], 1), rel=1e-10)
    assert r.pof_statistic == pytest.approx(want["pof"], rel=1e-12)
    assert r.transitions == (want["n00"], want["n01"], want["n10"], want["n11"])
    assert r.pof_pvalue == pytest.approx(risk.kupiec_test(HITS, alpha).pvalue, rel=1e-15)


def test_zero_exceptions_and_missing_transitions_use_zero_log_zero() -> None:
    none = np.zeros(100, dtype=bool)
    stat, _ = risk.kupiec_test(none, 0.01)
    assert stat == pytest.approx(-2 * 100 * math.log(0.99), rel=1e-12)
    r = risk.christoffersen_test(none, 0.01)
    assert r.independence_statistic == 0.0 and r.statistic == pytest.approx(stat, rel=1e-12)
    single = np.zeros(100, dtype=bool)
    single[50] = True  # no 1 → 1 transition
    r = risk.christoffersen_test(single, 0.01)
    assert r.independence_statistic == pytest.approx(by_hand(single, 0.01)["ind"], rel=1e-12, abs=1e-14)
    every = np.ones(20, dtype=bool)
    assert math.isfinite(risk.kupiec_test(every, 0.05).statistic)
    assert math.isfinite(risk.christoffersen_test(every, 0.05).statistic)


def test_results_unpack_pickle_and_describe() -> None:
    r = risk.christoffersen_test(HITS, 0.05)
    assert len(r) == 2 and r[0] == r.statistic and r[1] == r.pvalue
    assert pickle.loads(pickle.dumps(r)) == r
    assert "independence_statistic" in r.to_dict() and "ChristoffersenResult(" in repr(r)
    k = risk.kupiec_test(HITS, 0.05)
    assert pickle.loads(pickle.dumps(k)) == k and tuple(k) == (k.statistic, k.pvalue)


def test_basel_traffic_light_table() -> None:
    zones = {k: risk.traffic_light(k, 250, 0.01) for k in range(0, 16)}
    assert all(zones[k] == "green" for k in range(0, 5))
    assert all(zones[k] == "yellow" for k in range(5, 10))
    assert all(zones[k] == "red" for k in range(10, 16))
    # the rule itself: cumulative binomial probability below 95% green, below 99.99% yellow
    for n, alpha in [(500, 0.01), (250, 0.05), (1000, 0.025)]:
        for k in range(0, 60):
            if k > n:
                break
            c = ss.binom.cdf(k, n, alpha)
            if abs(c - 0.95) < 1e-9 or abs(c - 0.9999) < 1e-9:
                continue
            want = "green" if c < 0.95 else "yellow" if c < 0.9999 else "red"
            assert risk.traffic_light(k, n, alpha) == want, (k, n, alpha)


def test_var_exceptions_build_hits() -> None:
    r = pd.Series([-0.03, 0.01, -0.01, -0.05])
    v = np.array([np.nan, 0.02, 0.02, 0.02])
    assert risk.var_exceptions(r, v).tolist() == [False, False, False, True]
    rng = np.random.default_rng(1)
    returns = rng.normal(0, 0.01, 3000)
    rolling = risk.rolling_var(returns, 250, 0.01)
    hits = risk.var_exceptions(returns[1:], rolling[:-1])[249:]
    assert risk.kupiec_test(hits, 0.01).pvalue > 0.001


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk.kupiec_test([], 0.05),
        lambda: risk.kupiec_test(np.array([], dtype=bool), 0.05),
        lambda: risk.kupiec_test([0, 1, 2], 0.05),
        lambda: risk.kupiec_test([0.0, np.nan], 0.05),
        lambda: risk.kupiec_test([0, 1], 0.0),
        lambda: risk.kupiec_test([0, 1], 1.5),
        lambda: risk.christoffersen_test([1], 0.05),
        lambda: risk.christoffersen_test([[0, 1]], 0.05),
        lambda: risk.traffic_light(-1),
        lambda: risk.traffic_light(300, 250),
        lambda: risk.traffic_light(3, 0),
        lambda: risk.traffic_light(3, 250, 0.0),
        lambda: risk.traffic_light(2**70, 2**80),
        lambda: risk.var_exceptions([0.1, 0.2], [0.1, 0.2, 0.3]),
    ],
)
def test_bad_input(call: Callable[[], Any]) -> None:
    with pytest.raises(InvalidInputError):
        call()


@pytest.mark.parametrize(
    "call",
    [lambda: risk.traffic_light(True), lambda: risk.traffic_light(2.5), lambda: risk.kupiec_test([0, 1], "0.05")],  # type: ignore[arg-type]
)
def test_bad_types(call: Callable[[], Any]) -> None:
    with pytest.raises((InvalidTypeError, InvalidInputError)):
        call()


def test_huge_hit_sequences_answer_ctrl_c() -> None:
    from interrupts import assert_interrupted

    hits = np.broadcast_to(np.array(True), (10**11,))
    assert_interrupted(lambda: risk.kupiec_test(hits, 0.05), "kupiec_test of 10**11 hits")
