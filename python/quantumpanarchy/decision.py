"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO).

Engines: :class:`Annealing`, :class:`QAOA`, :class:`QAR`, :class:`IQAD`, :class:`QERC` and :class:`NQO`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._decision.iqad import IQAD
from ._decision.nqo import NQO, NQOResult, minimize_nqo
from ._decision.qaoa import QAOA, PortfolioAllocation, QAOAParameters
from ._decision.qar import QAR, Action, Decision
from ._decision.qerc import QERC
from ._help import public_dir

if TYPE_CHECKING:
    from ._decision.annealing import Annealing

__all__ = [
    "IQAD",
    "NQO",
    "QAOA",
    "QAR",
    "QERC",
    "Action",
    "Annealing",
    "Decision",
    "NQOResult",
    "PortfolioAllocation",
    "QAOAParameters",
    "minimize_nqo",
]


def __getattr__(name: str) -> Any:
    # ``Annealing`` derives from dimod's classes when dimod is installed: its module is imported
    # on first use, so that ``import quantumpanarchy`` does not import dimod.
    if name == "Annealing":
        from ._decision.annealing import Annealing

        globals()[name] = Annealing
        return Annealing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__dir__ = public_dir(__all__)
