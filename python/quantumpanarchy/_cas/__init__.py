"""Implementations of :mod:`quantumpanarchy.cas`, one module per part; each lists its public names
in ``__all__`` and :mod:`quantumpanarchy.cas` re-exports them, which is where users import them from."""
