"""``DecisionCache``'s Python parts: priorities, statistics, and the ``cached`` decorator."""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

__all__ = ["CachePriority", "CacheStats", "cached", "hashkey"]

F = TypeVar("F", bound=Callable[..., Any])


class CachePriority(enum.IntEnum):
    """How long an entry should stay when the cache is full: the lowest priority is evicted first
    (``Low < Normal < High < Critical``), and within a priority the least recently used entry.
    ``DecisionCache.insert`` and ``cache[key] = value`` store at ``High`` unless told."""

    Low = 0
    Normal = 1
    High = 2
    Critical = 3


@dataclasses.dataclass(frozen=True)
class CacheStats:
    """A ``DecisionCache``'s counters since it was made (``DecisionCache.stats()``).

    hits, misses: lookups (``cache[key]``, ``get``, ``setdefault``) that found a live entry or did
    not (an expired entry is a miss). evictions: entries removed to make room for a new key.
    expirations: entries removed because their time to live had passed. currsize, maxsize: the
    number of live entries and the capacity.
    """

    hits: int
    misses: int
    evictions: int
    expirations: int
    currsize: int
    maxsize: int

    @property
    def hit_rate(self) -> float:
        """hits / (hits + misses); 0.0 before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    def to_dict(self) -> dict[str, int]:
        """The counters as a dict."""
        return dataclasses.asdict(self)


# What separates positional from keyword arguments in a key (a class: unique, and pickles).
class _KwMark:
    pass


_KWMARK: tuple[type[_KwMark]] = (_KwMark,)
_MISSING = object()


def hashkey(*args: Hashable, **kwargs: Hashable) -> tuple[Hashable, ...]:
    """The cache key of a call, as cachetools' ``hashkey`` makes it: the positional arguments as a
    tuple, followed by a marker and the keyword arguments sorted by name when there are any."""
    if kwargs:
        return args + _KWMARK + tuple(sorted(kwargs.items()))
    return args


class _Cache(Protocol):
    def get(self, key: Any, default: Any = None, /) -> Any: ...
    def __setitem__(self, key: Any, value: Any, /) -> None: ...
    def clear(self) -> None: ...


def cached(
    cache: _Cache,
    key: Callable[..., Hashable] = hashkey,
    *,
    priority: CachePriority | None = None,
    ttl: float | None = None,
) -> Callable[[F], F]:
    """Decorator: remember a function's results in ``cache``, as cachetools' ``cached`` does.

    ``key(*args, **kwargs)`` makes the cache key of a call (default: ``hashkey``, the arguments,
    which must then be hashable). A coroutine function stays one: its awaited result is cached.
    ``priority`` and ``ttl`` (seconds) are passed to ``DecisionCache.insert``; without them results
    are stored as ``cache[key] = result`` (any mapping-like cache works then, cachetools' too).
    The wrapper has ``cache``, ``cache_key`` and ``cache_clear()``, as cachetools' wrappers have.
    Concurrent first calls with the same key may each compute the result (no lock is held while
    the function runs); the last one stored wins.
    """
    if cache is None:
        raise TypeError("cache must not be None")
    if priority is None and ttl is None:
        store: Callable[[Hashable, Any], None] = cache.__setitem__
    else:
        insert = cache.insert  # type: ignore[attr-defined]

        def store(k: Hashable, value: Any) -> None:
            insert(k, value, CachePriority.High if priority is None else priority, ttl)

    get = cache.get

    def decorator(func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                k = key(*args, **kwargs)
                value = get(k, _MISSING)
                if value is _MISSING:
                    value = await func(*args, **kwargs)
                    store(k, value)
                return value

            wrapper: Any = async_wrapper
        else:

            @functools.wraps(func)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                k = key(*args, **kwargs)
                value = get(k, _MISSING)
                if value is _MISSING:
                    value = func(*args, **kwargs)
                    store(k, value)
                return value

            wrapper = sync_wrapper
        wrapper.cache = cache
        wrapper.cache_key = key
        wrapper.cache_clear = cache.clear
        return wrapper  # type: ignore[no-any-return]

    return decorator
