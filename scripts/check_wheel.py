"""Check the release artefacts in a dist/ folder: `python scripts/check_wheel.py dist`.

The wheel: tagged abi3 and manylinux_2_28; OpenBLAS vendored in ``quantumpanarchy.libs`` and
found through ``$ORIGIN`` alone (no path of the build machine); every shared object needs only
libraries of the manylinux policy or the vendored ones, and glibc symbol versions up to 2.28;
stubs, ``py.typed`` and the license files inside; metadata with the SPDX license, URLs and only
the published extras. The sdist: the sources a build needs, and no build output.
Exits non-zero with a list of what is wrong.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

MAX_GLIBC = (2, 28)
SYSTEM_LIBS = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libgcc_s.so.1"}
SYSTEM_LIBS |= {"ld-linux-x86-64.so.2"}
EXTRAS = {"cuda", "cuda12", "pandas", "dimod", "progress", "dask"}
SDIST_NEEDS = ["Cargo.toml", "Cargo.lock", "build.rs", "pyproject.toml", "src/lib.rs", "src/lapack.rs"]
SDIST_NEEDS += ["python/quantumpanarchy/__init__.py", "python/quantumpanarchy/core.pyi", "LICENSE-MIT"]


def elf(args: list[str], path: Path) -> str:
    return subprocess.run([*args, str(path)], check=True, capture_output=True, text=True).stdout


def check_wheel(wheel: Path, problems: list[str]) -> None:
    if not re.search(r"-cp310-abi3-manylinux_2_28_x86_64\.whl$", wheel.name):
        problems.append(f"{wheel.name}: expected the tag cp310-abi3-manylinux_2_28_x86_64")
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        names = z.namelist()
        z.extractall(tmp)
        root = Path(tmp)
        for needed in ("quantumpanarchy/py.typed", "quantumpanarchy/core.pyi", "quantumpanarchy/_native.abi3.so"):
            if needed not in names:
                problems.append(f"wheel lacks {needed}")
        vendored = {Path(n).name for n in names if n.startswith("quantumpanarchy.libs/")}
        if not any(n.startswith("libscipy_openblas") for n in vendored):
            problems.append("wheel does not vendor OpenBLAS (quantumpanarchy.libs/libscipy_openblas*)")
        licenses = [n for n in names if ".dist-info/licenses/" in n]
        if not any(n.endswith("LICENSES/OpenBLAS.txt") for n in licenses) or len(licenses) < 3:
            problems.append(f"wheel lacks the license files (has {licenses})")
        for so in sorted(root.rglob("*.so*")):
            check_shared_object(so, root, vendored, problems)
        metadata = next(root.glob("*.dist-info/METADATA")).read_text()
        check_metadata(Parser().parsestr(metadata), problems)


def check_shared_object(so: Path, root: Path, vendored: set[str], problems: list[str]) -> None:
    name = so.relative_to(root)
    dynamic = elf(["readelf", "-d"], so)
    for kind, value in re.findall(r"\((RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.*)\]", dynamic):
        for entry in value.split(":"):
            if not entry.startswith("$ORIGIN"):
                problems.append(f"{name}: {kind} names a path of the build machine: {entry}")
    for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", dynamic):
        if lib not in SYSTEM_LIBS and lib not in vendored:
            problems.append(f"{name}: needs {lib}, which is neither a manylinux system library nor vendored")
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", elf(["objdump", "-T"], so))}
    too_new = sorted(v for v in versions if v > MAX_GLIBC)
    if too_new:
        problems.append(f"{name}: needs glibc {'.'.join(map(str, too_new[-1]))} (manylinux_2_28 allows 2.28)")


def check_metadata(meta: Message, problems: list[str]) -> None:
    if meta.get("License-Expression") != "MIT OR Apache-2.0":
        problems.append(f"License-Expression is {meta.get('License-Expression')!r}")
    if not meta.get_all("Project-URL"):
        problems.append("no Project-URL in the metadata")
    extras = set(meta.get_all("Provides-Extra") or [])
    if extras != EXTRAS:
        problems.append(f"published extras are {sorted(extras)}, expected {sorted(EXTRAS)}")
    if not any(r.startswith("numpy") for r in meta.get_all("Requires-Dist") or []):
        problems.append("numpy is not a dependency")


def check_sdist(sdist: Path, problems: list[str]) -> None:
    with tarfile.open(sdist) as t:
        names = [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
    for needed in SDIST_NEEDS:
        if needed not in names:
            problems.append(f"sdist lacks {needed}")
    for junk in ("target/", ".venv/", "dist/", "gpu-kit/"):
        if any(n.startswith(junk) for n in names):
            problems.append(f"sdist contains {junk}")


def main(dist: str) -> int:
    problems: list[str] = []
    wheels = sorted(Path(dist).glob("quantumpanarchy-*.whl"))
    sdists = sorted(Path(dist).glob("quantumpanarchy-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        problems.append(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
    else:
        check_wheel(wheels[0], problems)
        check_sdist(sdists[0], problems)
    for p in problems:
        print(f"check_wheel: {p}", file=sys.stderr)
    if not problems:
        print(f"check_wheel: {wheels[0].name} and {sdists[0].name} are fine")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))
