#!/usr/bin/env python
"""decision engines against their anchors, measured in one process.

* QAOA: ⟨C⟩ of a p=2 QAOA state for a dense random QUBO (the workload of anchor-baselines.md
  section 2) for n = 12, 16, 20, 22: ``QAOA.expectation`` (cost diagonal built inside the timing)
  against qiskit-aer (circuit transpiled once, timed: bind + run + statevector + ⟨C⟩) and a NumPy
  statevector (diagonal phase, RX per qubit by reshaping).
* Annealing: ``decision.Annealing().sample(bqm)`` against dwave-samplers'
  ``SimulatedAnnealingSampler().sample(bqm)`` on the same dimod BQM (the dimod path, conversion
  included), 3-regular MaxCut N = 2000.

Run ``python benches/bench_decision.py [--quick] [--only qaoa,annealing] [--max-qubits N]``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from _timing import timed
from quantumpanarchy import performance
from quantumpanarchy.decision import QAOA, Annealing

FloatArray = npt.NDArray[np.float64]
GAMMAS = np.array([0.35, 0.7])
BETAS = np.array([0.6, 0.25])


def workload(n: int) -> FloatArray:
    a = np.random.default_rng(2024 + n).standard_normal((n, n))
    return np.asarray((a + a.T) / 2, dtype=np.float64)


def diag_cost(Q: FloatArray) -> FloatArray:
    """C(z) = zᵀQz for every z, by doubling (the anchor's O(2ⁿ) construction)."""
    c = np.zeros(1)
    for t in range(len(Q)):
        z = (np.arange(len(c))[:, None] >> np.arange(t)) & 1
        c = np.concatenate([c, c + Q[t, t] + 2 * (z @ Q[t, :t])])
    return c


def numpy_expectation(c: FloatArray, gammas: FloatArray, betas: FloatArray) -> float:
    n = int(np.log2(len(c)))
    psi = np.full(len(c), 2 ** (-n / 2), dtype=np.complex128)
    for g, b in zip(gammas, betas, strict=True):
        psi *= np.exp(-1j * g * c)
        cos, sin = np.cos(b), -1j * np.sin(b)
        for q in range(n):
            v = psi.reshape(-1, 2, 2**q)
            lo, hi = v[:, 0, :].copy(), v[:, 1, :]
            v[:, 0, :] = cos * lo + sin * hi
            v[:, 1, :] = sin * lo + cos * hi
    return float(np.vdot(psi, c * psi).real)


def aer_runner(Q: FloatArray, threads: int | None) -> Callable[[], float] | None:
    try:
        from qiskit import QuantumCircuit, transpile
        from qiskit.circuit import ParameterVector
        from qiskit_aer import AerSimulator
    except ImportError:
        return None
    n = len(Q)
    g, b = ParameterVector("g", 2), ParameterVector("b", 2)
    qc = QuantumCircuit(n)
    qc.h(range(n))
    h = -0.5 * Q.sum(axis=1)
    for k in range(2):
        for i in range(n):
            qc.rz(2 * g[k] * h[i], i)
        for i in range(n):
            for j in range(i + 1, n):
                qc.rzz(2 * g[k] * Q[i, j] / 2, i, j)
        qc.rx(2 * b[k], range(n))
    qc.save_statevector()
    options: dict[str, Any] = {"method": "statevector"}
    if threads is not None:
        options["max_parallel_threads"] = threads
    sim = AerSimulator(**options)
    compiled = transpile(qc, sim)
    c = diag_cost(Q)
    values = dict(zip(list(g) + list(b), list(GAMMAS) + list(BETAS), strict=True))

    def run() -> float:
        bound = compiled.assign_parameters(values)
        psi = np.asarray(sim.run(bound).result().get_statevector())
        return float(np.vdot(psi, c * psi).real)

    return run


def qaoa_row(n: int, reps: int, threads: int) -> str:
    """One table row: our times, the anchors' times, the ratios and the largest ⟨C⟩ difference."""
    Q = workload(n)
    qaoa = QAOA(n)
    performance.set_num_threads(threads)
    ours = timed(lambda: qaoa.expectation(Q, GAMMAS, BETAS), reps)
    batch = 8
    G, B = np.tile(GAMMAS, (batch, 1)), np.tile(BETAS, (batch, 1))
    per_eval = timed(lambda: qaoa.expectation(Q, G, B), reps) / batch
    performance.set_num_threads(1)
    ours_1t = timed(lambda: qaoa.expectation(Q, GAMMAS, BETAS), reps)
    performance.set_num_threads(threads)
    value = float(qaoa.expectation(Q, GAMMAS, BETAS))
    c = diag_cost(Q)
    t_np = timed(lambda: numpy_expectation(c, GAMMAS, BETAS), reps)
    diff = abs(numpy_expectation(c, GAMMAS, BETAS) - value)
    aer, aer_1 = aer_runner(Q, None), aer_runner(Q, 1)
    t_aer = timed(aer, reps) if aer else float("nan")
    t_aer1 = timed(aer_1, reps) if aer_1 else float("nan")
    if aer:
        diff = max(diff, abs(aer() - value))
    ms = [1e3 * t for t in (ours, ours_1t, per_eval, t_np, t_aer, t_aer1)]
    cells = " ".join(f"{v:>9.2f}" if i != 2 else f"{v:>10.2f}" for i, v in enumerate(ms))
    return f"{n:>3} {cells} {t_aer / ours:>7.1f}x {t_aer1 / ours_1t:>8.1f}x {t_np / ours_1t:>8.1f}x {diff:>8.1e}"


def bench_qaoa(sizes: Sequence[int], repeats: int) -> None:
    threads = os.cpu_count() or 1
    print(f"\nQAOA p=2 expectation, dense random QUBO (median of {repeats}, ms; ratio = anchor time / ours)")
    head = f"{'n':>3} {'ours':>9} {'ours 1t':>9} {'batch/eval':>10} {'numpy':>9} {'aer':>9} {'aer 1t':>9}"
    print(head + f" {'vs aer':>8} {'vs aer 1t':>9} {'vs numpy':>9} {'|diff|':>8}")
    for n in sizes:
        print(qaoa_row(n, repeats if n < 22 else max(1, repeats // 2), threads))
    print(
        f"ours / aer / numpy: {threads} threads unless '1t'; 'vs aer 1t' and 'vs numpy' compare one thread with one "
        "thread; batch/eval: 8 angle sets per call, time per set; |diff|: largest ⟨C⟩ difference to numpy and aer."
    )


def bench_annealing(repeats: int, sweeps: int) -> None:
    try:
        import dimod
        import networkx as nx
        from dwave.samplers import SimulatedAnnealingSampler
    except ImportError:
        print("\nAnnealing: dwave-samplers, dimod or networkx missing, skipped")
        return
    g = nx.random_regular_graph(3, 2000, seed=1234)
    bqm = dimod.BinaryQuadraticModel({}, {e: 1.0 for e in g.edges}, 0.0, dimod.SPIN)
    kw: dict[str, Any] = {"num_reads": 20, "num_sweeps": sweeps, "seed": 1}
    dwave_sampler: Any = SimulatedAnnealingSampler
    ours_sampler, dwave = Annealing(), dwave_sampler()
    print(f"\nAnnealing via dimod: 3-regular MaxCut N=2000, {sweeps} sweeps x 20 reads (median of {repeats}, ms)")
    print(f"{'threads':>7} {'ours':>9} {'dwave':>9} {'ratio':>7} {'best E ours':>12} {'best E dwave':>13}")
    t_dw = timed(lambda: dwave.sample(bqm, **kw), repeats)
    e_dw = dwave.sample(bqm, **kw).first.energy
    for threads in sorted({1, os.cpu_count() or 1}):
        performance.set_num_threads(threads)
        t_ours = timed(lambda: ours_sampler.sample(bqm, **kw), repeats)
        e_ours = ours_sampler.sample(bqm, **kw).first.energy
        cells = f"{1e3 * t_ours:>9.1f} {1e3 * t_dw:>9.1f} {t_dw / t_ours:>6.1f}x"
        print(f"{threads:>7} {cells} {e_ours:>12.0f} {e_dw:>13.0f}")
    print("dwave-samplers is single-threaded; the ratio is its time over ours.")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats, n up to 20, 200 sweeps")
    ap.add_argument("--only", default="qaoa,annealing", help="comma-separated subset of: qaoa, annealing")
    ap.add_argument("--max-qubits", type=int, default=22)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    repeats = 3 if args.quick else 5
    versions = {}
    for pkg in ("quantumpanarchy", "qiskit", "qiskit-aer", "dwave-samplers", "numpy"):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = "missing"
    print(" ".join(f"{k} {v}" for k, v in versions.items()), f"| {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    before = performance.get_num_threads()
    try:
        if "qaoa" in only:
            top = min(args.max_qubits, 20 if args.quick else 22)
            bench_qaoa([n for n in (12, 16, 20, 22) if n <= top], repeats)
        if "annealing" in only:
            bench_annealing(repeats, 200 if args.quick else 1000)
    finally:
        performance.set_num_threads(before)
    print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
