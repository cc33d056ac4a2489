"""Implementations of the decision engines, one module each; the public names are re-exported by
:mod:`quantumpanarchy.decision`, which is where users import them from."""
