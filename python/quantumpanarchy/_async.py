"""The ``*_async`` methods: native work on a thread off the event loop, stopped when the awaiting
task is cancelled (Ctrl-C under ``asyncio.run``, ``asyncio.wait_for`` timing out).

``asyncio.to_thread`` alone cannot stop the thread: the loop's shutdown then waits for the whole
native run. Here the thread's context holds an event that :func:`check` reads; the native
long-run loop (``src/python/run.rs``) calls it every 100 ms and cancels the work once it raises.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_CANCELLED: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "quantumpanarchy_cancelled", default=None
)


def check() -> None:
    """Raise ``asyncio.CancelledError`` once the task awaiting this thread's work has stopped
    waiting for it; nothing otherwise (and always nothing outside an ``*_async`` call)."""
    event = _CANCELLED.get()
    if event is not None and event.is_set():
        raise asyncio.CancelledError


async def to_thread(f: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``asyncio.to_thread(f, *args, **kwargs)`` whose native work stops within about 100 ms
    once this coroutine stops waiting for it (cancelled, or interrupted)."""
    event = threading.Event()

    def call() -> T:
        _CANCELLED.set(event)  # in the copy of the context that to_thread runs this in
        return f(*args, **kwargs)

    try:
        return await asyncio.to_thread(call)
    finally:
        event.set()  # the result is in, or nobody waits for it any more
