"""``infrastructure.CircuitBreaker``: pybreaker's behaviour (a state machine against pybreaker on
the same successes, failures and clock steps), listeners, exclusions, the decorator, ``call_async``
and ``calling()``, threads, pickling, and bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import pickle
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pybreaker
import pytest
import quantumpanarchy
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from quantumpanarchy.exceptions import (
    CircuitOpenError,
    InvalidInputError,
    InvalidTypeError,
    QuantumPanarchyError,
)
from quantumpanarchy.infrastructure import CircuitBreaker, CircuitBreakerListener, CircuitState, GuardedFunction


class Clock:
    """An injectable clock (picklable: a module-level class)."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class DownError(Exception):
    """The service failed."""


class NotFoundError(Exception):
    """A business error, excluded: not the service's fault."""


def ok(x: int = 1) -> int:
    return x


def down() -> None:
    raise DownError("down")


def not_found() -> None:
    raise NotFoundError("nope")


class Recorder(CircuitBreakerListener):
    """Every hook call, as (hook, detail)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def before_call(self, cb: Any, func: Any, *args: Any, **kwargs: Any) -> None:
        self.events.append(("before_call", (getattr(func, "__name__", None), args, kwargs)))

    def failure(self, cb: Any, exc: BaseException) -> None:
        self.events.append(("failure", type(exc).__name__))

    def success(self, cb: Any) -> None:
        self.events.append(("success", None))

    def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
        self.events.append(("state_change", (old_state.name, new_state.name)))


MODULE_BREAKER = CircuitBreaker(name="module")


@MODULE_BREAKER
def guarded_double(x: int) -> int:
    """Twice x."""
    return 2 * x


def state(b: CircuitBreaker) -> tuple[str, int, int]:
    return b.current_state, b.fail_counter, b.success_counter


def test_closed_open_half_open_closed_on_the_injected_clock() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=3, timeout_ms=5000, clock=clock)
    assert b.call(ok, 7) == 7 and b.execute(ok, x=8) == 8 and state(b) == ("closed", 0, 0)
    for k in (1, 2):
        with pytest.raises(DownError):
            b.call(down)
        assert state(b) == ("closed", k, 0)
    b.call(ok)
    assert b.fail_counter == 0  # a success restarts the count
    for _ in range(2):
        with pytest.raises(DownError):
            b.call(down)
    with pytest.raises(CircuitOpenError, match="failure threshold") as trip:
        b.call(down)
    assert isinstance(trip.value.__cause__, DownError) and state(b) == ("open", 3, 0)
    clock.t += 4.999
    with pytest.raises(CircuitOpenError, match=r"is open: a trial call is allowed in 0\.001 s"):
        b.call(ok)
    clock.t = 105.0  # exactly the timeout: the next call is the trial
    assert b.call(ok, 5) == 5 and state(b) == ("closed", 0, 0)


def test_circuit_open_error_is_in_the_hierarchy() -> None:
    assert issubclass(CircuitOpenError, QuantumPanarchyError) and issubclass(CircuitOpenError, RuntimeError)
    assert quantumpanarchy.CircuitOpenError is CircuitOpenError
    assert quantumpanarchy.infrastructure.CircuitOpenError is CircuitOpenError


def test_a_failed_trial_opens_again_and_success_threshold_closes() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=1, timeout_ms=1000, success_threshold=2, clock=clock, name="db")
    with pytest.raises(CircuitOpenError, match="circuit breaker 'db' opened"):
        b.call(down)
    clock.t += 1
    with pytest.raises(CircuitOpenError, match="trial call failed"):
        b.call(down)
    assert state(b) == ("open", 2, 0)
    clock.t += 1
    b.call(ok)
    assert state(b) == ("half-open", 0, 1)
    b.call(ok)
    assert state(b) == ("closed", 0, 0)


def test_without_throw_new_error_on_trip_the_failure_itself_is_raised() -> None:
    b = CircuitBreaker(failure_threshold=1, throw_new_error_on_trip=False)
    with pytest.raises(DownError):
        b.call(down)
    assert b.current_state == "open"
    with pytest.raises(CircuitOpenError):
        b.call(ok)


def test_excluded_errors_count_as_successes() -> None:
    b = CircuitBreaker(failure_threshold=2, exclude=[NotFoundError, lambda e: "ignore" in str(e)])
    with pytest.raises(DownError):
        b.call(down)
    with pytest.raises(NotFoundError):
        b.call(not_found)
    assert b.fail_counter == 0
    with pytest.raises(DownError):
        b.call(down)

    def ignorable() -> None:
        raise DownError("please ignore")

    with pytest.raises(DownError):
        b.call(ignorable)
    assert state(b) == ("closed", 0, 0)
    assert b.is_system_error(DownError("x")) and not b.is_system_error(NotFoundError())
    b.remove_excluded_exception(NotFoundError)
    assert not b.is_system_error(DownError("ignore me"))
    b.add_excluded_exceptions(KeyError, LookupError)
    assert len(b.excluded_exceptions) == 3 and not b.is_system_error(KeyError())
    with pytest.raises(InvalidInputError):
        b.remove_excluded_exception(ValueError)


def test_base_exceptions_pass_through_uncounted_and_free_the_trial() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=1, timeout_ms=0, clock=clock)

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        b.call(interrupted)
    assert state(b) == ("closed", 0, 0)
    with pytest.raises(CircuitOpenError):
        b.call(down)
    with pytest.raises(KeyboardInterrupt):
        b.call(interrupted)  # the trial call, interrupted: the next call is a trial again
    assert b.current_state == "half-open"
    assert b.call(ok) == 1 and b.current_state == "closed"


def test_listeners_hear_what_pybreaker_listeners_hear() -> None:
    clock = Clock()
    rec = Recorder()
    b = CircuitBreaker(failure_threshold=1, timeout_ms=1000, listeners=[rec], clock=clock)
    b.call(ok, 3)
    with pytest.raises(CircuitOpenError):
        b.call(down)
    with pytest.raises(CircuitOpenError):
        b.call(ok)  # refused: no hook is called
    clock.t += 1
    b.call(ok)
    assert rec.events == [
        ("before_call", ("ok", (3,), {})),
        ("success", None),
        ("before_call", ("down", (), {})),
        ("failure", "DownError"),
        ("state_change", ("closed", "open")),
        ("state_change", ("open", "half-open")),
        ("before_call", ("ok", (), {})),
        ("state_change", ("half-open", "closed")),
        ("success", None),
    ]
    rec.events.clear()
    b.open()
    b.open()
    b.half_open()
    b.close()
    assert [e[1] for e in rec.events] == [
        ("closed", "open"),
        ("open", "open"),
        ("open", "half-open"),
        ("half-open", "closed"),
    ]
    b.remove_listener(rec)
    b.call(ok)
    assert len(rec.events) == 4 and b.listeners == ()
    b.add_listeners(rec, Recorder())
    assert len(b.listeners) == 2
    with pytest.raises(InvalidTypeError, match="state_change"):
        b.add_listener(object())


def test_listener_states_are_strings_with_a_name() -> None:
    s = CircuitState("half-open")
    assert s == "half-open" and s.name == "half-open" and isinstance(s, str)


def test_a_listener_error_propagates_and_frees_the_trial() -> None:
    class Refuse(CircuitBreakerListener):
        def before_call(self, cb: Any, func: Any, *args: Any, **kwargs: Any) -> None:
            raise PermissionError("no")

    b = CircuitBreaker(listeners=[Refuse()])
    b.half_open()
    with pytest.raises(PermissionError):
        b.call(ok)
    assert b.current_state == "half-open"
    b.remove_listener(b.listeners[0])
    assert b.call(ok) == 1 and b.current_state == "closed"


def test_decorators_wrap_functions_methods_and_coroutines() -> None:
    b = CircuitBreaker(failure_threshold=2)

    @b
    def add(x: int, y: int = 0) -> int:
        """Adds."""
        return x + y

    @b()
    def fail() -> None:
        raise DownError

    class Service:
        @b
        def get(self, k: int) -> int:
            return k * 10

    @b
    async def fetch(x: int) -> int:
        await asyncio.sleep(0)
        return x

    assert add(1, y=2) == 3 and add.__name__ == "add" and add.__doc__ == "Adds." and add.__wrapped__  # type: ignore[attr-defined]
    assert isinstance(add, GuardedFunction) and add.breaker is b
    assert repr(add).startswith("<function test_decorators_wrap_functions_methods_and_coroutines.<locals>.add guarded")
    assert list(inspect.signature(add).parameters) == ["x", "y"]
    assert Service().get(4) == 40 and isinstance(Service.__dict__["get"], GuardedFunction)
    assert pickle.loads(pickle.dumps(guarded_double)) is guarded_double and guarded_double(2) == 4
    assert asyncio.iscoroutinefunction(fetch) and asyncio.run(fetch(9)) == 9
    with pytest.raises(DownError):
        fail()
    assert b.fail_counter == 1
    with pytest.raises(TypeError, match="at most 1 positional"):
        b(abs, abs)  # type: ignore[call-overload]
    with pytest.raises(InvalidTypeError, match="callable"):
        b(3)  # type: ignore[call-overload]


def test_call_async_and_calling() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=2, timeout_ms=10, clock=clock)

    async def work(x: int) -> int:
        await asyncio.sleep(0)
        return x

    async def broken() -> None:
        await asyncio.sleep(0)
        raise DownError

    async def main() -> None:
        assert await b.call_async(work, 4) == 4
        with pytest.raises(DownError):
            await b.call_async(broken)
        with pytest.raises(CircuitOpenError) as trip:
            await b.call_async(broken)
        assert isinstance(trip.value.__cause__, DownError)
        with pytest.raises(CircuitOpenError):
            await b.call_async(work, 1)
        clock.t += 0.01
        # a cancelled trial is no failure; the next call is the trial
        task = asyncio.ensure_future(b.call_async(asyncio.sleep, 10))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert b.current_state == "half-open"
        assert await b.call_async(work, 2) == 2 and b.current_state == "closed"

    asyncio.run(main())
    with b.calling():
        pass
    with pytest.raises(DownError), b.calling():
        raise DownError
    assert b.fail_counter == 1


def test_one_trial_at_a_time_while_half_open() -> None:
    b = CircuitBreaker(timeout_ms=0)
    b.half_open()
    started, release = threading.Event(), threading.Event()
    results: list[Any] = []

    def slow_trial() -> str:
        started.set()
        release.wait(10)
        return "trial"

    t = threading.Thread(target=lambda: results.append(b.call(slow_trial)))
    t.start()
    assert started.wait(10)
    with pytest.raises(CircuitOpenError, match="trial call is still running"):
        b.call(ok)
    release.set()
    t.join()
    assert results == ["trial"] and b.current_state == "closed"


def test_threads_count_every_failure() -> None:
    b = CircuitBreaker(failure_threshold=10**6)
    per_thread = 10_000

    def hammer() -> None:
        for _ in range(per_thread):
            try:
                b.call(down)
            except DownError:
                pass

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state(b) == ("closed", 2 * per_thread, 0)
    b.call(ok)
    assert b.fail_counter == 0


def test_settings_properties_as_pybreaker() -> None:
    b = CircuitBreaker()
    settings_now = (b.failure_threshold, b.fail_max, b.timeout_ms, b.reset_timeout, b.success_threshold)
    assert settings_now == (5, 5, 30000.0, 30.0, 1)
    b.fail_max = 3
    b.reset_timeout = 2.5
    b.success_threshold = 2
    b.name = "svc"
    assert (b.failure_threshold, b.timeout_ms, b.success_threshold, b.name) == (3, 2500.0, 2, "svc")
    bad: list[tuple[str, Any]] = [("fail_max", 0), ("failure_threshold", True), ("timeout_ms", -1.0)]
    for attr, value in [*bad, ("reset_timeout", float("nan"))]:
        with pytest.raises(InvalidInputError):
            setattr(b, attr, value)
    with pytest.raises(InvalidTypeError):
        b.name = 3  # type: ignore[assignment]
    assert b.failure_threshold == 3 and b.clock is None


def test_pickle_and_repr() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=1, timeout_ms=4000, name="db", clock=clock, exclude=[NotFoundError])
    assert repr(b) == (
        "CircuitBreaker(name='db', state='closed', fail_counter=0, failure_threshold=1, timeout_ms=4000.0, "
        "success_threshold=1)"
    )
    with pytest.raises(CircuitOpenError):
        b.call(down)
    clock.t += 1
    c = pickle.loads(pickle.dumps(b))
    assert state(c) == ("open", 1, 0) and c.name == "db" and c.excluded_exceptions == (NotFoundError,)
    c.clock.t += 2.9
    with pytest.raises(CircuitOpenError):
        c.call(ok)
    c.clock.t += 0.1
    assert c.call(ok) == 1 and c.current_state == "closed"
    assert CircuitBreaker.__module__ == "quantumpanarchy.infrastructure"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"failure_threshold": 0}, InvalidInputError),
        ({"failure_threshold": -1}, InvalidInputError),
        ({"failure_threshold": True}, InvalidInputError),
        ({"failure_threshold": 2**200}, InvalidInputError),
        ({"success_threshold": 0}, InvalidInputError),
        ({"timeout_ms": float("nan")}, InvalidInputError),
        ({"timeout_ms": -1}, InvalidInputError),
        ({"timeout_ms": float("inf")}, InvalidInputError),
        ({"timeout_ms": 10**400}, InvalidInputError),
        ({"clock": 3}, InvalidTypeError),
        ({"name": 3}, InvalidTypeError),
        ({"exclude": [3]}, InvalidTypeError),
        ({"exclude": 3}, InvalidTypeError),
        ({"listeners": [object()]}, InvalidTypeError),
        ({"failure_threshold": 1.5}, TypeError),
    ],
)
def test_bad_settings(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        CircuitBreaker(**kwargs)


def test_a_clock_that_reads_nonsense_is_refused() -> None:
    b = CircuitBreaker(failure_threshold=1, clock=lambda: float("nan"))
    assert b.call(ok) == 1  # closed: the clock is not read
    with pytest.raises(InvalidInputError, match="clock"):
        b.call(down)
    assert state(b) == ("closed", 0, 0)  # nothing was counted


# --- the same sequences on pybreaker -----------------------------------------------------------

BASE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def pybreaker_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """pybreaker reads the time as ``datetime.now(UTC)``; this clock drives it (seconds after BASE)."""
    clock = Clock(0.0)

    class FakeDatetime:
        @staticmethod
        def now(tz: dt.tzinfo | None = None) -> dt.datetime:
            return BASE + dt.timedelta(seconds=clock.t)

    monkeypatch.setattr(pybreaker, "datetime", FakeDatetime)
    yield clock


class Listen(pybreaker.CircuitBreakerListener):
    """Records pybreaker's hooks as Recorder records ours."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def before_call(self, cb: Any, func: Any, *args: Any, **kwargs: Any) -> None:
        self.events.append(("before_call", (func.__name__, args, kwargs)))

    def failure(self, cb: Any, exc: BaseException) -> None:
        self.events.append(("failure", type(exc).__name__))

    def success(self, cb: Any) -> None:
        self.events.append(("success", None))

    def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
        self.events.append(("state_change", (old_state.name if old_state else None, new_state.name)))


class SameAsPybreaker(RuleBasedStateMachine):
    """The same calls (successes, failures, excluded errors), clock steps and manual transitions on
    our breaker and on pybreaker's: the same outcomes, states, counters and listener events."""

    clock: Clock

    @initialize(failures=st.integers(1, 4), successes=st.integers(1, 3), timeout=st.sampled_from([0.0, 0.5, 1.0, 2.5]))
    def make(self, failures: int, successes: int, timeout: float) -> None:
        self.ours_log, self.ref_log = Recorder(), Listen()
        self.ours = CircuitBreaker(
            failure_threshold=failures,
            timeout_ms=timeout * 1000,
            success_threshold=successes,
            exclude=[NotFoundError],
            listeners=[self.ours_log],
            clock=self.clock,
        )
        self.ref = pybreaker.CircuitBreaker(
            fail_max=failures,
            reset_timeout=timeout,
            success_threshold=successes,
            exclude=[NotFoundError],
            listeners=[self.ref_log],
        )

    def both(self, func: Callable[[], Any]) -> None:
        def outcome(call: Callable[[], Any]) -> str:
            try:
                return f"returned {call()!r}"
            except (CircuitOpenError, pybreaker.CircuitBreakerError):
                return "refused"
            except Exception as e:
                return f"raised {type(e).__name__}"

        assert outcome(lambda: self.ours.call(func)) == outcome(lambda: self.ref.call(func))

    @rule()
    def succeed(self) -> None:
        self.both(ok)

    @rule()
    def fail(self) -> None:
        self.both(down)

    @rule()
    def fail_excluded(self) -> None:
        self.both(not_found)

    @rule(seconds=st.sampled_from([0.25, 0.5, 1.0, 2.5]))
    def tick(self, seconds: float) -> None:
        self.clock.t += seconds

    @rule(transition=st.sampled_from(["open", "close", "half_open"]))
    def manual(self, transition: str) -> None:
        getattr(self.ours, transition)()
        getattr(self.ref, transition)()

    @invariant()
    def agree(self) -> None:
        if not hasattr(self, "ours"):
            return
        assert self.ours.current_state == self.ref.current_state
        assert self.ours.fail_counter == self.ref.fail_counter
        assert self.ours.success_counter == self.ref.success_counter
        assert self.ours_log.events == self.ref_log.events


def test_same_as_pybreaker(pybreaker_clock: Clock) -> None:
    class Machine(SameAsPybreaker):
        clock = pybreaker_clock

    run_state_machine_as_test(
        Machine, settings=settings(max_examples=150, stateful_step_count=40, deadline=None, database=None)
    )
