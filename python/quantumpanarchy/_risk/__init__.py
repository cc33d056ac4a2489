"""Implementations of :mod:`quantumpanarchy.risk`, one module per part; each lists its public names
in ``__all__`` and :mod:`quantumpanarchy.risk` re-exports them, which is where users import them from."""
