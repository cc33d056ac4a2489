"""QuantumPanarchy: probabilistic computing and quantitative-finance analytics on a Rust core.

The exception classes are re-exported here (``X as X``) but left out of ``__all__``: pydoc renders
every name in ``__all__`` in full, and the package docstring lists them instead.
"""

from . import (
    automl as automl,
)
from . import (
    blackswan as blackswan,
)
from . import (
    cas as cas,
)
from . import (
    core as core,
)
from . import (
    crypto as crypto,
)
from . import (
    decision as decision,
)
from . import (
    distributed as distributed,
)
from . import (
    exceptions as exceptions,
)
from . import (
    infrastructure as infrastructure,
)
from . import (
    intelligence as intelligence,
)
from . import (
    performance as performance,
)
from . import (
    risk as risk,
)
from . import (
    signal as signal,
)
from .exceptions import (
    BackendUnavailableError as BackendUnavailableError,
)
from .exceptions import (
    CircuitOpenError as CircuitOpenError,
)
from .exceptions import (
    InternalError as InternalError,
)
from .exceptions import (
    InvalidInputError as InvalidInputError,
)
from .exceptions import (
    InvalidTypeError as InvalidTypeError,
)
from .exceptions import (
    NotFittedError as NotFittedError,
)
from .exceptions import (
    QuantumPanarchyError as QuantumPanarchyError,
)
from .exceptions import (
    ResourceLimitError as ResourceLimitError,
)

__version__: str

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
