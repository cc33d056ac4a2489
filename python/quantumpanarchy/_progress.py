"""Progress reporting for long native calls: ``progress=True`` shows a tqdm bar (notebook-aware
through ``tqdm.auto``) or, without tqdm, a line on stderr; a callable receives ``(done, total)``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from .exceptions import InvalidInputError


class _Bar:
    def __init__(self, desc: str, unit: str) -> None:
        self._desc, self._unit = desc, unit
        self._bar: Any = None
        self._last = 0.0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._tqdm: Any = None
        else:
            self._tqdm = tqdm

    def __call__(self, done: int, total: int) -> None:
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=total, desc=self._desc, unit=self._unit, unit_scale=True)
            self._bar.total = total
            self._bar.update(done - self._bar.n)
            return
        now = time.monotonic()
        if now - self._last >= 1.0 or done >= total:
            self._last = now
            pct = 100.0 * done / total if total else 100.0
            print(f"\r{self._desc}: {done}/{total} ({pct:5.1f}%)", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._tqdm is None and self._last:
            print(file=sys.stderr)


def make(
    progress: bool | Callable[[int, int], object] | None, desc: str, unit: str = "it"
) -> Callable[[int, int], object] | None:
    """The callback to drive, or None for no progress; ``unit`` names what ``done`` counts."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return _Bar(desc, unit)
    if callable(progress):
        return progress
    raise InvalidInputError(f"progress must be a bool or a callable(done, total), got {type(progress).__name__}")
