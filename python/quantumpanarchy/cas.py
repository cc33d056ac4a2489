"""Complex adaptive systems: self-organized criticality, power-law fitting and the sandpile model.

This namespace is part of the public layout; its engines arrive in later releases, so it
exports nothing yet."""

from __future__ import annotations

__all__: list[str] = []
