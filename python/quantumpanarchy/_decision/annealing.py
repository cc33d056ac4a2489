"""Annealing: dwave-samplers' ``SimulatedAnnealingSampler`` on the kernels of
:mod:`quantumpanarchy.core`, as a dimod sampler.

:mod:`quantumpanarchy.decision` imports this module the first time ``Annealing`` is used, so that
``import quantumpanarchy`` does not pay for importing dimod (which takes longer than importing
quantumpanarchy). With dimod installed, ``Annealing`` derives from ``dimod.Sampler`` and
``dimod.Initialized``, as dwave-samplers' sampler does; without it, :class:`SamplerBase` gives it
the same ``remove_unknown_kwargs``, ``close`` and context-manager methods. Type checkers always
see :class:`SamplerBase`, so code using ``Annealing`` type-checks whether dimod is installed or not.

The rules of the arguments (the schedule, ``initial_states`` and ``initial_states_generator``,
``interrupt_function``, ``randomize_order``) are dwave-samplers' and are applied by the native
``PBitNetwork.anneal``; this module converts dimod's inputs and outputs and checks the argument
types dwave-samplers rejects with ``TypeError``.
"""

from __future__ import annotations

import abc
import math
import numbers
import time
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

import numpy as np
import numpy.typing as npt

from .. import _async
from ..core import Method, PBitNetwork, SampleSet, Temperature
from ..exceptions import InvalidInputError, InvalidTypeError
from ..performance import BackendName
from ._params import check_real

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack


class AnnealingDefaults(TypedDict, total=False):
    """The keyword arguments of :class:`Annealing` besides its named ones (``None``: the
    default). dwave-samplers' names and meanings first, then quantumpanarchy's own."""

    num_sweeps_per_beta: int | None
    beta_range: Sequence[float] | npt.NDArray[np.floating[Any]] | None
    beta_schedule_type: Literal["geometric", "linear", "custom"] | None
    beta_schedule: Sequence[float] | npt.NDArray[np.floating[Any]] | None
    interrupt_function: Callable[[], object] | None
    initial_states: Any
    initial_states_generator: Literal["none", "tile", "random"] | None
    randomize_order: bool | None
    proposal_acceptance_criteria: Literal["Metropolis", "Gibbs", "metropolis", "gibbs"] | None
    method: Method | None
    time_limit: float | None
    num_threads: int | None
    backend: BackendName | None
    progress: bool | Callable[[int, int], object] | None


class AnnealingOptions(AnnealingDefaults, total=False):
    """The keyword arguments of the sample methods of :class:`Annealing` (``None``: the
    constructor's value, else the default)."""

    num_reads: int | None
    num_sweeps: int | None
    seed: int | None
    schedule: Temperature | None


# dwave-samplers' parameters (each with the properties relevant to it), then ours.
_PARAMETERS: dict[str, list[str]] = {
    "beta_range": [],
    "num_reads": [],
    "num_sweeps": [],
    "num_sweeps_per_beta": [],
    "beta_schedule_type": ["beta_schedule_options"],
    "beta_schedule": [],
    "seed": [],
    "interrupt_function": [],
    "initial_states": [],
    "initial_states_generator": [],
    "randomize_order": [],
    "proposal_acceptance_criteria": [],
    "schedule": [],
    "method": [],
    "time_limit": [],
    "num_threads": [],
    "backend": [],
    "progress": [],
}
_INTEGERS = ("num_reads", "num_sweeps", "num_sweeps_per_beta", "seed", "num_threads")
_STRINGS = ("beta_schedule_type", "initial_states_generator", "proposal_acceptance_criteria", "method", "backend")
# Options whose valid values are a fixed list, spelled exactly (PBitNetwork.anneal's rule).
_CHOICES = {
    "beta_schedule_type": ("geometric", "linear", "custom"),
    "initial_states_generator": ("none", "tile", "random"),
}


class SamplerBase(abc.ABC):
    """What ``dimod.Sampler`` gives its subclasses, for when dimod is not installed."""

    @property
    @abc.abstractmethod
    def parameters(self) -> dict[str, list[str]]:
        """Each keyword argument the sample methods accept, with its relevant properties."""

    @property
    @abc.abstractmethod
    def properties(self) -> dict[str, Any]:
        """Information about the sampler."""

    def remove_unknown_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        """``kwargs`` without the keywords the sample methods do not accept (with a warning for
        each)."""
        for name in [k for k in kwargs if k not in self.parameters]:
            warnings.warn(f"Ignoring unknown kwarg: {name!r}", UserWarning, stacklevel=2)
            del kwargs[name]
        return kwargs

    def close(self) -> None:  # noqa: B027 - a no-op to override, as in dimod.Sampler
        """Release the sampler's resources (it holds none)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if TYPE_CHECKING:
    _Sampler = SamplerBase
    _Initialized = object
else:
    try:
        from dimod import Initialized as _Initialized
        from dimod import Sampler as _Sampler
    except ImportError:
        _Sampler, _Initialized = SamplerBase, object


class Annealing(_Sampler, _Initialized):
    """Simulated annealing of Ising models and QUBOs: a dimod sampler over ``quantumpanarchy.core``.

    A drop-in for dwave-samplers' ``SimulatedAnnealingSampler``: the same arguments with the
    same rules and defaults (``num_reads``, ``num_sweeps``, ``num_sweeps_per_beta``,
    ``beta_range``, ``beta_schedule_type`` in ``{"geometric", "linear", "custom"}``,
    ``beta_schedule``, ``seed``, ``interrupt_function``, ``initial_states``,
    ``initial_states_generator`` in ``{"none", "tile", "random"}``, ``randomize_order``,
    ``proposal_acceptance_criteria`` in ``{"Metropolis", "Gibbs"}``), the same default β range,
    and the same ``info`` (``beta_range``, ``beta_schedule_type``, ``timing`` in ns). Extras:
    ``schedule`` (a :class:`~quantumpanarchy.core.Temperature`), ``time_limit`` (seconds; reads
    not started by then are skipped, at least one always runs), ``num_threads`` (for this call
    only), ``backend`` (``"cpu"``, ``"cuda"``, ``"auto"``) and ``progress``.

    Arguments given to the constructor are defaults; any of them can be overridden per call
    (``None`` means the default). With a ``seed``, every call gives the same samples whatever
    the number of threads.

    ``sample(bqm)``, ``sample_ising(h, J)`` and ``sample_qubo(Q)`` return a ``dimod.SampleSet``
    (dimod is then needed: ``pip install 'quantumpanarchy[dimod]'``). ``sample(network)`` with a
    :class:`~quantumpanarchy.core.PBitNetwork` returns a :class:`~quantumpanarchy.core.SampleSet`
    and needs nothing else.
    """

    def __init__(
        self,
        schedule: Temperature | None = None,
        num_sweeps: int | None = None,
        num_reads: int | None = None,
        seed: int | None = None,
        **defaults: Unpack[AnnealingDefaults],
    ) -> None:
        given = {"schedule": schedule, "num_sweeps": num_sweeps, "num_reads": num_reads, "seed": seed, **defaults}
        self._defaults: dict[str, Any] = _checked(given)

    @property
    def parameters(self) -> dict[str, list[str]]:
        """dimod's sampler ``parameters``: each keyword argument the sample methods accept."""
        return {k: list(v) for k, v in _PARAMETERS.items()}

    @property
    def properties(self) -> dict[str, Any]:
        """dimod's sampler ``properties``."""
        return {"beta_schedule_options": ("linear", "geometric", "custom")}

    @overload
    def sample(self, bqm: PBitNetwork, **kwargs: Unpack[AnnealingOptions]) -> SampleSet: ...
    @overload
    def sample(self, bqm: Any, **kwargs: Unpack[AnnealingOptions]) -> Any: ...
    def sample(self, bqm: Any, **kwargs: Any) -> Any:
        """Anneal a dimod BQM (returns a ``dimod.SampleSet``) or a ``PBitNetwork`` (returns a
        :class:`~quantumpanarchy.core.SampleSet`)."""
        start = time.perf_counter_ns()
        options = self._options(kwargs)
        if isinstance(bqm, PBitNetwork):
            return bqm.anneal(**options)
        if not hasattr(bqm, "vartype") or not hasattr(bqm, "to_numpy_vectors"):
            raise InvalidInputError(f"expected a dimod BQM or a PBitNetwork, got {type(bqm).__name__}")
        network = PBitNetwork.from_dimod(bqm) if len(bqm.variables) else None
        return _sample_dimod(network, bqm.vartype.name, float(bqm.offset), options, start)

    def sample_ising(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Unpack[AnnealingOptions]) -> Any:
        """Anneal E(s) = Σ h_i s_i + Σ J_ij s_i s_j (dimod's convention; ``h`` a dict or a
        sequence) and return a ``dimod.SampleSet``."""
        start = time.perf_counter_ns()
        options = self._options(dict(kwargs))
        network = PBitNetwork.from_ising(h, J) if len(h) or len(J) else None
        return _sample_dimod(network, "SPIN", 0.0, options, start)

    def sample_qubo(self, Q: Any, **kwargs: Unpack[AnnealingOptions]) -> Any:
        """Anneal E(x) = Σ Q_uv x_u x_v over x ∈ {0, 1} (``Q`` a dict or a square matrix) and
        return a ``dimod.SampleSet``."""
        start = time.perf_counter_ns()
        options = self._options(dict(kwargs))
        empty = isinstance(Q, Mapping) and not Q
        network = None if empty else PBitNetwork.from_qubo(Q)
        return _sample_dimod(network, "BINARY", 0.0, options, start)

    async def sample_async(self, bqm: Any, **kwargs: Unpack[AnnealingOptions]) -> Any:
        """``sample`` off the event loop."""
        return await _async.to_thread(lambda: self.sample(bqm, **kwargs))

    async def sample_ising_async(
        self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Unpack[AnnealingOptions]
    ) -> Any:
        """``sample_ising`` off the event loop."""
        return await _async.to_thread(lambda: self.sample_ising(h, J, **kwargs))

    async def sample_qubo_async(self, Q: Any, **kwargs: Unpack[AnnealingOptions]) -> Any:
        """``sample_qubo`` off the event loop."""
        return await _async.to_thread(lambda: self.sample_qubo(Q, **kwargs))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._defaults.items())
        return f"Annealing({args})"

    def _options(self, call: dict[str, Any]) -> dict[str, Any]:
        """``PBitNetwork.anneal``'s keyword arguments: this call's over the constructor's. A call
        that gives βs step by step drops the constructor's ``num_sweeps`` and ``beta_range``, and
        one that gives a β range or a range's schedule type drops the constructor's step-by-step
        βs, so that a default of one kind never contradicts a schedule of the other."""
        given, defaults = _as_method(_checked(call)), _as_method(self._defaults)
        if "schedule" in given or "beta_schedule" in given:
            defaults = {k: v for k, v in defaults.items() if k not in ("num_sweeps", "beta_range")}
        if "beta_range" in given or given.get("beta_schedule_type") in ("geometric", "linear"):
            stepwise = {"schedule", "beta_schedule"} | (
                {"beta_schedule_type"} if defaults.get("beta_schedule_type") == "custom" else set()
            )
            defaults = {k: v for k, v in defaults.items() if k not in stepwise}
        options = {**defaults, **given}
        options.setdefault("initial_states_generator", "random")
        return options


def _checked(given: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments that are not None, with their names and types checked (a wrong type raises
    :class:`InvalidTypeError`, a ``TypeError``), and the values that do not depend on the problem
    (choices, ``time_limit``); ``PBitNetwork.anneal`` checks the rest. The constructor calls it,
    so a bad default fails there and not at the first sample."""
    options = {k: v for k, v in given.items() if v is not None}
    unknown = sorted(set(options) - set(_PARAMETERS))
    if unknown:
        raise InvalidInputError(f"unknown argument(s) {unknown}; Annealing accepts {sorted(_PARAMETERS)}")
    for name in _INTEGERS:
        if name in options and (
            isinstance(options[name], (bool, np.bool_)) or not isinstance(options[name], numbers.Integral)
        ):
            raise InvalidTypeError(f"{name} must be an integer or None, got {options[name]!r}")
    for name in _STRINGS:
        if name in options and not isinstance(options[name], str):
            raise InvalidTypeError(f"{name} must be a string or None, got {options[name]!r}")
    for name, choices in _CHOICES.items():
        if name in options and options[name] not in choices:
            valid = ", ".join(repr(c) for c in choices)
            raise InvalidInputError(f"{name} must be one of {valid} or None, got {options[name]!r}")
    _check_callables(options)
    if "time_limit" in options:
        t = check_real(options["time_limit"], "time_limit")
        if not (math.isfinite(t) and t > 0):
            raise InvalidInputError(f"time_limit must be a positive number of seconds or None, got {t}")
    if "schedule" in options and not isinstance(options["schedule"], Temperature):
        raise InvalidTypeError(
            f"schedule must be a quantumpanarchy.core.Temperature or None, got {options['schedule']!r}"
        )
    for name in ("beta_range", "beta_schedule"):
        if isinstance(options.get(name), (str, bytes, Mapping)) or not hasattr(options.get(name, ()), "__len__"):
            raise InvalidTypeError(f"{name} must be a sequence of real numbers or None, got {options[name]!r}")
    if "randomize_order" in options:
        options["randomize_order"] = bool(options["randomize_order"])  # dwave-samplers tests its truth
    _as_method(options)  # proposal_acceptance_criteria: a valid name that agrees with method
    return options


def _check_callables(options: dict[str, Any]) -> None:
    if not callable(options.get("interrupt_function", callable)):
        raise InvalidTypeError(f"interrupt_function must be callable or None, got {options['interrupt_function']!r}")
    progress = options.get("progress", False)
    if not (isinstance(progress, bool) or callable(progress)):
        raise InvalidTypeError(f"progress must be a bool, a callable or None, got {progress!r}")


def _as_method(options: dict[str, Any]) -> dict[str, Any]:
    """dwave-samplers' ``proposal_acceptance_criteria`` as our ``method`` (given both, they must
    agree)."""
    if "proposal_acceptance_criteria" not in options:
        return options
    out = dict(options)
    criteria = out.pop("proposal_acceptance_criteria")
    method = str(criteria).lower()
    if method not in ("metropolis", "gibbs"):
        raise InvalidInputError(f"proposal_acceptance_criteria must be 'Metropolis' or 'Gibbs', got {criteria!r}")
    if str(out.setdefault("method", method)).lower() != method:
        raise InvalidInputError(f"proposal_acceptance_criteria={criteria!r} contradicts method={out['method']!r}")
    return out


def _dimod() -> Any:
    """dimod, which the dimod-protocol methods return objects of."""
    try:
        import dimod
    except ImportError as exc:
        raise ImportError(
            "Annealing.sample_ising/sample_qubo and sample(bqm) return dimod objects: "
            "pip install 'quantumpanarchy[dimod]' (or sample a PBitNetwork)"
        ) from exc
    return dimod


def _sample_dimod(network: PBitNetwork | None, vartype: str, offset: float, options: dict[str, Any], start: int) -> Any:
    """Anneal ``network`` (``None``: a problem without variables and with energy ``offset``) and
    return a ``dimod.SampleSet`` with dwave-samplers' ``info``.

    A problem without variables runs on one placeholder spin without field, whose column is then
    dropped: every argument is checked, and reads are counted, as for any other problem.
    """
    dimod = _dimod()
    labels: list[Hashable] = [] if network is None else network.variables
    init = options.pop("initial_states", None)
    if init is not None:
        options["initial_states"] = _initial_states(dimod, init, labels, vartype)
    net = PBitNetwork.from_ising({0: 0.0}, {}) if network is None else network
    before = time.perf_counter_ns()
    result = net.anneal(**options)
    after = time.perf_counter_ns()
    info = {k: v for k, v in result.info.items() if k != "timing"}
    if network is None:
        samples, energies = np.empty((len(result), 0), dtype=np.int8), np.full(len(result), offset)
    else:
        samples, energies = result.samples, result.energies
    out = dimod.SampleSet.from_samples((samples, labels), vartype=vartype, energy=energies, info=info)
    out.info["timing"] = {
        "preprocessing_ns": before - start,
        "sampling_ns": after - before,
        "postprocessing_ns": time.perf_counter_ns() - after,
    }
    return out


def _initial_states(dimod: Any, states: Any, labels: list[Hashable], vartype: str) -> npt.NDArray[np.int8] | None:
    """dimod samples-like ``states`` (a SampleSet, dicts, ``(array, labels)``, an array) as ±1
    rows in the problem's variable order, or ``None`` when there are no rows. Their vartype is
    the SampleSet's, else read from the values, else the problem's (dimod's rule)."""
    if isinstance(states, dimod.SampleSet):
        given = states.vartype.name
    else:
        inferred = dimod.sampleset.infer_vartype(states)
        given = vartype if inferred is None else inferred.name
    array, variables = dimod.as_samples(states, copy=True)
    column = {v: k for k, v in enumerate(variables)}
    if len(column) != len(labels) or column.keys() != set(labels):
        raise InvalidInputError(
            f"initial_states must hold the problem's variables {labels[:10]}, got {list(variables)[:10]}"
        )
    if len(array) == 0:
        return None
    if not labels:  # the placeholder spin of a problem without variables
        return np.ones((len(array), 1), dtype=np.int8)
    rows = np.asarray(array)[:, [column[v] for v in labels]]
    spins = rows if given == "SPIN" else 2 * rows - 1
    if not np.all(np.isin(spins, (-1, 1))):
        allowed = "spins -1/+1" if given == "SPIN" else "bits 0/1"
        raise InvalidInputError(f"initial_states of vartype {given} must hold {allowed}, found {np.unique(rows)[:5]}")
    return spins.astype(np.int8)


Annealing.__module__ = "quantumpanarchy.decision"
if not TYPE_CHECKING:
    del _Sampler, _Initialized  # dimod's classes at run time, SamplerBase for type checkers
