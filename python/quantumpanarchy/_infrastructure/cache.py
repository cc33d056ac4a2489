"""``DecisionCache``'s Python parts: priorities, statistics, and the ``cached`` decorator."""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, Protocol, TypeVar

__all__ = ["CachePriority", "CacheStats", "CachedFunction", "cached", "hashkey"]

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


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


_KWMARK: tuple[Hashable] = (_KwMark,)
_MISSING = object()


def hashkey(*args: Hashable, **kwargs: Hashable) -> tuple[Hashable, ...]:
    """The cache key of a call, as cachetools' ``hashkey`` makes it: the positional arguments as a
    tuple, followed by a marker and the keyword arguments sorted by name when there are any."""
    if kwargs:
        return args + _KWMARK + tuple(sorted(kwargs.items()))
    return args


class _Cache(Protocol):
    """What ``cached`` needs of a cache (a DecisionCache, or any cachetools cache)."""

    def get(self, key: Any, default: Any, /) -> Any: ...
    def __setitem__(self, key: Any, value: Any, /) -> None: ...
    def clear(self) -> None: ...


class CachedFunction(Protocol[P, R_co]):
    """A function wrapped by ``cached``: called as the function, with cachetools' attributes."""

    cache: Any
    cache_key: Callable[..., Hashable]
    __name__: str
    __qualname__: str

    @property
    def __wrapped__(self) -> Callable[P, R_co]: ...
    def cache_clear(self) -> None: ...
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


def cached(
    cache: _Cache,
    key: Callable[..., Hashable] = hashkey,
    *,
    priority: CachePriority | None = None,
    ttl: float | None = None,
) -> Callable[[Callable[P, R]], CachedFunction[P, R]]:
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
        level = CachePriority.High if priority is None else priority

        def store(k: Hashable, value: Any) -> None:
            insert(k, value, level, ttl)

    get = cache.get

    def decorator(func: Callable[P, R]) -> CachedFunction[P, R]:
        wrapper: Any
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                k = key(*args, **kwargs)
                value = get(k, _MISSING)
                if value is _MISSING:
                    value = await func(*args, **kwargs)
                    store(k, value)
                return value

            wrapper = async_wrapper
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
        result: CachedFunction[P, R] = wrapper
        return result

    return decorator
