"""Historical and parametric VaR and CVaR, rolling and portfolio forms."""

from __future__ import annotations

__all__: list[str] = []
