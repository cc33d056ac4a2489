"""Every ```python block in docs/*.md runs as written (blocks of one page share a namespace, in
order, so a page can build on its earlier examples)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
PAGES = sorted(p for p in DOCS.glob("*.md") if BLOCK.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_run(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for k, match in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8"))):
        code = compile(match.group(1), f"{page.name}[block {k}]", "exec")
        exec(code, namespace)
