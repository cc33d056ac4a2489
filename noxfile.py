"""Task runner: `nox -s demo | tests | lint | typecheck | bench | gpu`.

Sessions run in the environment nox itself runs in (the `.venv` that `scripts/setup.sh`
creates), so the dependencies are installed once and the Rust build is incremental.
"""

from __future__ import annotations

import os
import sys

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]

ENV = {"VIRTUAL_ENV": sys.prefix, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
# Tools run as modules of this interpreter: without a virtualenv backend nox looks bare
# command names up on the ambient PATH, which may find another Python.
PY = sys.executable


def build(session: nox.Session, *features: str) -> None:
    """Build the extension in release mode into this environment (incremental)."""
    extra = ["--features", ",".join(features)] if features else []
    session.run(PY, "-m", "maturin", "develop", "--release", "--quiet", *extra, env=ENV)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demonstration."""
    build(session)
    session.run(PY, "-m", "quantumpanarchy", *session.posargs, env=ENV)


@nox.session
def tests(session: nox.Session) -> None:
    """Rust unit tests (domain code, no interpreter; the CUDA kernels under CPU emulation) and the
    Python suite (CUDA tests skip without a device)."""
    session.run("cargo", "test", "--no-default-features", "--release", "--quiet", external=True)
    # The CUDA kernels' logic on the CPU (fiber emulation of thread blocks; needs g++); the GPU
    # tests in it skip without a device.
    cuda = ["--no-default-features", "--features", "cuda", "--release", "--quiet", "--lib", "backend::cuda"]
    session.run("cargo", "test", *cuda, external=True)
    build(session)
    session.run(PY, "-m", "pytest", "-q", *session.posargs, env=ENV)


@nox.session
def lint(session: nox.Session) -> None:
    """rustfmt, clippy (default and CUDA builds, warnings are errors), ruff."""
    session.run("cargo", "fmt", "--all", "--", "--check", external=True)
    for features in ([], ["--no-default-features"], ["--features", "cuda"]):
        session.run("cargo", "clippy", "--all-targets", *features, "--", "-D", "warnings", external=True)
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
    session.run("cargo", "bench", "--no-default-features", "--bench", "kernels", external=True)
    session.run(PY, "benches/bench_core.py", *session.posargs, env=ENV)
    session.run(PY, "benches/bench_decision.py", env=ENV)


@nox.session
def gpu(session: nox.Session) -> None:
    """On a CUDA machine: build with the `cuda` feature, run the GPU tests and benchmark."""
    build(session, "cuda")
    session.run(PY, "-m", "pytest", "-q", "-m", "cuda", "tests", env=ENV)
    session.run(PY, "benches/bench_core.py", "--quick", env=ENV)
