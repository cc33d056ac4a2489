#!/usr/bin/env bash
# Set up a fresh Debian machine (Rust + Python 3.10+, as root or with sudo) for quantumpanarchy:
# the system OpenBLAS (and g++ for the tests), a virtualenv `.venv` with the test and dev
# dependencies, and the extension built in release mode. Safe to run again; later runs only rebuild what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenBLAS for LAPACK; g++ for the CPU emulation of the CUDA kernels in the tests.
if ! dpkg -s libopenblas-dev >/dev/null 2>&1 || ! command -v g++ >/dev/null; then
    SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev g++ >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "maturin>=1.7,<2"
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m maturin develop --release --quiet --extras dev
echo "quantumpanarchy is installed in $PWD/.venv"
