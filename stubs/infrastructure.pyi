"""Infrastructure for services that call the engines many times a second, from several threads:
a priority LRU decision cache with per-entry time to live, a circuit breaker, and the hardware
manager that finds this machine's devices and spreads work over them."""

# DecisionCache, CircuitBreaker and HardwareManager are native (typed here); the Python parts are typed where they
# are implemented (python/quantumpanarchy/_infrastructure/) and re-exported.

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from types import GenericAlias
from typing import Any, Generic, Literal, NoReturn, ParamSpec, TypeVar, final, overload

from typing_extensions import Self

from ._infrastructure.breaker import CircuitBreakerListener as CircuitBreakerListener
from ._infrastructure.breaker import CircuitState as CircuitState
from ._infrastructure.cache import CachePriority as CachePriority
from ._infrastructure.cache import CacheStats as CacheStats
from ._infrastructure.cache import cached as cached
from ._infrastructure.cache import hashkey as hashkey
from ._infrastructure.hardware import Device as Device
from ._infrastructure.hardware import LoadBalancingStrategy as LoadBalancingStrategy
from .exceptions import CircuitOpenError as CircuitOpenError

__all__ = [
    "CachePriority",
    "CacheStats",
    "CircuitBreaker",
    "CircuitBreakerListener",
    "CircuitOpenError",
    "CircuitState",
    "DecisionCache",
    "Device",
    "GuardedFunction",
    "HardwareManager",
    "LoadBalancingStrategy",
    "cached",
    "hashkey",
]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_F = TypeVar("_F", bound=Callable[..., Any])

@final
class DecisionCache(Generic[_K, _V]):
    """A thread-safe priority LRU cache with per-entry time to live (cachetools' interface).

    When full, a new key evicts the lowest priority first and, within a priority, the least
    recently used entry. ``cache[key] = value`` stores at ``CachePriority.High`` with the cache's
    ``ttl``. Expired entries are never returned. Iteration, ``keys()``, ``values()`` and ``items()``
    are snapshots in eviction order.
    """

    def __new__(cls, capacity: int, ttl: float | None = None, timer: Callable[[], float] | None = None) -> Self:
        """``capacity``: the most entries (>= 1); ``ttl``: seconds an entry lives (None: forever);
        ``timer``: a clock returning seconds, for tests (None: a native monotonic clock)."""
    def __class_getitem__(cls, item: Any) -> GenericAlias: ...
    @property
    def maxsize(self) -> int:
        """The most entries the cache holds."""
    @property
    def currsize(self) -> int:
        """The number of live entries."""
    @property
    def ttl(self) -> float | None:
        """Seconds an entry lives unless ``insert`` says otherwise."""
    @property
    def timer(self) -> Callable[[], float] | None:
        """The clock given as ``timer``."""
    def __len__(self) -> int: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __getitem__(self, key: _K, /) -> _V:
        """The value; KeyError when missing or expired (a hit or a miss)."""
    def __setitem__(self, key: _K, value: _V, /) -> None:
        """``insert(key, value)``: CachePriority.High, the cache's ttl."""
    def __delitem__(self, key: _K, /) -> None: ...
    def __iter__(self) -> Iterator[_K]:
        """The keys, a snapshot in eviction order."""
    @overload
    def get(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def get(self, key: _K, default: _V | _T) -> _V | _T: ...
    def insert(self, key: _K, value: _V, priority: CachePriority | int = ..., ttl: float | None = None) -> None:
        """Store at ``priority`` (default High), living ``ttl`` seconds (default: the cache's ttl)."""
    @overload
    def pop(self, key: _K) -> _V: ...
    @overload
    def pop(self, key: _K, default: _V | _T) -> _V | _T: ...
    def popitem(self) -> tuple[_K, _V]:
        """Remove and return the pair that would be evicted next."""
    @overload
    def setdefault(self: DecisionCache[_K, _T | None], key: _K, default: None = None) -> _T | None: ...
    @overload
    def setdefault(self, key: _K, default: _V) -> _V: ...
    @overload
    def update(self, other: Mapping[_K, _V], /, **kwargs: _V) -> None: ...
    @overload
    def update(self, other: Iterable[tuple[_K, _V]], /, **kwargs: _V) -> None: ...
    @overload
    def update(self, other: None = None, /, **kwargs: _V) -> None: ...
    def clear(self) -> None:
        """Remove every entry (the statistics are kept)."""
    def keys(self) -> list[_K]: ...
    def values(self) -> list[_V]: ...
    def items(self) -> list[tuple[_K, _V]]: ...
    def expire(self, time: float | None = None) -> list[tuple[_K, _V]]:
        """Remove the expired entries and return them (cachetools' ``TTLCache.expire``)."""
    def stats(self) -> CacheStats:
        """Hits, misses, evictions, expirations, and the current and maximum size."""

@final
class GuardedFunction(Generic[_P, _R]):
    """A function decorated with a CircuitBreaker: every call goes through the breaker. It has the
    function's name, docstring and ``__wrapped__``, and binds as a method."""

    def __new__(cls, breaker: CircuitBreaker, func: Callable[_P, _R]) -> GuardedFunction[_P, _R]: ...
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
    def __get__(self, instance: object, owner: object = None, /) -> Any: ...
    @property
    def breaker(self) -> CircuitBreaker:
        """The breaker the calls go through."""

@final
class CircuitBreaker:
    """A circuit breaker with pybreaker's rules and interface.

    Closed, calls go through and consecutive failures are counted; ``failure_threshold`` of them
    open it. Open, calls raise CircuitOpenError until ``timeout_ms`` has passed; then one trial
    call goes through (half-open): a failure opens it again, ``success_threshold`` successes in a
    row close it.
    """

    def __new__(
        cls,
        failure_threshold: int = 5,
        timeout_ms: float = 30000,
        success_threshold: int = 1,
        exclude: Iterable[type[BaseException] | Callable[[BaseException], object]] | None = (),
        listeners: Iterable[CircuitBreakerListener] | None = (),
        name: str | None = None,
        clock: Callable[[], float] | None = None,
        throw_new_error_on_trip: bool = True,
    ) -> CircuitBreaker: ...
    def call(self, func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Call ``func(*args, **kwargs)`` through the breaker (CircuitOpenError when refused)."""
    def execute(self, func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """The same as ``call``."""
    def call_async(
        self, func: Callable[_P, Awaitable[_R]], *args: _P.args, **kwargs: _P.kwargs
    ) -> Coroutine[Any, Any, _R]:
        """A coroutine awaiting ``func(*args, **kwargs)`` through the breaker."""
    @overload
    def __call__(self, func: _F, /) -> _F:
        """Decorate ``func`` (a coroutine function stays one)."""
    @overload
    def __call__(self) -> Callable[[_F], _F]: ...
    def calling(self) -> AbstractContextManager[None]:
        """``with breaker.calling(): ...`` runs the block as a call through the breaker."""
    @property
    def current_state(self) -> str:
        """``'closed'``, ``'open'`` or ``'half-open'``."""
    @property
    def fail_counter(self) -> int: ...
    @property
    def success_counter(self) -> int: ...
    @property
    def failure_threshold(self) -> int: ...
    @failure_threshold.setter
    def failure_threshold(self, n: int) -> None: ...
    @property
    def fail_max(self) -> int:
        """pybreaker's name for ``failure_threshold``."""
    @fail_max.setter
    def fail_max(self, n: int) -> None: ...
    @property
    def success_threshold(self) -> int: ...
    @success_threshold.setter
    def success_threshold(self, n: int) -> None: ...
    @property
    def timeout_ms(self) -> float: ...
    @timeout_ms.setter
    def timeout_ms(self, ms: float) -> None: ...
    @property
    def reset_timeout(self) -> float:
        """pybreaker's ``reset_timeout``: the open timeout in seconds."""
    @reset_timeout.setter
    def reset_timeout(self, seconds: float) -> None: ...
    @property
    def name(self) -> str | None: ...
    @name.setter
    def name(self, name: str | None) -> None: ...
    @property
    def clock(self) -> Callable[[], float] | None: ...
    @property
    def listeners(self) -> tuple[CircuitBreakerListener, ...]: ...
    @property
    def excluded_exceptions(self) -> tuple[type[BaseException] | Callable[[BaseException], object], ...]: ...
    def add_listener(self, listener: CircuitBreakerListener) -> None: ...
    def add_listeners(self, *listeners: CircuitBreakerListener) -> None: ...
    def remove_listener(self, listener: CircuitBreakerListener) -> None: ...
    def add_excluded_exception(self, exception: type[BaseException] | Callable[[BaseException], object]) -> None: ...
    def add_excluded_exceptions(self, *exceptions: type[BaseException] | Callable[[BaseException], object]) -> None: ...
    def remove_excluded_exception(self, exception: type[BaseException] | Callable[[BaseException], object]) -> None: ...
    def is_system_error(self, exception: BaseException) -> bool:
        """Whether ``exception`` counts as a failure (not excluded)."""
    def open(self) -> None:
        """Open now: calls are refused for the timeout."""
    def half_open(self) -> None:
        """Half-open: the next call is a trial."""
    def close(self) -> None:
        """Close and reset the counters."""
    # The primitives of the asynchronous and ``with`` forms (python/quantumpanarchy/_infrastructure/breaker.py).
    def _admit(self, func: Callable[..., Any] | None, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> int: ...
    def _succeeded(self, ticket: int) -> None: ...
    def _failed(self, ticket: int, exc: BaseException) -> NoReturn: ...

@final
class HardwareManager:
    """This machine's devices (the CPU always, CUDA devices through the driver) as ``Device``
    records, the reason each other backend cannot be used, and the choice of a device for each
    piece of work under a ``LoadBalancingStrategy``. Thread-safe; picklable (the strategy, and the
    devices unless it found them itself, which it then finds again; not the outstanding work)."""

    def __new__(
        cls,
        devices: Iterable[Device] | None = None,
        strategy: LoadBalancingStrategy | str | None = None,
    ) -> Self:
        """``devices``: None finds this machine's devices; or the records to balance over.
        ``strategy``: RoundRobin unless given."""
    def get_available_devices(self) -> list[Device]:
        """The devices balanced over: the CPU first, then the CUDA devices (or those given)."""
    def unavailable(self) -> dict[str, str]:
        """Why each backend that cannot be used here cannot: 'cuda', 'cuda:N', 'rocm', 'metal'."""
    @property
    def strategy(self) -> LoadBalancingStrategy:
        """The strategy ``select_device`` uses."""
    def set_load_balancing_strategy(self, strategy: LoadBalancingStrategy | str) -> None:
        """Choose the strategy; outstanding work and reservations are kept."""
    def select_device(
        self, memory_gb: float | None = None, device_type: Literal["cpu", "cuda"] | None = None
    ) -> Device:
        """The device for the next piece of work (of ``device_type``, with ``memory_gb`` GiB
        free), counted as outstanding there until ``release``; ResourceLimitError if none fits."""
    def release(self, device: Device, memory_gb: float | None = None) -> None:
        """End a piece of work sent to ``device``, giving back the ``memory_gb`` it reserved."""
    def loads(self) -> list[int]:
        """Pieces of work outstanding per device, in device order."""
    def free_memory_gb(self) -> list[float | None]:
        """Free memory per device in GiB (less reservations); None where not known."""
    def __reduce__(self) -> tuple[type[HardwareManager], tuple[list[Device] | None, LoadBalancingStrategy]]: ...
