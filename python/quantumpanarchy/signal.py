"""Patterns and indicators: TA-Lib-compatible candlestick patterns and technical indicators, chart
patterns, Fibonacci levels.

This namespace is part of the public layout; its engines arrive in later releases, so it
exports nothing yet."""

from __future__ import annotations

__all__: list[str] = []
