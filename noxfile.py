"""Task runner: `nox -s demo | tests | peers | lint | typecheck | bench | wheel | smoke | gpu-kit | gpu`.

Sessions run in the environment nox itself runs in (the `.venv` that `scripts/setup.sh`
creates), so the dependencies are installed once and the Rust build is incremental.

Builds: the test command compiles the crate twice in release mode, once as the extension
(`maturin develop`, with the CUDA backend as in the released wheel) and once as the Rust test
binary (domain tests and the CUDA kernels' CPU emulation together). The released wheel is a third
build (`nox -s wheel`: linked by zig against glibc 2.28), made only where a wheel is wanted.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).parent
DIST = ROOT / "dist"
KIT = ROOT / "gpu-kit"
# Tools run as modules of this interpreter: without a virtualenv backend nox looks bare
# command names up on the ambient PATH, which may find another Python.
PY = sys.executable
# cargo's build script (build.rs) asks this interpreter where scipy-openblas32 is.
ENV = {
    "VIRTUAL_ENV": sys.prefix,
    "PATH": f"{sysconfig.get_path('scripts')}{os.pathsep}{os.environ['PATH']}",
    "PYO3_PYTHON": PY,
}
# One Rust test binary holds the domain tests and the CUDA kernels' CPU emulation (fiber emulation
# of thread blocks, needs g++); its GPU tests skip without a device.
RUST_TESTS = ["--release", "--no-default-features", "--features", "cuda", "--lib"]


def cargo(session: nox.Session, *args: str, **env: str) -> None:
    session.run("cargo", *args, env={**ENV, **env}, external=True)


def build(session: nox.Session) -> None:
    """Build the extension in release mode into this environment (incremental). Its features,
    the CUDA backend included, come from pyproject.toml, as for the wheel."""
    session.run(PY, "-m", "maturin", "develop", "--release", "--quiet", env=ENV)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demonstration."""
    build(session)
    session.run(PY, "-m", "quantumpanarchy", *session.posargs, env=ENV)


@nox.session
def tests(session: nox.Session) -> None:
    """Rust unit tests (domain code without an interpreter, and the CUDA kernels under CPU
    emulation), the Python suite (CUDA tests skip without a device), and the peers' own test
    files against our classes."""
    cargo(session, "test", *RUST_TESTS, "--quiet")
    build(session)
    session.run(PY, "-m", "pytest", "-q", *session.posargs, env=ENV)
    run_peer_tests(session)


@nox.session
def peers(session: nox.Session) -> None:
    """The peers' own test files against our classes (what `tests` ends with)."""
    build(session)
    run_peer_tests(session)


def run_peer_tests(session: nox.Session) -> None:
    """dwave-samplers' own sampler test file (from its sdist on PyPI, sha256-checked, never
    committed) run with decision.Annealing in place of SimulatedAnnealingSampler."""
    session.run(PY, "tests/peers/dwave_samplers.py", env=ENV)


@nox.session
def lint(session: nox.Session) -> None:
    """rustfmt, clippy (default, domain-only and CUDA builds, warnings are errors), ruff."""
    session.run("cargo", "fmt", "--all", "--", "--check", external=True)
    for features in ([], ["--no-default-features"], ["--features", "cuda"]):
        cargo(session, "clippy", "--all-targets", *features, "--", "-D", "warnings")
    session.run(PY, "-m", "ruff", "check", ".")
    session.run(PY, "-m", "ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, tests, benches and examples; stubtest of the stubs
    against the built module."""
    build(session)
    session.run(PY, "-m", "mypy", env=ENV)
    stubtest = ["mypy.stubtest", "quantumpanarchy", "--allowlist", "stubtest-allowlist.txt"]
    session.run(PY, "-m", *stubtest, "--mypy-config-file", "pyproject.toml", env=ENV)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the anchor libraries, measured in one run (not a test)."""
    build(session)
    cargo(session, "bench", "--no-default-features", "--bench", "kernels")
    session.run(PY, "benches/bench_core.py", *session.posargs, env=ENV)
    session.run(PY, "benches/bench_decision.py", env=ENV)
    scripts = (
        *("bench_risk_stats", "bench_risk_mc", "bench_risk_regime", "bench_blackswan"),
        *("bench_signal_candles", "bench_signal_indicators", "bench_signal_chart", "bench_cas"),
        "bench_infrastructure",
        "bench_distributed",
        "bench_intelligence_rl",
        "bench_automl_models",
        "bench_automl_search",
        "bench_intelligence_onnx",
    )
    for script in scripts:
        session.run(PY, f"benches/{script}.py", env=ENV)


def openblas_dir() -> str:
    """scipy-openblas32's library folder (the OpenBLAS that build.rs links and the wheel carries)."""
    ask = "import scipy_openblas32 as s; print(s.get_lib_dir())"
    return subprocess.run([PY, "-c", ask], check=True, capture_output=True, text=True).stdout.strip()


def build_wheel(session: nox.Session) -> Path:
    """The wheel users install, in dist/: release, abi3, the CUDA backend compiled in, linked by
    zig against glibc 2.28, then `auditwheel repair` copies OpenBLAS in, points the rpath at it
    and tags the wheel manylinux_2_28 (after checking every symbol version). auditwheel works on
    a copy; maturin's own repair patches cargo's build output in place, which breaks the next
    build. No rpath to this machine's OpenBLAS is linked in; the loader path lets the repair step
    find the library to copy."""
    for old in DIST.glob("quantumpanarchy-*"):
        old.unlink()
    raw = ROOT / "target" / "wheel-unrepaired"
    shutil.rmtree(raw, ignore_errors=True)
    env = {**ENV, "QUANTUMPANARCHY_NO_RPATH": "1", "LD_LIBRARY_PATH": openblas_dir()}
    wheel = ["--release", "--zig", "--compatibility", "manylinux_2_28", "--auditwheel", "skip"]
    session.run(PY, "-m", "maturin", "build", *wheel, "--out", str(raw), env=env)
    (built,) = raw.glob("quantumpanarchy-*.whl")
    repair = ["repair", "--plat", "manylinux_2_28_x86_64", "--wheel-dir", str(DIST), str(built)]
    session.run(PY, "-m", "auditwheel", *repair, env=env)
    session.run(PY, "-m", "maturin", "sdist", "--out", str(DIST), env=ENV)
    session.run(PY, "scripts/check_wheel.py", str(DIST), env=ENV)
    return next(DIST.glob("quantumpanarchy-*.whl"))


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the release wheel and the sdist into dist/ and check the wheel (tag, vendored
    OpenBLAS, glibc symbol versions, no build-machine rpath)."""
    build_wheel(session)


@nox.session
def smoke(session: nox.Session) -> None:
    """Install dist/'s wheel into a fresh virtualenv and use it with the system OpenBLAS,
    libgfortran and the build's scipy-openblas32 hidden (needs root for `unshare -m`)."""
    wheels = sorted(DIST.glob("quantumpanarchy-*.whl"))
    if not wheels:
        session.error("no wheel in dist/: run `nox -s wheel` first")
    session.run("bash", "scripts/wheel_smoke.sh", str(wheels[-1]), openblas_dir(), external=True)


@nox.session(name="gpu-kit")
def gpu_kit(session: nox.Session) -> None:
    """Prepare gpu-kit/ (git-ignored, under 64 MiB) for a lent GPU machine that has Python, numpy
    and the NVIDIA libraries but no Rust and no package registry: the release wheel, the Rust test
    binary (GPU tests, CPU emulation) and the kernel benchmark, stripped. `scripts/gpu_run.sh`,
    run there from the repository root, installs the wheel with `pip --no-index` and runs them all
    and the GPU tests and benchmarks, writing every figure to one log."""
    wheel_path = build_wheel(session)
    shutil.rmtree(KIT, ignore_errors=True)
    (KIT / "bin").mkdir(parents=True)
    shutil.copy2(wheel_path, KIT)
    binaries = {
        "rust-tests": ["test", *RUST_TESTS],
        "kernels-bench": ["bench", "--no-default-features", "--features", "cuda", "--bench", "kernels"],
    }
    for name, args in binaries.items():
        executable = cargo_executable(session, args)
        shutil.copy2(executable, KIT / "bin" / name)
        session.run("strip", str(KIT / "bin" / name), external=True)
    # dimod (the benchmark builds its models with it) and dwave-samplers (its anchor), for the
    # device's CPython 3.12, at the versions tested here.
    anchors = [f"{name}=={importlib.metadata.version(name)}" for name in ("dimod", "dwave-samplers")]
    platforms = [f"--platform=manylinux_2_{v}_x86_64" for v in (17, 24, 27, 28)] + ["--platform=manylinux2014_x86_64"]
    download = ["download", "-q", "--no-deps", "--only-binary=:all:", "--python-version=3.12", *platforms]
    session.run(PY, "-m", "pip", *download, "-d", str(KIT / "wheels"), *anchors, env=ENV)
    size = sum(f.stat().st_size for f in KIT.rglob("*") if f.is_file())
    session.log(f"gpu-kit: {size / 2**20:.1f} MiB in {KIT}")
    if size >= 64 * 2**20:
        session.error("the GPU kit must stay under 64 MiB (what a device run can carry)")
    # The kit answers "no GPU" cleanly where there is none: run it here, as the device would.
    session.run("bash", "scripts/gpu_run.sh", env={**ENV, "OUT": str(KIT / "out")}, external=True)


def cargo_executable(session: nox.Session, args: list[str]) -> str:
    """Build a test or bench target without running it and return its executable's path."""
    out = subprocess.run(
        ["cargo", *args, "--no-run", "--message-format=json-render-diagnostics"],
        env={**os.environ, **ENV},
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    found = [m["executable"] for m in map(json.loads, out.splitlines()) if m.get("executable")]
    if len(found) != 1:
        session.error(f"expected one executable from cargo {' '.join(args)}, got {found}")
    return str(found[0])


@nox.session
def gpu(session: nox.Session) -> None:
    """On a CUDA machine with a Rust toolchain: the GPU tests and the GPU benchmark rows."""
    cargo(session, "test", *RUST_TESTS, "cuda")
    build(session)
    session.run(PY, "-m", "pytest", "-q", "-m", "cuda", "tests", env=ENV)
    session.run(PY, "benches/bench_core.py", "--quick", env=ENV)
