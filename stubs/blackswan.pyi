"""Tail risk: peaks-over-threshold with generalized Pareto fits, block maxima with GEV, Hill estimator,
EVT VaR/ES and return levels (see docs/blackswan.md)."""

# Implemented in typed Python modules; this stub re-exports them.
from ._blackswan._detector import BlackSwanDetector as BlackSwanDetector
from ._blackswan._diagnostics import HillEstimate as HillEstimate
from ._blackswan._diagnostics import HillPlot as HillPlot
from ._blackswan._diagnostics import MeanResidualLife as MeanResidualLife
from ._blackswan._diagnostics import ParameterStability as ParameterStability
from ._blackswan._diagnostics import hill as hill
from ._blackswan._diagnostics import hill_plot as hill_plot
from ._blackswan._diagnostics import mean_residual_life as mean_residual_life
from ._blackswan._diagnostics import parameter_stability as parameter_stability
from ._blackswan._fits import GEVFit as GEVFit
from ._blackswan._fits import GPDFit as GPDFit
from ._blackswan._fits import block_maxima as block_maxima
from ._blackswan._fits import fit_gev as fit_gev
from ._blackswan._fits import fit_gpd as fit_gpd
from ._blackswan._levels import ReturnLevel as ReturnLevel
from ._blackswan._levels import evt_es as evt_es
from ._blackswan._levels import evt_var as evt_var
from ._blackswan._levels import return_level as return_level

__all__ = [
    "BlackSwanDetector",
    "GEVFit",
    "GPDFit",
    "HillEstimate",
    "HillPlot",
    "MeanResidualLife",
    "ParameterStability",
    "ReturnLevel",
    "block_maxima",
    "evt_es",
    "evt_var",
    "fit_gev",
    "fit_gpd",
    "hill",
    "hill_plot",
    "mean_residual_life",
    "parameter_stability",
    "return_level",
]
