"""Implementation of :mod:`quantumpanarchy.blackswan` (fits, diagnostics, return levels, the
detector); the public names are re-exported there."""
