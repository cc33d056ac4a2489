"""Performance statistics with empyrical's definitions."""

from __future__ import annotations

__all__: list[str] = []
