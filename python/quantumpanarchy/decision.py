"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO).

Engines: :class:`Annealing`, :class:`QAOA`, :class:`QAR`, :class:`IQAD`, :class:`QERC` and :class:`NQO`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any

from ._decision.iqad import IQAD
from ._decision.nqo import NQO, NQOResult, minimize_nqo
from ._decision.qaoa import QAOA, PortfolioAllocation, QAOAParameters
from ._decision.qar import QAR, Action, Decision
from ._decision.qerc import QERC
from ._help import public_dir
from .core import Method, PBitNetwork, SampleSet, ScheduleType, Temperature
from .exceptions import InvalidInputError

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
__dir__ = public_dir(__all__)

# dwave-samplers' SimulatedAnnealingSampler parameters that mean the same here, plus ours.
_PARAMETERS: dict[str, list[str]] = {
    "num_reads": [],
    "num_sweeps": [],
    "num_sweeps_per_beta": [],
    "beta_range": [],
    "beta_schedule_type": ["beta_schedule_options"],
    "beta_schedule": [],
    "schedule": [],
    "seed": [],
    "initial_states": [],
    "proposal_acceptance_criteria": [],
    "method": [],
    "time_limit": [],
    "num_threads": [],
    "backend": [],
    "progress": [],
}


class Annealing:
    """Simulated annealing of Ising models and QUBOs: a dimod sampler over ``quantumpanarchy.core``.

    A drop-in for dwave-samplers' ``SimulatedAnnealingSampler``: the same argument names
    (``num_reads``, ``num_sweeps``, ``num_sweeps_per_beta``, ``beta_range``,
    ``beta_schedule_type`` in ``{"geometric", "linear", "custom"}``, ``beta_schedule``,
    ``seed``, ``initial_states``, ``proposal_acceptance_criteria`` in
    ``{"Metropolis", "Gibbs"}``), the same default β range, and, with dimod installed, an
    instance of ``dimod.Sampler`` whose ``sample(bqm)`` returns a ``dimod.SampleSet``. Extras:
    ``time_limit`` (seconds; reads not started by then are skipped, at least one always runs),
    ``num_threads`` (for this call only), ``backend`` (``"cpu"``, ``"cuda"``, ``"auto"``) and
    ``progress``.

    Arguments given to the constructor are defaults; any of them can be overridden per call.
    With a ``seed``, every call gives the same samples whatever the number of threads.

    As a dimod sampler, ``sample(bqm)``, ``sample_ising(h, J)`` and ``sample_qubo(Q)`` return a
    ``dimod.SampleSet`` (dimod is then needed: ``pip install 'quantumpanarchy[dimod]'``).
    ``sample(network)`` with a :class:`~quantumpanarchy.core.PBitNetwork` returns a
    :class:`~quantumpanarchy.core.SampleSet` and needs nothing else.
    """

    def __init__(
        self,
        schedule: Temperature | None = None,
        num_sweeps: int = 1000,
        num_reads: int = 10,
        seed: int | None = None,
        **defaults: Any,
    ) -> None:
        self._defaults: dict[str, Any] = {"num_sweeps": num_sweeps, "num_reads": num_reads, "seed": seed}
        if schedule is not None:
            self._defaults["schedule"] = schedule
        self._defaults.update(defaults)
        self._options(self._defaults)  # fail here, not at the first call
        _register_with_dimod()

    @property
    def parameters(self) -> dict[str, list[str]]:
        """dimod's sampler ``parameters``: each keyword argument ``sample`` accepts."""
        return {k: list(v) for k, v in _PARAMETERS.items()}

    @property
    def properties(self) -> dict[str, Any]:
        """dimod's sampler ``properties``."""
        return {"beta_schedule_options": ("linear", "geometric", "custom")}

    def sample(self, bqm: Any, **kwargs: Any) -> Any:
        """Anneal a dimod BQM (returns a ``dimod.SampleSet``) or a ``PBitNetwork`` (returns a
        :class:`~quantumpanarchy.core.SampleSet`)."""
        if isinstance(bqm, PBitNetwork):
            return self._anneal(bqm, kwargs)
        if not hasattr(bqm, "vartype") or not hasattr(bqm, "to_numpy_vectors"):
            raise InvalidInputError(f"expected a dimod BQM or a PBitNetwork, got {type(bqm).__name__}")
        dimod = _dimod()
        if len(bqm.variables) == 0:
            self._options({**self._defaults, **kwargs})
            return dimod.SampleSet.from_samples([], bqm.vartype, energy=[])
        return self._anneal(PBitNetwork.from_dimod(bqm), kwargs).to_dimod()

    def sample_ising(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any:
        """Anneal E(s) = Σ h_i s_i + Σ J_ij s_i s_j (dimod's convention; ``h`` a dict or a
        sequence) and return a ``dimod.SampleSet``."""
        dimod = _dimod()
        if not len(h) and not len(J):
            return self.sample(dimod.BinaryQuadraticModel("SPIN"), **kwargs)
        return self._anneal(PBitNetwork.from_ising(h, J), kwargs).to_dimod()

    def sample_qubo(self, Q: Any, **kwargs: Any) -> Any:
        """Anneal E(x) = Σ Q_uv x_u x_v over x ∈ {0, 1} (``Q`` a dict or a square matrix) and
        return a ``dimod.SampleSet``."""
        dimod = _dimod()
        if isinstance(Q, Mapping) and not Q:
            return self.sample(dimod.BinaryQuadraticModel("BINARY"), **kwargs)
        return self._anneal(PBitNetwork.from_qubo(Q), kwargs).to_dimod()

    async def sample_async(self, bqm: Any, **kwargs: Any) -> Any:
        """``sample`` off the event loop."""
        return await asyncio.to_thread(self.sample, bqm, **kwargs)

    async def sample_ising_async(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any:
        """``sample_ising`` off the event loop."""
        return await asyncio.to_thread(self.sample_ising, h, J, **kwargs)

    async def sample_qubo_async(self, Q: Any, **kwargs: Any) -> Any:
        """``sample_qubo`` off the event loop."""
        return await asyncio.to_thread(self.sample_qubo, Q, **kwargs)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._defaults.items())
        return f"Annealing({args})"

    def _anneal(self, network: PBitNetwork, kwargs: dict[str, Any]) -> SampleSet:
        return network.anneal(**self._options({**self._defaults, **kwargs}))

    @staticmethod
    def _options(given: dict[str, Any]) -> dict[str, Any]:
        """``PBitNetwork.anneal``'s keyword arguments for dwave-samplers' (checked)."""
        unknown = sorted(set(given) - set(_PARAMETERS))
        if unknown:
            raise InvalidInputError(f"unknown argument(s) {unknown}; Annealing accepts {sorted(_PARAMETERS)}")
        opts = {k: v for k, v in given.items() if v is not None}
        method: Method = opts.pop("method", "metropolis")
        criteria = opts.pop("proposal_acceptance_criteria", None)
        if criteria is not None:
            if str(criteria).lower() not in ("metropolis", "gibbs"):
                raise InvalidInputError(
                    f"proposal_acceptance_criteria must be 'Metropolis' or 'Gibbs', got {criteria!r}"
                )
            method = "gibbs" if str(criteria).lower() == "gibbs" else "metropolis"
        kind: str = opts.pop("beta_schedule_type", "geometric")
        betas = opts.pop("beta_schedule", None)
        if kind == "custom" or betas is not None:
            if kind != "custom" or betas is None:
                raise InvalidInputError("beta_schedule goes with beta_schedule_type='custom', and that needs it")
            if "beta_range" in opts or "schedule" in opts:
                raise InvalidInputError("give beta_schedule or beta_range/schedule, not both")
            opts["schedule"] = Temperature.from_betas(betas)
        elif kind not in ("geometric", "linear"):
            raise InvalidInputError(f"beta_schedule_type must be 'geometric', 'linear' or 'custom', got {kind!r}")
        else:
            schedule_type: ScheduleType = "geometric" if kind == "geometric" else "linear"
            opts["beta_schedule_type"] = schedule_type
        if "schedule" in opts:
            # a schedule fixes the sweeps: num_sweeps and beta_range do not apply
            opts.pop("num_sweeps", None)
            opts.pop("beta_schedule_type", None)
            if "beta_range" in opts:
                raise InvalidInputError("give either a schedule or beta_range, not both")
        opts["method"] = method
        return opts


def _dimod() -> Any:
    """dimod, which the dimod-protocol methods return objects of."""
    try:
        import dimod
    except ImportError as exc:
        raise ImportError(
            "Annealing.sample_ising/sample_qubo and sample(bqm) return dimod objects: "
            "pip install 'quantumpanarchy[dimod]' (or sample a PBitNetwork)"
        ) from exc
    _register_with_dimod()
    return dimod


def _register_with_dimod() -> None:
    """Make ``Annealing`` a (virtual) ``dimod.Sampler`` once dimod is imported; importing it
    here would cost every user of this module dimod's import time, and dimod is optional."""
    dimod = sys.modules.get("dimod")
    if dimod is not None and not issubclass(Annealing, dimod.Sampler):
        dimod.Sampler.register(Annealing)
