"""Tail risk: peaks-over-threshold with generalized Pareto fits, block maxima with GEV, Hill estimator,
EVT VaR/ES and return levels."""

__all__: list[str]
