"""Probabilistic computing and the quantitative-finance engines built on it, on a Rust core.

p-bits, Ising models and Boltzmann machines, simulated annealing, QAOA simulation, and decision
engines for markets; CPU threads everywhere, CUDA when built with it and a GPU is present.

Anneal a small Ising model, E(s) = -Σ_{i<j} J_ij s_i s_j with spins s_i = ±1:

    >>> import numpy as np
    >>> from quantumpanarchy.core import PBitNetwork
    >>> J = np.ones((3, 3)) - np.eye(3)  # three spins, every pair coupled ferromagnetically
    >>> best = PBitNetwork.from_dense(J).anneal(num_reads=8, num_sweeps=100, seed=0).first
    >>> best.energy, abs(int(best.sample.sum()))  # the ground state: all spins aligned
    (-3.0, 3)

Minimise a QUBO, E(x) = xᵀQx over bits x_i ∈ {0, 1}, with the dwave-samplers-style sampler:

    >>> from quantumpanarchy.decision import Annealing
    >>> Q = np.array([[-1.0, 2.0], [0.0, -1.0]])  # each bit wants to be 1, but not both at once
    >>> sampler = Annealing(num_reads=8, num_sweeps=100, seed=0)
    >>> first = sampler.sample(PBitNetwork.from_qubo(Q)).first
    >>> first.energy, int(first.sample.sum())
    (-1.0, 1)

Submodules:
    core            p-bits, Ising/QUBO models, Boltzmann sampling, annealing, parallel tempering
    decision        Annealing (a dimod sampler), QAOA, QAR, IQAD, QERC and NQO
    performance     backends (cpu, cuda), threads, CPU features, benchmark()
    infrastructure  DecisionCache (priority LRU with TTL), CircuitBreaker (pybreaker's rules)
    distributed     anneal_many, monte_carlo_var_many, indicators_many, on Dask (optional)
    exceptions      the exception classes listed below
    risk, blackswan, signal, cas, automl, intelligence, crypto
                    namespaces whose engines arrive in later releases (empty for now)

Documentation: help() on any class or function; the user guide, one page per submodule with
examples that run, is in the docs/ folder of the source; ``python -m quantumpanarchy`` runs a
commented demonstration. Rust log records reach Python's ``logging`` as logger "quantumpanarchy".

Exceptions (importable from here; defined in quantumpanarchy.exceptions, with their bases):
"""

from __future__ import annotations

from . import _libraries

_libraries.load_native()
_libraries.hand_over_nvrtc_dirs()  # before anything asks the native side about CUDA

from . import (  # noqa: E402
    automl,
    blackswan,
    cas,
    core,
    crypto,
    decision,
    distributed,
    exceptions,
    infrastructure,
    intelligence,
    performance,
    risk,
    signal,
)
from ._help import exception_summary, public_dir  # noqa: E402
from ._native import __version__  # noqa: E402

# re-exported: the exception classes are importable from the package
from .exceptions import (  # noqa: E402, F401
    BackendUnavailableError,
    CircuitOpenError,
    InternalError,
    InvalidInputError,
    InvalidTypeError,
    NotFittedError,
    QuantumPanarchyError,
    ResourceLimitError,
)

# The exception classes stay out of __all__: pydoc renders every name in __all__ in full, and
# six exception classes with all their inherited builtin methods are 500 lines of help(). The
# docstring lists them instead; dir() still shows them.
__all__ = [
    "__version__",
    "automl",
    "blackswan",
    "cas",
    "core",
    "crypto",
    "decision",
    "distributed",
    "exceptions",
    "infrastructure",
    "intelligence",
    "performance",
    "risk",
    "signal",
]
__doc__ = (__doc__ or "") + exception_summary(getattr(exceptions, name) for name in exceptions.__all__)
__dir__ = public_dir([*__all__, *exceptions.__all__])
