"""The parts of :mod:`quantumpanarchy.intelligence`, one file per part."""
