"""Run dwave-samplers' own sampler tests with ``decision.Annealing`` in place of its
``SimulatedAnnealingSampler``.

    python tests/peers/dwave_samplers.py [--sdist FILE] [pytest arguments ...]

The test file (``tests/test_simulated_annealing_sampler.py``) comes from the sdist of the
dwave-samplers version installed here: the sdist is downloaded from PyPI's simple index (PEP 691
JSON) and checked against the sha256 the index gives, or read from ``--sdist FILE`` offline.
Only that file is extracted, into a temporary directory; pytest then runs it with a plugin that
puts ``Annealing`` wherever the file imports the sampler from (its module-level helpers, such as
``_default_ising_beta_range``, stay dwave-samplers' own). Prints the counts of passed and failed
tests and subtests; the exit status is non-zero if any failed, none ran, or a test module still
held dwave-samplers' class.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import sys
import tarfile
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

PACKAGE = "dwave-samplers"
TEST_FILE = "tests/test_simulated_annealing_sampler.py"
INDEX = "https://pypi.org/simple/{name}/"
PEP_691 = "application/vnd.pypi.simple.v1+json"


def sdist_from_pypi(version: str, into: Path) -> Path:
    """Download the sdist of ``PACKAGE==version`` and check its sha256 against the index's."""
    request = urllib.request.Request(INDEX.format(name=PACKAGE), headers={"Accept": PEP_691})
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    # sdists are named with the normalised project name (PEP 625), older ones as registered
    names = {f"{PACKAGE.replace('-', '_')}-{version}.tar.gz", f"{PACKAGE}-{version}.tar.gz"}
    entry = next((f for f in files if f["filename"].lower() in names), None)
    if entry is None:
        raise SystemExit(f"PyPI lists no sdist of {PACKAGE} {version} (looked for {sorted(names)})")
    with urllib.request.urlopen(entry["url"], timeout=300) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["hashes"].get("sha256"):
        raise SystemExit(f"{entry['filename']}: sha256 {digest} is not the one PyPI gives ({entry['hashes']})")
    path = into / str(entry["filename"])
    path.write_bytes(data)
    return path


def extract_test_file(sdist: Path, into: Path) -> Path:
    """Copy ``TEST_FILE`` (and nothing else) out of the sdist."""
    with tarfile.open(sdist, "r:gz") as tar:
        member = next((m for m in tar.getmembers() if m.isfile() and m.name.endswith("/" + TEST_FILE)), None)
        source = tar.extractfile(member) if member is not None else None
        if source is None:
            raise SystemExit(f"{sdist.name} holds no {TEST_FILE}")
        target = into / Path(TEST_FILE).name
        target.write_bytes(source.read())
    return target


class SwapSampler:
    """A pytest plugin that makes ``Annealing`` dwave-samplers' ``SimulatedAnnealingSampler``
    before the test file is imported, checks that every collected test sees it, and keeps the
    counts of the outcomes."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.unswapped: list[str] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        import dwave.samplers
        import dwave.samplers.sa
        import dwave.samplers.sa.sampler
        from quantumpanarchy.decision import Annealing

        for module in (dwave.samplers, dwave.samplers.sa, dwave.samplers.sa.sampler):
            module.SimulatedAnnealingSampler = Annealing  # type: ignore[attr-defined,unused-ignore]

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from quantumpanarchy.decision import Annealing

        for item in session.items:
            module: Any = getattr(item, "module", None)
            if getattr(module, "SimulatedAnnealingSampler", Annealing) is not Annealing:
                self.unswapped.append(item.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        reporter: Any = session.config.pluginmanager.get_plugin("terminalreporter")
        stats: dict[str, list[Any]] = reporter.stats if reporter is not None else {}
        self.counts = {outcome: len(reports) for outcome, reports in stats.items() if outcome}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sdist", type=Path, help="a local sdist of the installed version (no download)")
    args, pytest_args = parser.parse_known_args(argv)
    version = importlib.metadata.version(PACKAGE)
    with tempfile.TemporaryDirectory(prefix="dwave-samplers-tests-") as tmp:
        work = Path(tmp)
        sdist = args.sdist if args.sdist is not None else sdist_from_pypi(version, work)
        test_file = extract_test_file(sdist, work)
        (work / "pytest.ini").write_text("[pytest]\n")  # no configuration of ours or from above
        plugin = SwapSampler()
        status = pytest.main(
            [
                "-q",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                tmp,
                "-c",
                str(work / "pytest.ini"),
                *pytest_args,
                str(test_file),
            ],
            plugins=[plugin],
        )
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(plugin.counts.items())) or "nothing ran"
    print(f"dwave-samplers {version} {TEST_FILE} with decision.Annealing: {counts}")
    if plugin.unswapped:
        print("these tests did not see Annealing:", *plugin.unswapped, sep="\n  ")
        return 3
    if status != 0 or not plugin.counts.get("passed"):
        return int(status) or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
