"""The parts of :mod:`quantumpanarchy.automl`, one file per part."""
