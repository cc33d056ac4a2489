"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

from collections.abc import Callable, Sequence
from typing import TypeAlias

from numpy.typing import ArrayLike

# Engines written in Python are typed where they are implemented; this stub re-exports them.
from ._decision.annealing import Annealing as Annealing
from ._decision.iqad import IQAD as IQAD
from ._decision.nqo import NQO as NQO
from ._decision.nqo import NQOResult as NQOResult
from ._decision.nqo import minimize_nqo as minimize_nqo
from ._decision.qaoa import QAOA as QAOA
from ._decision.qaoa import PortfolioAllocation as PortfolioAllocation
from ._decision.qaoa import QAOAParameters as QAOAParameters
from ._decision.qar import QAR as QAR
from ._decision.qar import Action as Action
from ._decision.qar import Decision as Decision
from ._decision.qerc import QERC as QERC

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

_Progress: TypeAlias = bool | Callable[[int, int], object] | None
_Labels: TypeAlias = ArrayLike | Sequence[Action | str | int]
