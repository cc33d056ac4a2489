"""Monte Carlo VaR and CVaR (quantumpanarchy.risk.monte_carlo_var, simulate_returns).

Evidence:
* VaR and CVaR converge to the Gaussian closed form (VaR = -mu_p + sigma_p z, CVaR = -mu_p +
  sigma_p phi(z)/alpha) within 4 standard errors, for several seeds, levels, horizons and asset
  counts, and to the Student-t closed form for distribution="student_t".
* The reported standard errors match the spread of the estimates over independent seeds.
* The same seed gives the same bits on 1 and 2 threads; simulate_returns gives the scenarios the
  VaR priced, and a numpy recomputation from them (loss, np.quantile, tail mean) gives the same VaR
  bit for bit and the same CVaR to 1e-12.
* Bad inputs raise the project's exceptions; Ctrl-C interrupts 10**8 scenarios promptly.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from interrupts import assert_interrupted
from quantumpanarchy import performance, risk
from quantumpanarchy.exceptions import (
    BackendUnavailableError,
    InvalidInputError,
    InvalidTypeError,
    ResourceLimitError,
)
from quantumpanarchy.performance import backend_info
from scipy import stats

FloatArray = npt.NDArray[np.float64]
CUDA_AVAILABLE = bool(backend_info()["cuda"]["available"])


def market(n: int, seed: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A mean, a correlated covariance and weights (some short) for n assets."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n + 3)) * 0.01
    cov = a @ a.T / (n + 3)
    mean = rng.normal(0.0005, 0.0005, size=n)
    weights = rng.uniform(-0.2, 1.0, size=n)
    return mean, cov, weights / weights.sum()


def gaussian(mean: FloatArray, cov: FloatArray, w: FloatArray, alpha: float, h: float) -> tuple[float, float]:
    mu = h * (w @ mean)
    sd = np.sqrt(h * (w @ cov @ w))
    z = stats.norm.ppf(1 - alpha)
    return float(-mu + sd * z), float(-mu + sd * stats.norm.pdf(z) / alpha)


@pytest.mark.parametrize(
    ("n", "seed", "alpha", "horizon"),
    [(1, 1, 0.05, 1), (2, 2, 0.01, 10), (5, 3, 0.05, 1), (20, 4, 0.025, 5), (20, 5, 0.1, 0.5)],
)
def test_normal_converges_to_the_closed_form(n: int, seed: int, alpha: float, horizon: float) -> None:
    mean, cov, w = market(n, seed)
    r = risk.monte_carlo_var(mean, cov, w, alpha=alpha, num_scenarios=400_000, horizon=horizon, seed=seed)
    var, cvar = gaussian(mean, cov, w, alpha, horizon)
    assert abs(r.var - var) < 4 * r.var_stderr, (r.var, var, r.var_stderr)
    assert abs(r.cvar - cvar) < 4 * r.cvar_stderr, (r.cvar, cvar, r.cvar_stderr)
    # the errors are small: about a percent of the values at 4e5 scenarios
    assert r.var_stderr < 0.01 * abs(var) and r.cvar_stderr < 0.01 * abs(cvar)
    assert r.num_scenarios == 400_000 and r.backend in ("cpu", "cuda")


@pytest.mark.parametrize(("dof", "alpha", "seed"), [(3.5, 0.05, 1), (5.0, 0.01, 2), (12.0, 0.05, 3)])
def test_student_t_converges_to_the_closed_form(dof: float, alpha: float, seed: int) -> None:
    mean, cov, w = market(4, seed)
    h = 2.0
    r = risk.monte_carlo_var(
        mean, cov, w, alpha=alpha, num_scenarios=400_000, horizon=h, distribution="student_t", dof=dof, seed=seed
    )
    # w·x = h w·mu + sqrt(h) sqrt(w' S w) T_nu with S = cov (nu - 2) / nu
    mu = h * (w @ mean)
    s = np.sqrt(h * (w @ cov @ w) * (dof - 2) / dof)
    t = stats.t.ppf(1 - alpha, dof)
    var = -mu + s * t
    cvar = -mu + s * stats.t.pdf(t, dof) / alpha * (dof + t * t) / (dof - 1)
    assert abs(r.var - var) < 4 * r.var_stderr, (r.var, var, r.var_stderr)
    assert abs(r.cvar - cvar) < 4 * r.cvar_stderr, (r.cvar, cvar, r.cvar_stderr)
    # the scenarios have the requested covariance
    x = risk.simulate_returns(mean, cov, 200_000, horizon=h, distribution="student_t", dof=dof, seed=seed)
    np.testing.assert_allclose(np.cov(x, rowvar=False), h * cov, rtol=0.1, atol=0.05 * h * cov.max())


def test_standard_errors_match_the_spread_over_seeds() -> None:
    mean, cov, w = market(5, 7)
    runs = [risk.monte_carlo_var(mean, cov, w, num_scenarios=20_000, seed=s) for s in range(40)]
    var_sd = np.std([r.var for r in runs], ddof=1)
    cvar_sd = np.std([r.cvar for r in runs], ddof=1)
    var_se = np.mean([r.var_stderr for r in runs])
    cvar_se = np.mean([r.cvar_stderr for r in runs])
    # 40 replicates: the sample SD is within about ±25% of the truth at 2 sigma
    assert 0.6 < var_sd / var_se < 1.5, (var_sd, var_se)
    assert 0.6 < cvar_sd / cvar_se < 1.5, (cvar_sd, cvar_se)


@pytest.mark.parametrize("distribution", ["normal", "student_t"])
def test_same_bits_on_one_and_two_threads(restore_threads: None, distribution: str) -> None:
    mean, cov, w = market(20, 11)
    dof = 4.0 if distribution == "student_t" else None
    kw: dict[str, Any] = dict(num_scenarios=300_001, seed=99, backend="cpu", distribution=distribution, dof=dof)
    out = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        r = risk.monte_carlo_var(mean, cov, w, return_scenarios=True, **kw)
        x = risk.simulate_returns(mean, cov, **kw)
        out.append((r, x))
    (r1, x1), (r2, x2) = out
    assert r1 == r2
    assert r1.var.hex() == r2.var.hex() and r1.cvar_stderr.hex() == r2.cvar_stderr.hex()
    assert r1.scenarios is not None
    assert np.array_equal(x1, x2) and np.array_equal(r1.scenarios, x1)


def test_numpy_recomputation_from_the_scenarios() -> None:
    mean, cov, w = market(20, 12)
    for alpha in (0.05, 0.01, 0.3):
        r = risk.monte_carlo_var(mean, cov, w, alpha=alpha, num_scenarios=100_000, seed=5, horizon=3)
        x = risk.simulate_returns(mean, cov, 100_000, seed=5, horizon=3)
        # the engine's loss: -(sum over assets in order of w_a x_a), elementwise (bit for bit)
        acc = np.zeros(len(x))
        for a in range(x.shape[1]):
            acc = acc + w[a] * x[:, a]
        loss = -acc
        var = np.quantile(loss, 1 - alpha)
        assert var == r.var
        tail = loss[loss >= var]
        assert len(tail) == r.tail_count
        assert abs(tail.mean() - r.cvar) <= 1e-12 * abs(r.cvar)
        # BLAS's order of summation changes the last bits only
        var_blas = np.quantile(-(x @ w), 1 - alpha)
        assert abs(var_blas - r.var) <= 1e-12 * abs(r.var)


def test_scenarios_follow_the_model() -> None:
    mean, cov, _ = market(3, 2)
    x = risk.simulate_returns(mean, cov, 400_000, horizon=2.0, seed=1)
    assert x.shape == (400_000, 3) and x.dtype == np.float64
    np.testing.assert_allclose(x.mean(axis=0), 2 * mean, atol=4 * np.sqrt(2 * np.diag(cov) / 400_000).max())
    np.testing.assert_allclose(np.cov(x, rowvar=False), 2 * cov, rtol=0.02, atol=0.01 * 2 * cov.max())
    # scenario i does not depend on how many are drawn
    assert np.array_equal(risk.simulate_returns(mean, cov, 1000, horizon=2.0, seed=1), x[:1000])


def test_singular_covariance_is_accepted() -> None:
    mean, cov, _ = market(3, 3)
    # a fourth asset that is the sum of the first two, and a fifth without risk
    t = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=float)
    big_cov = t @ cov @ t.T
    big_mean = np.append(t[:4] @ mean, 0.0001)
    w5 = np.array([0.2, 0.2, 0.2, 0.2, 0.2])
    r = risk.monte_carlo_var(big_mean, big_cov, w5, num_scenarios=200_000, seed=4)
    var, cvar = gaussian(big_mean, big_cov, w5, 0.05, 1)
    assert abs(r.var - var) < 4 * r.var_stderr and abs(r.cvar - cvar) < 4 * r.cvar_stderr
    x = risk.simulate_returns(big_mean, big_cov, 1000, seed=4)
    np.testing.assert_allclose(x[:, 3], x[:, 0] + x[:, 1] + (big_mean[3] - big_mean[0] - big_mean[1]), atol=1e-15)
    assert np.all(x[:, 4] == 0.0001)
    # no risk at all: VaR is minus the mean return, exactly, with zero standard errors
    z = risk.monte_carlo_var([0.01, 0.02], np.zeros((2, 2)), [0.5, 0.5], num_scenarios=1000, seed=1)
    assert (z.var, z.cvar, z.var_stderr, z.cvar_stderr) == (-0.015, -0.015, 0.0, 0.0)


def test_result_object() -> None:
    mean, cov, w = market(2, 1)
    r = risk.monte_carlo_var(mean, cov, w, num_scenarios=10_000, seed=3)
    assert type(r).__module__ == "quantumpanarchy.risk" and type(r).__name__ == "MonteCarloVaR"
    assert pickle.loads(pickle.dumps(r)) == r
    d = r.to_dict()
    assert d["var"] == r.var and d["seed"] == 3 and d["scenarios"] is None and d["num_scenarios"] == 10_000
    assert "var=" in repr(r) and " scenarios=" not in repr(r)
    with pytest.raises(AttributeError):
        r.var = 1.0  # type: ignore[misc]
    # seed=None draws a seed, reported so the run can be repeated
    a = risk.monte_carlo_var(mean, cov, w, num_scenarios=10_000)
    assert risk.monte_carlo_var(mean, cov, w, num_scenarios=10_000, seed=a.seed) == a
    assert risk.monte_carlo_var(mean, cov, w, num_scenarios=10_000, seed=4) != r


def test_inputs_of_every_kind() -> None:
    pd = pytest.importorskip("pandas")
    mean, cov, w = market(3, 8)
    ref = risk.monte_carlo_var(mean, cov, w, num_scenarios=20_000, seed=2)
    names = ["a", "b", "c"]
    m_s, c_df = pd.Series(mean, index=names), pd.DataFrame(cov, index=names, columns=names)
    w_s = pd.Series(w[::-1], index=names[::-1])  # aligned by label
    assert risk.monte_carlo_var(m_s, c_df, w_s, num_scenarios=20_000, seed=2) == ref
    assert risk.monte_carlo_var(list(mean), cov.tolist(), tuple(w), num_scenarios=20_000, seed=2) == ref
    assert risk.monte_carlo_var(mean, np.asfortranarray(cov), w, num_scenarios=20_000, seed=2) == ref
    f32 = risk.monte_carlo_var(mean.astype(np.float32), cov.astype(np.float32), w, num_scenarios=20_000, seed=2)
    assert abs(f32.var - ref.var) < 1e-3 * abs(ref.var)
    with pytest.raises(InvalidInputError, match="same assets"):
        risk.monte_carlo_var(m_s, pd.DataFrame(cov, index=names, columns=["a", "c", "b"]), w, seed=1)


def test_progress_reports_every_scenario() -> None:
    mean, cov, w = market(2, 1)
    seen: list[tuple[int, int]] = []
    risk.monte_carlo_var(mean, cov, w, num_scenarios=50_000, seed=1, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (50_000, 50_000)


def test_bad_inputs() -> None:
    mean, cov, w = market(3, 1)
    mc = risk.monte_carlo_var
    with pytest.raises(InvalidInputError, match=r"not positive semi-definite.*smallest eigenvalue"):
        mc([0, 0], [[1.0, 2.0], [2.0, 1.0]], [0.5, 0.5])
    with pytest.raises(InvalidInputError, match="symmetric"):
        mc([0, 0], [[1.0, 0.5], [0.2, 1.0]], [0.5, 0.5])
    with pytest.raises(InvalidInputError, match="shape"):
        mc(mean, cov[:2], w)
    with pytest.raises(InvalidInputError, match="weights"):
        mc(mean, cov, w[:2])
    bad = cov.copy()
    bad[1, 2] = np.nan
    with pytest.raises(InvalidInputError, match=r"cov\[1,2\] is NaN"):
        mc(mean, bad, w)
    with pytest.raises(InvalidInputError, match="mean"):
        mc([np.inf, 0, 0], cov, w)
    for alpha in (0.0, 1.0, -0.1, np.nan):
        with pytest.raises(InvalidInputError, match="alpha"):
            mc(mean, cov, w, alpha=alpha)
    with pytest.raises(InvalidInputError, match="num_scenarios"):
        mc(mean, cov, w, num_scenarios=1)
    with pytest.raises(InvalidInputError):
        mc(mean, cov, w, num_scenarios=2**70)
    with pytest.raises(InvalidInputError, match="horizon"):
        mc(mean, cov, w, horizon=0)
    with pytest.raises(InvalidInputError, match="dof"):
        mc(mean, cov, w, distribution="student_t")
    with pytest.raises(InvalidInputError, match="dof"):
        mc(mean, cov, w, distribution="student_t", dof=2.0)
    with pytest.raises(InvalidInputError, match="dof"):
        mc(mean, cov, w, dof=5.0)
    with pytest.raises(InvalidInputError, match="distribution"):
        mc(mean, cov, w, distribution="cauchy")
    with pytest.raises(InvalidInputError, match="backend"):
        mc(mean, cov, w, backend="tpu")
    with pytest.raises(InvalidInputError, match="bool"):
        mc(mean, cov, w, num_scenarios=True)
    with pytest.raises(InvalidTypeError):
        mc(mean, cov, w, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        mc(mean, cov, w, seed=-1)
    with pytest.raises(InvalidTypeError):
        mc(mean, cov, w, return_scenarios="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="non-finite loss"):
        mc([1e308, 1e308], np.eye(2), [1e10, 1e10], num_scenarios=100)


def test_memory_limit_is_an_error_with_the_estimate() -> None:
    mean, cov, w = market(2, 1)
    with pytest.raises(ResourceLimitError, match=r"loss vector of 1000000000000 scenarios needs 7450\.6 GiB"):
        risk.monte_carlo_var(mean, cov, w, num_scenarios=10**12, backend="cpu")
    with pytest.raises(ResourceLimitError, match="scenario matrix"):
        risk.simulate_returns(mean, cov, 10**12, backend="cpu")


@pytest.mark.skipif(CUDA_AVAILABLE, reason="a CUDA device is present")
def test_cuda_without_a_device() -> None:
    mean, cov, w = market(2, 1)
    with pytest.raises(BackendUnavailableError):
        risk.monte_carlo_var(mean, cov, w, num_scenarios=1000, backend="cuda")
    assert risk.monte_carlo_var(mean, cov, w, num_scenarios=10**6, seed=1).backend == "cpu"


def test_ctrl_c_interrupts_10_8_scenarios() -> None:
    mean, cov, w = market(20, 1)
    assert_interrupted(
        lambda: risk.monte_carlo_var(mean, cov, w, num_scenarios=10**8, seed=1, backend="cpu"), "monte_carlo_var"
    )
    assert_interrupted(
        lambda: risk.monte_carlo_var(
            mean, cov, w, num_scenarios=10**8, seed=1, backend="cpu", distribution="student_t", dof=5
        ),
        "monte_carlo_var student_t",
    )
    # still works afterwards
    assert risk.monte_carlo_var(mean, cov, w, num_scenarios=1000, seed=1).num_scenarios == 1000


@pytest.mark.cuda
@pytest.mark.skipif(not CUDA_AVAILABLE, reason="no CUDA device available")
@pytest.mark.parametrize("distribution", ["normal", "student_t"])
def test_gpu_gives_the_cpu_bits(distribution: str) -> None:
    mean, cov, w = market(20, 13)
    dof = 5.0 if distribution == "student_t" else None
    kw: dict[str, Any] = dict(num_scenarios=3_000_001, seed=17, distribution=distribution, dof=dof)
    cpu = risk.monte_carlo_var(mean, cov, w, backend="cpu", **kw)
    gpu = risk.monte_carlo_var(mean, cov, w, backend="cuda", **kw)
    assert gpu.backend == "cuda" and cpu.backend == "cpu"
    assert dataclass_values(gpu) == dataclass_values(cpu)
    x_cpu = risk.simulate_returns(mean, cov, 100_000, seed=3, backend="cpu", distribution=distribution, dof=dof)
    x_gpu = risk.simulate_returns(mean, cov, 100_000, seed=3, backend="cuda", distribution=distribution, dof=dof)
    assert np.array_equal(x_cpu, x_gpu)


def dataclass_values(r: risk.MonteCarloVaR) -> dict[str, Any]:
    d = r.to_dict()
    d.pop("backend")
    return d
