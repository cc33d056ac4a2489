"""Monte Carlo VaR and CVaR."""

from __future__ import annotations

__all__: list[str] = []
