#!/usr/bin/env python
"""Market regimes against hmmlearn's GaussianHMM, measured in one process.

Both start from the same parameters and run the same number of EM iterations (tolerance −inf:
no early stop), so the timings compare the same work:

* fit: 3 states, 1-D returns (5000 days), 50 EM iterations, diagonal covariances;
* fit: 4 states, 3 features, full covariances (20000 rows), 20 iterations;
* fit: 3 states over 16 sequences of 2500 days (our E-step runs the sequences in parallel);
* score / predict_proba / predict (Viterbi) of a fitted 3-state model on 10^5 days.

Run ``python benches/bench_risk_regime.py [--quick]``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from _timing import timed
from quantumpanarchy import performance
from quantumpanarchy.risk import RegimeModel

FloatArray = npt.NDArray[np.float64]


def simulate(n: int, d: int, seed: int) -> FloatArray:
    """Returns (n × d) from a 3-regime model with volatilities 1, 2, 4 (percent)."""
    rng = np.random.default_rng(seed)
    trans = np.array([[0.97, 0.02, 0.01], [0.03, 0.95, 0.02], [0.02, 0.08, 0.90]])
    states = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    cum = np.cumsum(trans, axis=1)
    for t in range(1, n):
        states[t] = min(int(np.searchsorted(cum[states[t - 1]], u[t], side="right")), 2)
    return np.asarray(np.array([1.0, 2.0, 4.0])[states, None] * rng.standard_normal((n, d)), dtype=np.float64)


def start(k: int, d: int, kind: str) -> dict[str, FloatArray]:
    var = np.linspace(0.5, 8.0, k)[:, None] * np.ones(d)
    covars = var if kind == "diag" else np.array([np.diag(v) for v in var])
    return {
        "startprob": np.full(k, 1.0 / k),
        "transmat": np.full((k, k), 0.1 / (k - 1)) + np.eye(k) * (0.9 - 0.1 / (k - 1)),
        "means": np.linspace(-0.1, 0.1, k * d).reshape(k, d),
        "covars": covars,
    }


def ours(k: int, kind: str, n_iter: int, s: dict[str, FloatArray]) -> RegimeModel:
    return RegimeModel(
        k,
        covariance_type=kind,
        n_iter=n_iter,
        tol=-np.inf,  # every iteration runs
        min_covar=1e-3,
        covars_prior=1e-2,
        startprob_init=s["startprob"],
        transmat_init=s["transmat"],
        means_init=s["means"],
        covars_init=s["covars"],
    )


def theirs(hmm: Any, k: int, kind: str, n_iter: int, s: dict[str, FloatArray]) -> Any:
    h = hmm.GaussianHMM(k, covariance_type=kind, init_params="", n_iter=n_iter, tol=-np.inf)
    h.startprob_, h.transmat_, h.means_, h.covars_ = s["startprob"], s["transmat"], s["means"], s["covars"]
    return h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer repeats")
    args = parser.parse_args()
    from hmmlearn import hmm

    logging.getLogger("hmmlearn").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    scale = 5 if args.quick else 1
    repeats = 1 if args.quick else 3
    print(
        f"quantumpanarchy RegimeModel vs hmmlearn {importlib.metadata.version('hmmlearn')} GaussianHMM, "
        f"{performance.get_num_threads()} threads"
    )
    rows: list[tuple[str, float, float]] = []

    def fit_case(label: str, n: int, d: int, k: int, kind: str, n_iter: int, seqs: int = 1) -> None:
        x = simulate(n, d, 1)
        lengths = None if seqs == 1 else [n // seqs] * seqs
        s = start(k, d, kind)
        assert ours(k, kind, n_iter, s).fit(x, lengths).n_iter_ == n_iter
        a = timed(lambda: ours(k, kind, n_iter, s).fit(x, lengths), repeats)
        b = timed(lambda: theirs(hmm, k, kind, n_iter, s).fit(x, lengths), repeats)
        rows.append((label, a, b))

    fit_case("fit 1-D, K=3, T=5000, 50 iterations", 5000 // scale, 1, 3, "diag", 50)
    fit_case("fit full, K=4, d=3, T=20000, 20 iterations", 20000 // scale, 3, 4, "full", 20)
    fit_case("fit 16 sequences × 2500, K=3, 20 iterations", 40000 // scale, 1, 3, "diag", 20, seqs=16)

    x = simulate(100_000 // scale, 1, 2)
    s = start(3, 1, "diag")
    m = ours(3, "diag", 5, s).fit(x)
    h = theirs(hmm, 3, "diag", 5, s).fit(x)
    for label, f, g in (
        ("score, T=10^5", lambda: m.score(x), lambda: h.score(x)),
        ("predict_proba, T=10^5", lambda: m.predict_proba(x), lambda: h.predict_proba(x)),
        ("predict (Viterbi), T=10^5", lambda: m.predict(x), lambda: h.predict(x)),
    ):
        rows.append((label, timed(f, repeats), timed(g, repeats)))

    width = max(len(r[0]) for r in rows)
    print(f"{'workload':<{width}}  {'ours (ms)':>10}  {'hmmlearn (ms)':>13}  {'speed-up':>8}")
    for label, a, b in rows:
        print(f"{label:<{width}}  {a * 1e3:>10.2f}  {b * 1e3:>13.2f}  {b / a:>7.1f}×")


if __name__ == "__main__":
    main()
