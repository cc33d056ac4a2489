"""Bandits: logarithmic regret of UCB1 and Thompson sampling on Bernoulli arms (under Auer et
al.'s bound), linear regret of a fixed ε, LinUCB on linear rewards, seeds, the native and the
Python loop agreeing, pickling and bad input."""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.intelligence import UCB1, BanditRun, EpsilonGreedy, LinUCB, ThompsonSampling

MEANS = np.array([0.2, 0.4, 0.5, 0.6])
T = 20_000


def bernoulli_rewards(horizon: int, seed: int) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return (rng.random((horizon, len(MEANS))) < MEANS).astype(np.float64)


def auer_bound(horizon: int) -> float:
    """UCB1's regret bound (Auer, Cesa-Bianchi and Fischer 2002, theorem 1)."""
    gaps = MEANS.max() - MEANS[MEANS < MEANS.max()]
    return float(8 * math.log(horizon) * np.sum(1 / gaps) + (1 + math.pi**2 / 3) * gaps.sum())


def mean_regret(make: Any, horizon: int) -> float:
    return float(np.mean([make(s).run(bernoulli_rewards(horizon, 100 + s)).regret(MEANS)[-1] for s in range(3)]))


@pytest.mark.parametrize(
    "make",
    [lambda s: UCB1(4, seed=s), lambda s: ThompsonSampling(4, seed=s)],
    ids=["ucb1", "thompson"],
)
def test_regret_grows_logarithmically(make: Any) -> None:
    r1, r4 = mean_regret(make, T), mean_regret(make, 4 * T)
    assert r1 <= auer_bound(T) and r4 <= auer_bound(4 * T)
    assert r1 / math.log(T) < 60 and r4 / math.log(4 * T) < 60
    # from T to 4T, linear growth would add 3 r1; logarithmic adds r1 · ln 4 / ln T (0.14 r1)
    assert r4 - r1 < 0.6 * r1


def test_a_fixed_epsilon_keeps_paying_linear_regret() -> None:
    r1, r4 = (mean_regret(lambda s: EpsilonGreedy(4, epsilon=0.1, seed=s), h) for h in (T, 4 * T))
    mean_gap = float(np.mean(MEANS.max() - MEANS))
    assert r4 - r1 == pytest.approx(3 * T * 0.1 * mean_gap, rel=0.2)


def test_gaussian_thompson_finds_the_best_arm() -> None:
    rng = np.random.default_rng(1)
    means = np.array([0.0, 1.0, 0.5])
    rewards = means + rng.normal(size=(5_000, 3))
    bandit = ThompsonSampling(3, likelihood="gaussian", seed=2)
    run = bandit.run(rewards)
    assert bandit.counts[1] > 4_500
    assert run.regret(means)[-1] < 150
    assert bandit.values[1] == pytest.approx(1.0, abs=0.05)


def test_linucb_learns_linear_rewards() -> None:
    rng = np.random.default_rng(3)
    horizon, arms, d = 3_000, 3, 4
    theta = rng.normal(size=(arms, d))
    contexts = rng.normal(size=(horizon, d))
    rewards = contexts @ theta.T + 0.1 * rng.normal(size=(horizon, arms))
    lin = LinUCB(arms, d, alpha=0.5, seed=0)
    run = lin.run(contexts, rewards)
    best = (contexts @ theta.T).argmax(axis=1)
    assert np.mean(run.arms[-1000:] == best[-1000:]) > 0.95
    np.testing.assert_allclose(lin.theta, theta, atol=0.15)
    # per-arm contexts, one (arms, d) block per round
    per_arm = np.repeat(contexts[:, None, :], arms, axis=1)
    other = LinUCB(arms, d, alpha=0.5, seed=0).run(per_arm, rewards)
    np.testing.assert_array_equal(other.arms, run.arms)


def test_online_and_native_loops_agree() -> None:
    rewards = bernoulli_rewards(3_000, 7)
    for make in (
        lambda: UCB1(4, seed=5),
        lambda: ThompsonSampling(4, seed=5),
        lambda: EpsilonGreedy(4, epsilon=0.2, seed=5),
    ):
        native = make().run(rewards)
        rounds = iter(range(3_000))
        online = make().run(lambda arm, rounds=rounds: rewards[next(rounds), arm], horizon=3_000)
        np.testing.assert_array_equal(native.arms, online.arms)
        np.testing.assert_array_equal(native.rewards, online.rewards)


def test_seeds_reproduce_runs_and_pickles_continue_them() -> None:
    rewards = bernoulli_rewards(2_000, 8)
    a = ThompsonSampling(4, seed=11).run(rewards)
    b = ThompsonSampling(4, seed=11).run(rewards)
    c = ThompsonSampling(4, seed=12).run(rewards)
    np.testing.assert_array_equal(a.arms, b.arms)
    assert not np.array_equal(a.arms, c.arms)
    for bandit in (UCB1(4, seed=1), ThompsonSampling(4, seed=1), EpsilonGreedy(4, seed=1)):
        bandit.run(rewards[:1_000])
        twin = pickle.loads(pickle.dumps(bandit))
        np.testing.assert_array_equal(twin.counts, bandit.counts)
        np.testing.assert_array_equal(twin.run(rewards[1_000:]).arms, bandit.run(rewards[1_000:]).arms)
        assert type(bandit).__name__ in repr(twin)
    lin = LinUCB(2, 3, seed=0)
    x = np.ones(3)
    lin.update(lin.select(x), 1.0, x)
    twin_lin = pickle.loads(pickle.dumps(lin))
    np.testing.assert_array_equal(twin_lin.theta, lin.theta)


def test_select_update_counts_and_values() -> None:
    bandit = EpsilonGreedy(3, epsilon=0.0, seed=0)
    bandit.update(2, 1.0)
    bandit.update(2, 0.0)
    bandit.update(0, 0.25)
    np.testing.assert_array_equal(bandit.counts, [1, 0, 2])
    np.testing.assert_allclose(bandit.values, [0.25, 0.0, 0.5])
    assert bandit.select() == 2
    ucb = UCB1(3)
    assert [ucb.select() for _ in range(1)] == [0]  # untried arms first, in order
    run = BanditRun(np.array([0, 1]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(run.regret([0.5, 0.25]), [0.0, 0.25])
    assert run.total_reward == 1.0 and len(run) == 2


def test_bad_input_raises_the_projects_errors() -> None:
    for make in (
        lambda: UCB1(0),
        lambda: UCB1(3, c=-1.0),
        lambda: EpsilonGreedy(3, epsilon=1.5),
        lambda: EpsilonGreedy(3, epsilon=float("nan")),
        lambda: ThompsonSampling(3, alpha=0.0),
        lambda: ThompsonSampling(3, likelihood="poisson"),
        lambda: ThompsonSampling(3, likelihood="gaussian", sigma=-1.0),
        lambda: LinUCB(3, 0),
        lambda: LinUCB(3, 2, alpha=float("inf")),
        lambda: UCB1(3, seed=-5),
    ):
        with pytest.raises(InvalidInputError):
            make()
    with pytest.raises(InvalidTypeError):
        UCB1(2.5)  # type: ignore[arg-type]
    bandit = UCB1(3, seed=0)
    for arm in (3, -1, 2**70):
        with pytest.raises(InvalidInputError, match="arm"):
            bandit.update(arm, 1.0)
    with pytest.raises(InvalidInputError, match="finite"):
        bandit.update(0, float("nan"))
    with pytest.raises(InvalidInputError, match="shape"):
        bandit.run(np.zeros((10, 4)))
    with pytest.raises(InvalidInputError, match="finite"):
        bandit.run(np.full((10, 3), np.nan))
    with pytest.raises(InvalidInputError, match="horizon"):
        bandit.run(np.zeros((10, 3)), horizon=11)
    with pytest.raises(InvalidInputError, match="horizon"):
        bandit.run(lambda arm: 1.0)
    thompson = ThompsonSampling(2)
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        thompson.update(0, 1.5)
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        thompson.run(np.array([[0.0, 2.0]]))
    np.testing.assert_array_equal(thompson.counts, [0, 0])  # nothing was played
    lin = LinUCB(2, 3)
    with pytest.raises(InvalidInputError, match="context"):
        lin.select(np.ones(4))
    with pytest.raises(InvalidInputError, match="finite"):
        lin.select(np.array([1.0, np.nan, 0.0]))
    with pytest.raises(InvalidInputError, match="contexts"):
        lin.run(np.ones((5, 2)), np.zeros((5, 2)))


def test_sums_beyond_float_range_are_refused_and_change_nothing() -> None:
    bandit = EpsilonGreedy(2, seed=0)
    bandit.update(0, 1e308)
    with pytest.raises(InvalidInputError, match="float range"):
        bandit.update(0, 1e308)
    np.testing.assert_array_equal(bandit.counts, [1, 0])
    lin = LinUCB(2, 2, seed=0)
    with pytest.raises(InvalidInputError, match="overflow"):
        lin.update(0, 1e300, np.array([1e300, 1.0]))
    assert np.all(np.isfinite(lin.theta)) and lin.counts.sum() == 0
