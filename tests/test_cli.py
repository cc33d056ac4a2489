"""The demonstration runs end to end and prints every section."""

from __future__ import annotations

import pytest
from quantumpanarchy.cli import main


def test_demo_runs_and_reports_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--assets", "8", "--budget", "3", "--reads", "8", "--sweeps", "200", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    headings = (
        "Portfolio selection",
        "Boltzmann machine",
        "Decision engines",
        "QAOA p=3",
        "QAR ",
        "IQAD ",
        "QERC ",
        "NQO ",
    )
    for heading in headings:
        assert heading in out
    assert "exact optimum" in out and "-> optimal" in out
