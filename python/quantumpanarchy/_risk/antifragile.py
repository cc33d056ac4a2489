"""Antifragility: barbell allocation, opportunity scores, convexity."""

from __future__ import annotations

__all__: list[str] = []
