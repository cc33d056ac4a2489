"""Infrastructure for services that call the engines many times a second, from several threads.

* ``DecisionCache(capacity, ttl=None)``: a thread-safe priority LRU cache with per-entry time to
  live for any hashable key and any Python object, with cachetools' mapping interface;
  ``insert(key, value, priority=CachePriority.High, ttl=None)``, ``stats()``; the ``cached``
  decorator for functions and coroutine functions.
* ``CircuitBreaker(failure_threshold=5, timeout_ms=30000, ...)``: pybreaker's circuit breaker
  (``call``, ``execute``, ``call_async``, decorator, listeners, excluded errors, manual
  transitions); a refused call raises ``CircuitOpenError``.
* ``HardwareManager(devices=None, strategy=LoadBalancingStrategy.RoundRobin)``: the devices of
  this machine as ``Device`` records (the CPU always, CUDA devices through the driver), the reason
  each other backend cannot be used (``unavailable()``), and ``select_device``/``release`` to
  spread work over the devices under a ``LoadBalancingStrategy``.

The cache and the breaker are native, safe to share between threads, picklable, and take an injectable clock for
tests. See ``docs/infrastructure.md``.
"""

from __future__ import annotations

from ._help import public_dir
from ._infrastructure.breaker import CircuitBreakerListener, CircuitState
from ._infrastructure.cache import CachePriority, CacheStats, cached, hashkey
from ._infrastructure.hardware import Device, LoadBalancingStrategy
from ._native.infrastructure import CircuitBreaker, DecisionCache, GuardedFunction, HardwareManager
from .exceptions import CircuitOpenError

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

for _value in (
    CachePriority,
    CacheStats,
    CircuitBreakerListener,
    CircuitState,
    Device,
    LoadBalancingStrategy,
    cached,
    hashkey,
):
    _value.__module__ = __name__

__dir__ = public_dir(__all__)
