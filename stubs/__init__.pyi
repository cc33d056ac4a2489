"""QuantumPanarchy: probabilistic computing and quantitative-finance analytics on a Rust core."""

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
    "BackendUnavailableError",
    "InternalError",
    "InvalidInputError",
    "InvalidTypeError",
    "NotFittedError",
    "QuantumPanarchyError",
    "ResourceLimitError",
    "__version__",
    "automl",
    "blackswan",
    "cas",
    "core",
    "crypto",
    "decision",
    "infrastructure",
    "intelligence",
    "performance",
    "risk",
    "signal",
]
