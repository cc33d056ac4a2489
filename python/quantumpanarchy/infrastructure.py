"""Infrastructure for services that call the engines many times a second, from several threads.

* ``DecisionCache(capacity, ttl=None)``: a thread-safe priority LRU cache with per-entry time to
  live for any hashable key and any Python object, with cachetools' mapping interface;
  ``insert(key, value, priority=CachePriority.High, ttl=None)``, ``stats()``; the ``cached``
  decorator for functions and coroutine functions.
* ``CircuitBreaker(failure_threshold=5, timeout_ms=30000, ...)``: pybreaker's circuit breaker
  (``call``, ``execute``, ``call_async``, decorator, listeners, excluded errors, manual
  transitions); a refused call raises ``CircuitOpenError``.

Both are native, safe to share between threads, picklable, and take an injectable clock for
tests. See ``docs/infrastructure.md``.
"""

from __future__ import annotations

from ._help import public_dir
from ._infrastructure.breaker import CircuitBreakerListener, CircuitState
from ._infrastructure.cache import CachePriority, CacheStats, cached, hashkey
from ._native.infrastructure import CircuitBreaker, DecisionCache, GuardedFunction
from .exceptions import CircuitOpenError

__all__ = [
    "CachePriority",
    "CacheStats",
    "CircuitBreaker",
    "CircuitBreakerListener",
    "CircuitOpenError",
    "CircuitState",
    "DecisionCache",
    "GuardedFunction",
    "cached",
    "hashkey",
]

for _value in (CachePriority, CacheStats, CircuitBreakerListener, CircuitState, cached, hashkey):
    _value.__module__ = __name__

__dir__ = public_dir(__all__)
