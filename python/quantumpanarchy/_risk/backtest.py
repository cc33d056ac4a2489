"""VaR backtests: Kupiec, Christoffersen, Basel traffic light."""

from __future__ import annotations

__all__: list[str] = []
