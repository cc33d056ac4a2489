"""``CircuitBreaker``'s Python parts: the listener base class, the state objects listeners get,
and the asynchronous, decorator and ``with`` forms of a call."""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..infrastructure import CircuitBreaker

__all__ = ["CircuitBreakerListener", "CircuitState"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class CircuitState(str):
    """A breaker state as listeners get it: the string ``'closed'``, ``'open'`` or
    ``'half-open'``, which also has pybreaker's ``.name`` (the same string)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The state's name (pybreaker's ``CircuitBreakerState.name``)."""
        return str(self)


class CircuitBreakerListener:
    """Base class of breaker listeners (pybreaker's hooks); override the hooks you need. Hooks
    run in the calling thread, after the breaker has changed state; an exception in a hook
    propagates to the caller."""

    def before_call(self, cb: CircuitBreaker, func: Callable[..., Any] | None, *args: Any, **kwargs: Any) -> None:
        """Called before ``cb`` calls ``func`` (None for a ``with breaker.calling()`` block)."""

    def failure(self, cb: CircuitBreaker, exc: BaseException) -> None:
        """Called when a call through ``cb`` raised an error that counts as a failure."""

    def success(self, cb: CircuitBreaker) -> None:
        """Called when a call through ``cb`` succeeded (or raised an excluded error)."""

    def state_change(self, cb: CircuitBreaker, old_state: CircuitState | None, new_state: CircuitState) -> None:
        """Called when ``cb`` changes state (a manual ``open()``/``close()``/``half_open()`` too,
        even to the state it is in)."""


async def call_async(
    breaker: CircuitBreaker, func: Callable[..., Awaitable[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> T:
    """``breaker.call_async(func, *args, **kwargs)``: await ``func(*args, **kwargs)`` through the breaker."""
    ticket = breaker._admit(func, args, kwargs)
    try:
        result = await func(*args, **kwargs)
    except BaseException as exc:
        breaker._failed(ticket, exc)  # raises what the caller should see
        raise
    breaker._succeeded(ticket)
    return result


@contextlib.contextmanager
def calling(breaker: CircuitBreaker) -> Iterator[None]:
    """``with breaker.calling(): ...``: the block is one call through the breaker."""
    ticket = breaker._admit(None, (), {})
    try:
        yield
    except BaseException as exc:
        breaker._failed(ticket, exc)
        raise
    breaker._succeeded(ticket)


def decorate(breaker: CircuitBreaker, func: F) -> F:
    """``func`` wrapped so that every call goes through ``breaker``."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await call_async(breaker, func, args, kwargs)

        return async_wrapper  # type: ignore[return-value]
    from ..infrastructure import GuardedFunction

    guarded = GuardedFunction(breaker, func)
    functools.update_wrapper(guarded, func)
    return guarded  # type: ignore[return-value]


def decorator(breaker: CircuitBreaker) -> Callable[[F], F]:
    """What ``@breaker()`` returns."""
    return functools.partial(decorate, breaker)
