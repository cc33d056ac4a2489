#!/usr/bin/env bash
# Smoke test of the release wheel as a user gets it: `scripts/wheel_smoke.sh WHEEL [BUILD_OPENBLAS_DIR]`.
# Installs WHEEL into a fresh virtualenv (numpy from the package index), then runs
# scripts/wheel_smoke.py in a private mount namespace where every OpenBLAS, libgfortran and
# libquadmath of the system, and the scipy-openblas32 library the build linked, are hidden: the
# wheel must bring everything it needs. Needs root (or unprivileged user namespaces) for unshare.
set -euo pipefail
wheel=$(realpath "$1")
build_openblas=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"

# Real files (not the symlinks) of every library that must not be needed.
hidden=$(
    for pattern in 'libopenblas*.so*' 'libgfortran.so*' 'libquadmath.so*' 'libblas.so*' 'liblapack.so*'; do
        find /usr/lib /usr/local/lib /lib /lib64 -name "$pattern" 2>/dev/null
    done | xargs -r -n1 readlink -f | sort -u
)
[ "$(id -u)" -eq 0 ] && ns=(unshare -m) || ns=(unshare -rm)
echo "wheel smoke test: $(basename "$wheel") in a fresh virtualenv; hidden: $(echo "$hidden" | wc -w) system libraries${build_openblas:+ and $build_openblas}"
HIDDEN="$hidden" BUILD_OPENBLAS="$build_openblas" "${ns[@]}" bash -c '
    set -euo pipefail
    for f in $HIDDEN; do mount --bind /dev/null "$f"; done
    if [ -n "$BUILD_OPENBLAS" ] && [ -d "$BUILD_OPENBLAS" ]; then mount -t tmpfs none "$BUILD_OPENBLAS"; fi
    cd /
    exec "$0" -I "$1"
' "$work/venv/bin/python" "$here/wheel_smoke.py"
