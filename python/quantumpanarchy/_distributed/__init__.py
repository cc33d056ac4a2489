"""The parts of :mod:`quantumpanarchy.distributed`, one file per helper."""
