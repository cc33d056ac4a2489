#!/usr/bin/env bash
# The GPU run: on a lent GPU machine (Python with numpy, scipy, pandas, pytest; the NVIDIA driver
# and CUDA 12 or 13 libraries; no Rust, no package registry), from the repository root, with the
# kit that `nox -s gpu-kit` prepared in gpu-kit/:
#
#     bash scripts/gpu_run.sh          # every figure goes to $OUT/gpu-run.log (OUT defaults to gpu-kit/out)
#
# It installs the wheel with `pip --no-index`, makes NVRTC findable (pip's nvidia wheels or the
# toolkit's, CUDA 13 or 12), and runs the Rust GPU tests with the CUDA kernels' CPU emulation, the
# Python GPU tests, the QAOA kernel roofline and the annealing benchmark's GPU rows and roofline.
# Without a usable GPU it says why and exits 0 after the install and backend checks.
set -uo pipefail
KIT=${KIT:-gpu-kit}
OUT=${OUT:-$KIT/out}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-run.log") 2>&1
step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
failed=()
run() { # run a step; remember failures, go on with the next
    local name=$1
    shift
    step "$name"
    "$@" || failed+=("$name (exit $?)")
}

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv 2>&1 || echo "no nvidia-smi"
uname -srm
ldd --version | head -n 1
"$PY" --version

step "install the wheel (pip --no-index)"
site=$(mktemp -d)/site
"$PY" -m pip install -q --no-index --no-deps --no-compile --target "$site" "$KIT"/quantumpanarchy-*.whl || exit 1
# dimod and dwave-samplers for the annealing benchmark, built for the device's Python 3.12
"$PY" -m pip install -q --no-index --no-deps --no-compile --target "$site" "$KIT"/wheels/*.whl ||
    echo "(the anchor wheels are for another Python: the annealing benchmark will be skipped)"
export PYTHONPATH=$site
ls "$site" | tr '\n' ' '
echo

step "NVRTC"
# pip's wheels (CUDA 13: nvidia/cu13/lib, CUDA 12: nvidia/cuda_nvrtc/lib) are found by the package
# itself; the Rust test binaries need them on the loader path, as does a toolkit outside ldconfig.
nvrtc_dirs=$("$PY" - <<'EOF'
import glob, os, site, sys
roots = [p for p in sys.path if p.endswith("-packages")] + [site.getusersitepackages()]
found = []
for root in roots:
    for sub in ("nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"):
        found += glob.glob(os.path.join(root, sub, "libnvrtc.so.1[23]*"))
found += glob.glob("/usr/local/cuda*/lib64/libnvrtc.so.1[23]*") + glob.glob("/usr/local/cuda*/targets/*/lib/libnvrtc.so.1[23]*")
for f in found:
    print(f, file=sys.stderr)
print(":".join(dict.fromkeys(os.path.dirname(f) for f in found)))
EOF
)
ldconfig -p 2>/dev/null | grep -E "libnvrtc|libcuda\.so" || echo "(none in ldconfig's cache)"

# The Rust binaries link libscipy_openblas.so: the wheel's vendored copy, under that name.
libs=$(mktemp -d)
ln -s "$site"/quantumpanarchy.libs/libscipy_openblas*.so "$libs/libscipy_openblas.so"
export LD_LIBRARY_PATH=$libs${nvrtc_dirs:+:$nvrtc_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

step "the kit's Rust binaries load"
"$KIT/bin/rust-tests" --list | tail -n 1 || exit 1

step "backend"
"$PY" -c "import json; from quantumpanarchy import performance; print(json.dumps(performance.backend_info(), indent=1))"
if ! "$PY" -c "from quantumpanarchy import performance; raise SystemExit(not performance.cuda_is_available())"; then
    reason=$("$PY" -c "from quantumpanarchy import performance; print(performance.backend_info()['cuda']['reason'])")
    echo "no GPU: $reason"
    echo "gpu-run: the kit installed and reports no usable CUDA device; nothing to measure"
    exit 0
fi

export PYTHONUNBUFFERED=1 RUST_BACKTRACE=1
run "Rust: CUDA tests on the GPU and the kernels' CPU emulation" "$KIT/bin/rust-tests" cuda --test-threads=1
run "Python: GPU tests" "$PY" -m pytest -q -p no:cacheprovider -m cuda tests/test_cuda.py tests/test_core_api.py tests/test_decision_qaoa.py tests/test_risk_montecarlo.py
run "QAOA expectation: CPU rows (n = 20, 22) and GPU rows against the bandwidth roofline (n = 24..28)" \
    env KERNELS_CASE=qaoa "$KIT/bin/kernels-bench"
run "Monte Carlo VaR: GPU row against the CPU and NumPy, RNG roofline" "$PY" benches/bench_risk_mc.py --quick
run "annealing: GPU rows against the CPU and dwave-samplers, roofline" "$PY" benches/bench_core.py --quick --no-openjij

step "summary"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'failed: %s\n' "${failed[@]}"
    exit 1
fi
echo "gpu-run: every step passed"
