#!/usr/bin/env python
"""Spin-update throughput and solution quality: quantumpanarchy vs dwave-samplers vs openjij.

Run ``python benches/bench_core.py [--quick] [--json OUT]``. Everything is measured in ONE process
so that ratios compare like with like. See ``benches/README.md`` for the workloads; they are the
ones described in ``anchor-baselines.md`` section 1 (plus a larger L=512 lattice).

Method: the models are built outside the timing; every implementation gets 1 untimed warm-up call
and then ``repeats`` timed calls (``time.perf_counter``); the table shows the median. Throughput is
spin-update attempts per second = N * sweeps * reads / median seconds. Quality is computed here,
from the returned samples, in dimod's convention E(s) = sum_i h_i s_i + sum_{i<j} J_ij s_i s_j, and
checked against the energies each library reports.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
SpinMatrix = npt.NDArray[np.int8]

SEED = 1234
#: Nominal DRAM bandwidths (GB/s) by device-name substring, used only when ``backend_info()``
#: reports no bandwidth and ``--bandwidth-gbs`` is not given. First match wins.
NOMINAL_BANDWIDTH_GBS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("H200",), 4800.0),
    (("H100", "PCIE"), 2000.0),
    (("H100", "NVL"), 3900.0),
    (("H100",), 3350.0),
    (("A100", "80GB", "PCIE"), 1935.0),
    (("A100", "80GB"), 2039.0),
    (("A100",), 1555.0),
    (("L40S",), 864.0),
    (("L4",), 300.0),
    (("V100",), 900.0),
    (("T4",), 320.0),
)


# --------------------------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------------------------


@dataclass
class Workload:
    key: str
    title: str
    n: int
    rows: IntArray  # i < j is not required; every coupling once
    cols: IntArray
    vals: FloatArray  # dimod convention: E = sum vals * s_rows * s_cols
    beta_range: tuple[float, float]
    num_sweeps: int
    num_reads: int
    openjij_sparse: bool
    is_maxcut: bool = False
    bqm: Any = None  # dimod.BinaryQuadraticModel, filled in by build()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def num_edges(self) -> int:
        return len(self.vals)

    @property
    def updates(self) -> int:
        return self.n * self.num_sweeps * self.num_reads


def lattice_edges(side: int) -> tuple[IntArray, IntArray]:
    """Periodic square lattice, site i = r*side + c, bonds to (r, c+1) and (r+1, c)."""
    idx = np.arange(side * side, dtype=np.int64).reshape(side, side)
    right = np.roll(idx, -1, axis=1)
    down = np.roll(idx, -1, axis=0)
    rows = np.concatenate([idx.ravel(), idx.ravel()])
    cols = np.concatenate([right.ravel(), down.ravel()])
    return rows, cols


def make_lattice(key: str, side: int, sweeps: int, reads: int) -> Workload:
    rows, cols = lattice_edges(side)
    return Workload(
        key=key,
        title=f"{key} lattice L={side} ({sweeps}sw x {reads}rd)",
        n=side * side,
        rows=rows,
        cols=cols,
        vals=np.full(len(rows), -1.0),
        beta_range=(0.1, 3.0),
        num_sweeps=sweeps,
        num_reads=reads,
        openjij_sparse=True,
        extra={"L": side, "ground_state_per_spin": -2.0},
    )


def make_sk(n: int = 1024) -> Workload:
    signs = 2 * np.random.default_rng(42).integers(0, 2, size=(n, n)) - 1
    upper = np.triu(signs, 1)
    rows, cols = np.triu_indices(n, k=1)
    vals = upper[rows, cols].astype(np.float64) / np.sqrt(n)
    import hashlib

    digest = hashlib.sha256(upper.astype(np.int8).tobytes()).hexdigest()
    return Workload(
        key="B",
        title=f"B SK N={n} (1000sw x 10rd)",
        n=n,
        rows=rows.astype(np.int64),
        cols=cols.astype(np.int64),
        vals=vals,
        beta_range=(0.1, 10.0),
        num_sweeps=1000,
        num_reads=10,
        openjij_sparse=False,
        extra={"signs_sha256": digest, "parisi_per_spin": -0.7633},
    )


def make_maxcut(n: int = 2000) -> Workload:
    import networkx

    graph = networkx.random_regular_graph(3, n, seed=1)
    edges = np.array(sorted((min(u, v), max(u, v)) for u, v in graph.edges()), dtype=np.int64)
    return Workload(
        key="C",
        title=f"C MaxCut 3reg N={n} (1000sw x 20rd)",
        n=n,
        rows=edges[:, 0].copy(),
        cols=edges[:, 1].copy(),
        vals=np.ones(len(edges)),
        beta_range=(0.1, 3.0),
        num_sweeps=1000,
        num_reads=20,
        openjij_sparse=True,
        is_maxcut=True,
    )


def build_bqm(w: Workload) -> None:
    import dimod

    w.bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(np.zeros(w.n), (w.rows, w.cols, w.vals), 0.0, dimod.SPIN)
    if w.bqm.num_variables != w.n or w.bqm.num_interactions != w.num_edges:
        raise RuntimeError(f"{w.key}: BQM has wrong size")


# --------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------


def energies_of(w: Workload, samples: SpinMatrix) -> FloatArray:
    s = samples.astype(np.float64)
    out = np.empty(len(s))
    for k in range(len(s)):
        out[k] = float(np.dot(w.vals, s[k, w.rows] * s[k, w.cols]))
    return out


def in_index_order(samples: Any, variables: Sequence[Any], n: int) -> SpinMatrix:
    """Reorder columns so that column i is variable i (labels are 0..n-1)."""
    arr = np.asarray(samples, dtype=np.int8)
    labels = np.asarray(list(variables), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != n or labels.shape != (n,):
        raise RuntimeError(f"unexpected sample shape {arr.shape} for N={n}")
    out = np.empty_like(arr)
    out[:, labels] = arr
    return out


def quality(w: Workload, samples: SpinMatrix, reported: FloatArray | None) -> dict[str, Any]:
    if not np.all(np.abs(samples) == 1):
        raise RuntimeError(f"{w.key}: samples are not +-1")
    energies = energies_of(w, samples)
    q: dict[str, Any] = {
        "best_energy": float(energies.min()),
        "mean_energy": float(energies.mean()),
        "best_per_spin": float(energies.min() / w.n),
        "mean_per_spin": float(energies.mean() / w.n),
        "distinct_reads": int(np.unique(samples, axis=0).shape[0]),
        "reads": len(samples),
    }
    if reported is not None:
        diff = np.abs(np.sort(reported) - np.sort(energies))
        q["max_reported_energy_error"] = float(np.max(diff))
    if w.is_maxcut:
        cuts = (w.num_edges - energies) / 2.0
        q["best_cut"] = float(cuts.max())
        q["mean_cut"] = float(cuts.mean())
    return q


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    workload: str
    impl: str
    threads: str
    times: list[float]
    updates: int
    quality: dict[str, Any]
    note: str = ""
    ratio_vs_dwave: float | None = None
    sampling_times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def sampling_rate(self) -> float | None:
        """Rate from the library's own sampling timer (excludes its model conversion)."""
        if not self.sampling_times:
            return None
        return self.updates / statistics.median(self.sampling_times)

    @property
    def rate(self) -> float:
        return self.updates / self.median

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "implementation": self.impl,
            "threads": self.threads,
            "times_s": self.times,
            "median_s": self.median,
            "min_s": min(self.times),
            "spin_updates": self.updates,
            "spin_updates_per_s": self.rate,
            "sampling_times_s": self.sampling_times,
            "sampling_spin_updates_per_s": self.sampling_rate,
            "ratio_vs_dwave": self.ratio_vs_dwave,
            "quality": self.quality,
            "note": self.note,
        }


@dataclass
class Result:
    samples: SpinMatrix  # reads x N, column i = variable i
    energies: FloatArray | None  # as the library reported them
    sampling_s: float | None  # the library's own sampling-only timer, when it has one


Runner = Callable[[], Result]


def _noop() -> None:
    return None


@dataclass
class Case:
    """One row to measure: ``setup`` (thread counts) runs untimed right before every call."""

    impl: str
    threads: str
    run: Runner
    setup: Callable[[], None] = _noop
    note: str = ""


def run_cases(w: Workload, cases: list[Case], repeats: int, interleave: bool) -> list[Row]:
    """Every case gets 1 untimed warm-up and ``repeats`` timed calls. Interleaved (default): the
    timed calls go round-robin over the cases, so slow drifts in machine load hit every
    implementation alike; otherwise each case runs its calls back to back."""
    times: list[list[float]] = [[] for _ in cases]
    sampling: list[list[float]] = [[] for _ in cases]
    last: list[Result | None] = [None] * len(cases)

    def one(k: int, timed: bool) -> None:
        case = cases[k]
        case.setup()
        t0 = time.perf_counter()
        res = case.run()
        dt = time.perf_counter() - t0
        last[k] = res
        if timed:
            times[k].append(dt)
            if res.sampling_s is not None:
                sampling[k].append(res.sampling_s)

    if interleave:
        for k, case in enumerate(cases):
            progress(f"{w.key}: warm-up {case.impl} ({case.threads} threads)")
            one(k, timed=False)
        for rep in range(repeats):
            progress(f"{w.key}: timed round {rep + 1}/{repeats} over {len(cases)} rows")
            for k in range(len(cases)):
                one(k, timed=True)
    else:
        for k, case in enumerate(cases):
            progress(f"{w.key}: {case.impl} ({case.threads} threads)")
            for rep in range(repeats + 1):
                one(k, timed=rep > 0)

    rows = []
    for k, case in enumerate(cases):
        res = last[k]
        assert res is not None
        rows.append(
            Row(
                w.title,
                case.impl,
                case.threads,
                times[k],
                w.updates,
                quality(w, res.samples, res.energies),
                note=case.note,
                sampling_times=sampling[k] if len(sampling[k]) == len(times[k]) else [],
            )
        )
    return rows


def progress(msg: str) -> None:
    print(f"  .. {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Implementations
# --------------------------------------------------------------------------------------------


def dwave_runner(w: Workload) -> Runner:
    from dwave.samplers import SimulatedAnnealingSampler

    sampler_cls: Any = SimulatedAnnealingSampler  # untyped third-party class
    sampler = sampler_cls()

    def run() -> Result:
        ss = sampler.sample(
            w.bqm,
            num_reads=w.num_reads,
            num_sweeps=w.num_sweeps,
            beta_range=w.beta_range,
            beta_schedule_type="geometric",
            seed=SEED,
        )
        samples = in_index_order(ss.record.sample, ss.variables, w.n)
        ns = ss.info.get("timing", {}).get("sampling_ns")
        return Result(
            samples,
            np.asarray(ss.record.energy, dtype=np.float64),
            None if ns is None else float(ns) * 1e-9,
        )

    return run


class OmpControl:
    """Sets the OpenMP thread count of the runtime openjij loaded (libiomp5/libgomp), in-process."""

    def __init__(self) -> None:
        self.lib: Any = None
        self.path = ""
        try:
            with open("/proc/self/maps") as fh:
                paths = {line.split()[-1] for line in fh if "omp" in line.rsplit("/", 1)[-1]}
        except OSError:
            return
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
                lib.omp_get_max_threads()
            except (OSError, AttributeError):
                continue
            self.lib, self.path = lib, path
            break
        self.default = int(self.lib.omp_get_max_threads()) if self.lib is not None else 0

    def set(self, n: int) -> None:
        if self.lib is not None:
            self.lib.omp_set_num_threads(ctypes.c_int(n))


def omp_setter(omp: OmpControl | None, n: int | None) -> Callable[[], None]:
    def setup() -> None:
        if omp is not None and n is not None:
            omp.set(n)

    return setup


def qp_setter(set_num_threads: Callable[[int], None], n: int) -> Callable[[], None]:
    def setup() -> None:
        set_num_threads(n)

    return setup


def openjij_model(w: Workload) -> Any:
    import openjij

    return openjij.model.model.BinaryQuadraticModel(
        dict(w.bqm.linear),
        dict(w.bqm.quadratic),
        w.bqm.offset,
        w.bqm.vartype,
        sparse=w.openjij_sparse,
    )


def openjij_runner(w: Workload, model: Any, seeds: Sequence[int] | None = None) -> Runner:
    """``seeds=None``: one call with num_reads and seed=1234 (openjij then repeats the same seed and
    initial state for every read). Otherwise one call with num_reads=1 per seed."""
    import openjij

    sampler = openjij.SASampler()

    def call(num_reads: int, seed: int) -> Result:
        res = sampler.sample(
            model,
            beta_min=w.beta_range[0],
            beta_max=w.beta_range[1],
            num_sweeps=w.num_sweeps,
            num_reads=num_reads,
            sparse=w.openjij_sparse,
            seed=seed,
        )
        samples = in_index_order(res.record.sample, res.variables, w.n)
        us = res.info.get("sampling_time")  # microseconds
        return Result(
            samples,
            np.asarray(res.record.energy, dtype=np.float64),
            None if us is None else float(us) * 1e-6,
        )

    def run() -> Result:
        if seeds is None:
            return call(w.num_reads, SEED)
        parts = [call(1, s) for s in seeds]
        times = [p.sampling_s for p in parts]
        return Result(
            np.concatenate([p.samples for p in parts]),
            np.concatenate([p.energies for p in parts if p.energies is not None]),
            None if any(t is None for t in times) else sum(t for t in times if t is not None),
        )

    return run


def qp_runner(w: Workload, net: Any, method: str, backend: str) -> Runner:
    def run() -> Result:
        ss = net.anneal(
            num_reads=w.num_reads,
            num_sweeps=w.num_sweeps,
            beta_range=w.beta_range,
            beta_schedule_type="geometric",
            seed=SEED,
            method=method,
            backend=backend,
        )
        samples = in_index_order(ss.samples, ss.variables, w.n)
        sec = ss.info.get("timing", {}).get("sampling_s")
        return Result(samples, np.asarray(ss.energies, dtype=np.float64), None if sec is None else float(sec))

    return run


# --------------------------------------------------------------------------------------------
# GPU roofline
# --------------------------------------------------------------------------------------------


def device_bandwidth_gbs(info: dict[str, Any], override: float | None) -> tuple[float | None, str]:
    if override is not None:
        return override, "--bandwidth-gbs"
    devices = info.get("cuda", {}).get("devices", []) or []
    if not devices:
        return None, "no device"
    dev = devices[0]
    for key in ("memory_bandwidth_gbs", "bandwidth_gbs", "memory_bandwidth_gb_s", "bandwidth"):
        if dev.get(key):
            return float(dev[key]), f"backend_info()['cuda']['devices'][0]['{key}']"
    name = str(dev.get("name", "")).upper()
    for parts, bw in NOMINAL_BANDWIDTH_GBS:
        if all(p in name for p in parts):
            return bw, f"nominal for '{dev.get('name')}' (pass --bandwidth-gbs to override)"
    return None, f"unknown for '{dev.get('name')}' (pass --bandwidth-gbs)"


def bytes_per_update(w: Workload, dense: bool) -> tuple[str, float]:
    """Bytes one spin update must move from DRAM in the coupling format used.

    CSR (u64 indptr, u32 indices, f64 values, i8 spins): deg*(4 + 8) for the row, deg*1 for the
    neighbour spins, 8 for indptr, 8 for h_i, 1+1 to read and write the spin.
    Dense (f64 row-major): N*8 for the row, 8 for the field, 1+1 for the spin.
    """
    if dense:
        return "dense f64", w.n * 8.0 + 8.0 + 2.0
    deg = 2.0 * w.num_edges / w.n
    return f"CSR (avg deg {deg:.4g})", deg * (4 + 8) + deg * 1 + 8.0 + 8.0 + 2.0


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def fmt_rate(r: float) -> str:
    return f"{r / 1e6:10.1f} M"


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'workload':<37} {'implementation':<40} {'thr':>4} {'median s':>9} {'updates/s':>12} "
        f"{'vs dwave':>9} {'kernel upd/s':>13}  quality"
    )
    print(head)
    print("-" * len(head) + "-" * 40)
    last = ""
    for r in rows:
        if r.workload != last and last:
            print()
        last = r.workload
        q = r.quality
        qual = f"best {q['best_per_spin']:+.4f}/spin, mean {q['mean_per_spin']:+.4f}"
        if "best_cut" in q:
            qual += f", cut best {q['best_cut']:.0f} mean {q['mean_cut']:.1f}"
        if q["distinct_reads"] == 1 and q["reads"] > 1:
            qual += f" [all {q['reads']} reads identical]"
        ratio = f"{r.ratio_vs_dwave:8.2f}x" if r.ratio_vs_dwave is not None else f"{'-':>9}"
        srate = r.sampling_rate
        kernel = fmt_rate(srate) if srate is not None else "-"
        print(
            f"{r.workload:<37} {r.impl:<40} {r.threads:>4} {r.median:9.4f} {fmt_rate(r.rate):>12} "
            f"{ratio} {kernel:>13}  {qual}"
        )


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "numpy": np.__version__}
    for pkg in ("quantumpanarchy", "dwave-samplers", "dimod", "openjij", "networkx"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--quick",
        action="store_true",
        help="2 repeats; L=512 at 100 sweeps x 2 reads (A, B, C keep their budgets)",
    )
    p.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5, 2 with --quick)")
    p.add_argument("--json", metavar="OUT", default=None, help="write every number to this JSON file")
    p.add_argument(
        "--only",
        default="A,A512,B,C",
        help="comma-separated workloads to run (A, A512, B, C); default all",
    )
    p.add_argument(
        "--bandwidth-gbs",
        type=float,
        default=None,
        help="GPU memory bandwidth for the roofline when backend_info() has none",
    )
    p.add_argument("--no-openjij", action="store_true", help="skip openjij rows")
    p.add_argument(
        "--sequential",
        action="store_true",
        help="time each row's repeats back to back instead of round-robin over the rows",
    )
    p.add_argument("--no-gibbs", action="store_true", help="skip the quantumpanarchy gibbs rows")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else 5)
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = wanted - {"A", "A512", "B", "C"}
    if unknown:
        print(f"unknown workload(s) {sorted(unknown)}; choose from A, A512, B, C", file=sys.stderr)
        return 2
    notes: list[str] = []

    import quantumpanarchy
    from quantumpanarchy import performance
    from quantumpanarchy.core import PBitNetwork

    try:
        import dimod  # noqa: F401
    except ImportError:
        print("dimod is required to build the models (PBitNetwork.from_dimod)", file=sys.stderr)
        return 2
    have_dwave = have_openjij = True
    try:
        import dwave.samplers  # noqa: F401
    except ImportError as exc:
        have_dwave = False
        notes.append(f"dwave-samplers missing ({exc}): dwave rows skipped, no ratios")
    omp: OmpControl | None = None
    if args.no_openjij:
        have_openjij = False
        notes.append("openjij rows skipped (--no-openjij)")
    else:
        try:
            import openjij.cxxjij  # noqa: F401  (loads its OpenMP runtime)
        except ImportError as exc:
            have_openjij = False
            notes.append(f"openjij missing ({exc}): openjij rows skipped")
        else:
            omp = OmpControl()
            if omp.lib is None:
                notes.append("openjij's OpenMP runtime not found: openjij at default threads only")

    cuda = bool(performance.cuda_is_available())
    info = performance.backend_info()
    performance.set_num_threads(0)
    all_threads = int(performance.get_num_threads())

    side_big, sw_big, rd_big = (512, 100, 2) if args.quick else (512, 100, 4)
    builders: dict[str, Callable[[], Workload]] = {
        "A": lambda: make_lattice("A", 64, 1000, 10),
        "A512": lambda: make_lattice("A512", side_big, sw_big, rd_big),
        "B": make_sk,
        "C": make_maxcut,
    }
    workloads = [builders[k]() for k in ("A", "A512", "B", "C") if k in wanted]

    where = os.path.dirname(quantumpanarchy.__file__)
    print(f"quantumpanarchy {versions()['quantumpanarchy']} from {where}")
    print(f"versions: {versions()}")
    print(
        f"CPU: {os.cpu_count()} logical CPUs; quantumpanarchy all-threads = {all_threads}; "
        f"kernel {info.get('cpu', {}).get('kernel')}; CUDA available: {cuda}"
        + ("" if cuda else f" ({info.get('cuda', {}).get('reason')})")
    )
    order = "back to back per row" if args.sequential else "round-robin over the rows"
    print(f"repeats: 1 warm-up + {repeats} timed ({order}), median shown; seed {SEED}")
    print(f"at the start: {load_average()}")
    print()

    rows: list[Row] = []
    rooflines: list[dict[str, Any]] = []
    bandwidth, bw_source = device_bandwidth_gbs(info, args.bandwidth_gbs) if cuda else (None, "")

    for w in workloads:
        progress(f"building {w.title}")
        build_bqm(w)
        net = PBitNetwork.from_dimod(w.bqm)
        fmt = "dense" if net.is_dense else "sparse"
        cases: list[Case] = []

        if have_dwave:
            cases.append(Case("dwave-samplers SA (metropolis)", "1", dwave_runner(w)))

        model: Any = None
        if have_openjij:
            model = openjij_model(w)
            kind = "sparse" if w.openjij_sparse else "dense"
            thread_opts: list[tuple[str, int | None]] = [("?", None)]
            if omp is not None and omp.lib is not None:
                thread_opts = [("1", 1), (str(omp.default), omp.default)]
            for tlabel, tn in thread_opts:
                cases.append(
                    Case(
                        f"openjij SA ({kind}, seed fixed)",
                        tlabel,
                        openjij_runner(w, model),
                        setup=omp_setter(omp, tn),
                    )
                )
            if w.key == "B":
                seeds = list(range(SEED, SEED + w.num_reads))
                tlabel, tn = thread_opts[-1]
                cases.append(
                    Case(
                        f"openjij SA ({kind}, {len(seeds)} seeds)",
                        tlabel,
                        openjij_runner(w, model, seeds),
                        setup=omp_setter(omp, tn),
                        note=f"{len(seeds)} calls x 1 read, seeds {seeds[0]}..{seeds[-1]}",
                    )
                )

        methods = ["metropolis"] if args.no_gibbs else ["metropolis", "gibbs"]
        for nthreads, tlabel in ((1, "1"), (0, str(all_threads))):
            for method in methods:
                cases.append(
                    Case(
                        f"quantumpanarchy cpu {method} ({fmt})",
                        tlabel,
                        qp_runner(w, net, method, "cpu"),
                        setup=qp_setter(performance.set_num_threads, nthreads),
                    )
                )
        if cuda:
            for method in methods:
                cases.append(
                    Case(
                        f"quantumpanarchy cuda {method} ({fmt})",
                        "gpu",
                        qp_runner(w, net, method, "cuda"),
                        setup=qp_setter(performance.set_num_threads, 0),
                    )
                )

        wrows = run_cases(w, cases, repeats, interleave=not args.sequential)
        performance.set_num_threads(0)
        if omp is not None and omp.lib is not None:
            omp.set(omp.default)
        del model

        if cuda:
            for r in wrows:
                if " cuda " not in r.impl:
                    continue
                method = r.impl.split()[2]
                fmt_name, bpu = bytes_per_update(w, net.is_dense)
                entry: dict[str, Any] = {
                    "workload": w.key,
                    "method": method,
                    "format": fmt_name,
                    "bytes_per_update": bpu,
                    "measured_updates_per_s": r.rate,
                    "bandwidth_gbs": bandwidth,
                    "bandwidth_source": bw_source,
                }
                if bandwidth is not None:
                    roof = bandwidth * 1e9 / bpu
                    entry["roofline_updates_per_s"] = roof
                    entry["fraction_of_roofline"] = r.rate / roof
                    entry["within_2x"] = r.rate >= roof / 2
                rooflines.append(entry)

        base = next((r for r in wrows if r.impl.startswith("dwave")), None)
        for r in wrows:
            r.ratio_vs_dwave = r.rate / base.rate if base is not None else None
        rows.extend(wrows)
        w.bqm = None
        del net

    print()
    print_table(rows)
    print()
    print("updates/s = N * sweeps * reads / median time (spin-update attempts).")
    print("vs dwave = throughput ratio on the same workload. thr = threads used.")
    print("kernel upd/s = the same from each library's own sampling timer (dwave info sampling_ns,")
    print("openjij info sampling_time, quantumpanarchy info sampling_s): excludes model conversion.")
    print("Energies per spin in dimod convention (E = sum J s s), recomputed here from the")
    print("returned samples; MaxCut cut = (|E| - E)/2.")
    for w in workloads:
        if w.key == "A" or w.key == "A512":
            print(f"{w.key}: ground state is -2.0000/spin.")
        if w.key == "B":
            sha = w.extra["signs_sha256"]
            print(f"B: SK signs sha256 {sha[:8]}...{sha[-6:]}; Parisi N->inf limit -0.7633/spin.")
    errs = [(r.workload, r.impl, r.quality.get("max_reported_energy_error", 0.0)) for r in rows]
    worst = max(errs, key=lambda t: t[2]) if errs else None
    if worst is not None:
        print(f"reported vs recomputed energy: worst |diff| {worst[2]:.3g} ({worst[1]}, {worst[0]})")

    if cuda:
        print()
        print(f"GPU roofline (bandwidth {bandwidth} GB/s, {bw_source}):")
        for rl in rooflines:
            line = (
                f"  {rl['workload']:<5} {rl['method']:<10} {rl['format']:<22} "
                f"{rl['bytes_per_update']:10.1f} B/update  "
                f"measured {rl['measured_updates_per_s'] / 1e6:10.1f} M/s"
            )
            if "roofline_updates_per_s" in rl:
                line += (
                    f"  roofline {rl['roofline_updates_per_s'] / 1e6:10.1f} M/s  "
                    f"= {100 * rl['fraction_of_roofline']:.1f}% "
                    f"({'within' if rl['within_2x'] else 'NOT within'} 2x)"
                )
            print(line)
        print("  (DRAM model: couplings re-read per update; caches can beat it, e.g. SK J is 8 MB)")

    print(f"at the end: {load_average()} (a load above the CPU count means the numbers are noisy)")
    for n in notes:
        print(f"note: {n}")

    if args.json:
        doc = {
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "argv": list(sys.argv if argv is None else argv),
            "repeats": repeats,
            "interleaved": not args.sequential,
            "seed": SEED,
            "versions": versions(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "all_threads": all_threads,
            "backend_info": info,
            "load_average_end": load_average(),
            "workloads": [
                {
                    "key": w.key,
                    "title": w.title,
                    "n": w.n,
                    "edges": w.num_edges,
                    "beta_range": w.beta_range,
                    "num_sweeps": w.num_sweeps,
                    "num_reads": w.num_reads,
                    "schedule": "geometric",
                    **w.extra,
                }
                for w in workloads
            ],
            "rows": [r.to_dict() for r in rows],
            "gpu_roofline": rooflines,
            "notes": notes,
        }
        with open(args.json, "w") as fh:
            json.dump(doc, fh, indent=2, default=str)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
