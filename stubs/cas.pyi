"""Complex adaptive systems: self-organized criticality, power-law fitting and the sandpile model."""

__all__: list[str]
