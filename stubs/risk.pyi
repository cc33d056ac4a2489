"""Risk and antifragility: VaR/CVaR (historical, parametric, Monte Carlo), Kelly sizing, barbell
allocation, regimes and performance statistics."""

__all__: list[str]
