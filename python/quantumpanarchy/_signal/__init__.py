"""Implementations of :mod:`quantumpanarchy.signal`, one module per part; each lists its public names
in ``__all__`` and :mod:`quantumpanarchy.signal` re-exports them, which is where users import them from."""
