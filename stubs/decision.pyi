"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, overload

from numpy.typing import ArrayLike

# Engines written in Python are typed where they are implemented; this stub re-exports them.
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
from .core import PBitNetwork, SampleSet, Temperature

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

class Annealing:
    """Simulated annealing of Ising models and QUBOs: a dimod sampler over ``quantumpanarchy.core``."""

    def __init__(
        self,
        schedule: Temperature | None = None,
        num_sweeps: int = 1000,
        num_reads: int = 10,
        seed: int | None = None,
        **defaults: Any,
    ) -> None: ...
    @property
    def parameters(self) -> dict[str, list[str]]: ...
    @property
    def properties(self) -> dict[str, Any]: ...
    @overload
    def sample(self, bqm: PBitNetwork, **kwargs: Any) -> SampleSet: ...
    @overload
    def sample(self, bqm: Any, **kwargs: Any) -> Any: ...
    def sample_ising(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any: ...
    def sample_qubo(self, Q: Any, **kwargs: Any) -> Any: ...
    async def sample_async(self, bqm: PBitNetwork | Any, **kwargs: Any) -> Any: ...
    async def sample_ising_async(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any: ...
    async def sample_qubo_async(self, Q: Any, **kwargs: Any) -> Any: ...

_Progress: TypeAlias = bool | Callable[[int, int], object] | None
_Labels: TypeAlias = ArrayLike | Sequence[Action | str | int]
