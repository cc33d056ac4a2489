"""Complex adaptive systems: power-law fitting with the ``powerlaw`` package's names and numbers,
the Bak–Tang–Wiesenfeld sandpile, and self-organised criticality in price series."""

# Everything is typed where it is implemented (python/quantumpanarchy/_cas/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

__all__: list[str]
