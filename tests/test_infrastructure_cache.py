"""``infrastructure.DecisionCache`` and ``cached``: cachetools' interface and behaviour (a state
machine against ``LRUCache`` and ``TTLCache``), priorities, expiry on an injected clock, statistics,
pickling, keys that only Python can compare, threads, and bad input."""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import cachetools
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from quantumpanarchy import infrastructure
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, QuantumPanarchyError
from quantumpanarchy.infrastructure import CachePriority, CacheStats, DecisionCache, cached, hashkey


class Clock:
    """An injectable clock (picklable: a module-level class)."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def stats(cache: DecisionCache[Any, Any]) -> tuple[int, int, int, int]:
    s = cache.stats()
    return s.hits, s.misses, s.evictions, s.expirations


# --- the mapping interface -----------------------------------------------------------------


def test_mapping_interface_as_cachetools() -> None:
    c: DecisionCache[str, int] = DecisionCache(3)
    c["a"] = 1
    c["b"] = 2
    assert c["a"] == 1 and c.get("b") == 2 and c.get("zz") is None and c.get("zz", 7) == 7
    with pytest.raises(KeyError) as missing:
        c["zz"]
    assert missing.value.args == ("zz",)
    assert "a" in c and "zz" not in c and len(c) == 2 and c.currsize == 2 and c.maxsize == 3
    assert c.setdefault("a", 99) == 1 and c.setdefault("c", 3) == 3 and c["c"] == 3
    assert c.pop("c") == 3 and c.pop("c", None) is None and c.pop("c", 5) == 5
    with pytest.raises(KeyError):
        c.pop("c")
    del c["b"]
    with pytest.raises(KeyError):
        del c["b"]
    c.update({"x": 10}, y=11)
    c.update([("z", 12)])
    # "a" was used least recently: the fourth key evicted it
    assert sorted(c) == ["x", "y", "z"] and c.get("a") is None
    assert c.keys() == list(c) and c.values() == [c[k] for k in c.keys()]
    assert dict(c.items()) == {"x": 10, "y": 11, "z": 12}
    assert c.popitem() == ("x", 10)
    c.clear()
    assert len(c) == 0 and list(c) == [] and c.items() == []
    with pytest.raises(KeyError, match="empty"):
        c.popitem()
    assert DecisionCache[str, int] is not DecisionCache  # a generic alias for annotations


def test_keys_compare_as_dict_keys_do() -> None:
    c: DecisionCache[Hashable, str] = DecisionCache(10)
    c[1] = "one"
    assert c[1.0] == "one" and c[True] == "one"  # equal and equal hashes: one key, as in a dict
    c[(1, "a")] = "tuple"
    assert c[(1.0, "a")] == "tuple"
    nan = float("nan")
    c[nan] = "nan"
    assert c[nan] == "nan" and float("nan") not in c  # NaN finds itself by identity only
    c[None] = "none"
    assert c[None] == "none"
    c[b"x"] = "bytes"
    assert c[b"x"] == "bytes" and "x" not in c


def test_unhashable_keys_raise_type_errors() -> None:
    c: DecisionCache[Any, int] = DecisionCache(2)
    ops: list[Callable[[], object]] = [
        lambda: c[[1]],
        lambda: c.get({}),
        lambda: c.__setitem__([1], 1),
        lambda: [1] in c,
    ]
    for op in ops:
        with pytest.raises(InvalidTypeError, match="hashable") as err:
            op()
        assert isinstance(err.value, TypeError) and isinstance(err.value.__cause__, TypeError)
    assert len(c) == 0


# --- priorities, recency, expiry -----------------------------------------------------------


def test_eviction_takes_the_lowest_priority_then_the_least_recently_used() -> None:
    assert [p.name for p in sorted(CachePriority)] == ["Low", "Normal", "High", "Critical"]
    assert CachePriority.Low < CachePriority.Normal < CachePriority.High < CachePriority.Critical
    c: DecisionCache[str, int] = DecisionCache(4)
    c.insert("crit", 0, CachePriority.Critical)
    c.insert("high1", 1)  # High by default
    c["high2"] = 2  # also High
    c.insert("low", 3, priority=CachePriority.Low)
    assert list(c) == ["low", "high1", "high2", "crit"]  # eviction order
    c["new1"] = 4
    assert "low" not in c  # the newest, but the lowest priority
    c["high1"]  # now more recent than high2
    c["new2"] = 5
    assert "high2" not in c and "high1" in c
    c.insert("high1", 11, priority=CachePriority.Normal)  # overwriting moves it to Normal
    c["new3"] = 6
    assert "high1" not in c and list(c) == ["new1", "new2", "new3", "crit"]
    assert stats(c)[2] == 3
    c.insert("n", 7, priority=1)  # an int works as its CachePriority
    assert next(iter(c)) == "n"


@pytest.mark.parametrize(
    ("priority", "error"),
    [
        (True, InvalidTypeError),
        (4, InvalidInputError),
        (-1, InvalidInputError),
        ("High", InvalidTypeError),
        (2.0, InvalidTypeError),
        (2**200, InvalidInputError),
    ],
)
def test_bad_priorities(priority: Any, error: type[Exception]) -> None:
    c: DecisionCache[str, int] = DecisionCache(2)
    with pytest.raises(error):
        c.insert("k", 1, priority)
    assert len(c) == 0


def test_entries_expire_on_the_injected_clock() -> None:
    clock = Clock()
    c: DecisionCache[str, int] = DecisionCache(10, ttl=10.0, timer=clock)
    assert c.timer is clock and c.ttl == 10.0
    c["a"] = 1  # expires at 1010
    c.insert("b", 2, ttl=2.5)  # at 1002.5
    c.insert("c", 3, CachePriority.Critical, ttl=100.0)
    clock.t = 1002.4999
    assert c["b"] == 2 and len(c) == 3
    clock.t = 1002.5  # alive while now < expiry, as in cachetools' TTLCache
    assert c.get("b") is None and "b" not in c and len(c) == 2
    assert stats(c) == (1, 1, 0, 1)
    clock.t = 1005.0
    c["a"] = 11  # overwriting starts a new lifetime: now 1015
    clock.t = 1012.0
    assert c["a"] == 11
    assert c.expire() == [] and c.expire(time=1015.0) == [("a", 11)]
    assert list(c) == ["c"] and stats(c) == (2, 1, 0, 2)
    clock.t = 2000.0
    assert len(c) == 0 and c.stats().expirations == 3 and c.currsize == 0


def test_expired_entries_make_room_without_evictions() -> None:
    clock = Clock(0.0)
    c: DecisionCache[int, int] = DecisionCache(3, timer=clock)
    c.insert(1, 1, ttl=1.0)
    c.insert(2, 2, CachePriority.Low)
    c.insert(3, 3, CachePriority.Low)
    clock.t = 1.0
    c.insert(4, 4, CachePriority.Low)
    assert sorted(c) == [2, 3, 4] and stats(c) == (0, 0, 0, 1)
    c.insert(5, 5, CachePriority.Low)
    assert sorted(c) == [3, 4, 5] and stats(c) == (0, 0, 1, 1)


def test_stats_count_lookups_only() -> None:
    c: DecisionCache[str, int] = DecisionCache(2)
    c["a"] = 1
    c["a"]
    c.get("a")
    c.get("b")
    c.setdefault("a", 0)
    c.setdefault("b", 2)  # a miss that stores
    "a" in c  # noqa: B015
    c.pop("a")
    list(c.items())
    s = c.stats()
    assert isinstance(s, CacheStats) and (s.hits, s.misses) == (3, 2)
    assert (s.currsize, s.maxsize, s.evictions, s.expirations) == (1, 2, 0, 0)
    assert s.hit_rate == 0.6 and s.to_dict()["hits"] == 3
    assert CacheStats(0, 0, 0, 0, 0, 1).hit_rate == 0.0


def test_contains_and_iteration_leave_recency_alone() -> None:
    c: DecisionCache[str, int] = DecisionCache(2)
    c["a"] = 1
    c["b"] = 2
    assert "a" in c and list(c) == ["a", "b"] and c.values() == [1, 2]
    c["c"] = 3
    assert list(c) == ["b", "c"]


# --- pickling, copies, repr ----------------------------------------------------------------


def test_pickle_keeps_entries_order_priorities_expiry_and_stats() -> None:
    clock = Clock(50.0)
    c: DecisionCache[str, list[int]] = DecisionCache(3, ttl=30.0, timer=clock)
    c.insert("crit", [0], CachePriority.Critical, ttl=5.0)
    c["x"] = [1]
    c.insert("low", [2], CachePriority.Low)
    c["x"]
    c.get("nope")
    clock.t = 52.0
    d = pickle.loads(pickle.dumps(c))
    assert isinstance(d, DecisionCache) and d.maxsize == 3 and d.ttl == 30.0 and isinstance(d.timer, Clock)
    assert d.items() == c.items() and stats(d) == stats(c) == (1, 1, 0, 0)
    d.timer.t = 55.0  # "crit" had 3 s left when pickled
    assert "crit" not in d and "x" in d
    d["y"] = [3]
    d["z"] = [4]  # the Low entry goes first
    assert list(d) == ["x", "y", "z"]
    e = copy.copy(c)
    assert e.items() == c.items() and e["x"] is c["x"]


def test_repr_is_readable() -> None:
    c: DecisionCache[str, int] = DecisionCache(128, ttl=2.5)
    c["a"] = 1
    assert repr(c) == "DecisionCache(capacity=128, ttl=2.5, currsize=1)"
    assert repr(DecisionCache(5)) == "DecisionCache(capacity=5, ttl=None, currsize=0)"
    assert DecisionCache.__module__ == CachePriority.__module__ == "quantumpanarchy.infrastructure"


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [0, -1, 2**200, -(2**63), True])
def test_bad_capacities_are_invalid_input(capacity: Any) -> None:
    with pytest.raises(InvalidInputError):
        DecisionCache(capacity)


@pytest.mark.parametrize("capacity", [1.5, "3", None])
def test_capacities_of_the_wrong_type_are_type_errors(capacity: Any) -> None:
    with pytest.raises(TypeError):
        DecisionCache(capacity)


@pytest.mark.parametrize("ttl", [float("nan"), -1.0, 0.0, float("inf"), 10**400, -0.0])
def test_bad_ttls_are_invalid_input(ttl: Any) -> None:
    with pytest.raises(InvalidInputError):
        DecisionCache(2, ttl=ttl)
    c: DecisionCache[str, int] = DecisionCache(2)
    with pytest.raises(InvalidInputError):
        c.insert("k", 1, ttl=ttl)
    assert len(c) == 0


def test_a_huge_capacity_costs_nothing_until_used() -> None:
    c: DecisionCache[int, int] = DecisionCache(2**62)
    for k in range(1000):
        c[k] = k
    assert len(c) == 1000 and c.maxsize == 2**62


def test_a_bad_timer_is_refused() -> None:
    with pytest.raises(InvalidTypeError, match="callable"):
        DecisionCache(2, timer=3.0)  # type: ignore[arg-type]
    for reading in (float("nan"), "soon", None):
        c: DecisionCache[str, int] = DecisionCache(2, ttl=1.0, timer=Clock(reading))  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="timer"):
            c["k"] = 1
        assert len(c) == 0  # nothing was stored (and len needs no time while nothing expires)
    # an entry without expiry never asks the timer
    asked = []

    def timer() -> float:
        asked.append(1)
        return 0.0

    c2: DecisionCache[str, int] = DecisionCache(2, timer=timer)
    c2["k"] = 1
    assert c2["k"] == 1 and asked == []


# --- keys only Python can compare; code that runs during an operation -------------------------


class Key:
    """A key with a Python ``__eq__`` and a chosen hash (collisions on purpose)."""

    def __init__(self, name: str, h: int = 7, on_eq: Any = None) -> None:
        self.name, self.h, self.on_eq = name, h, on_eq

    def __hash__(self) -> int:
        return self.h

    def __eq__(self, other: object) -> bool:
        if self.on_eq is not None:
            self.on_eq()
        return isinstance(other, Key) and other.name == self.name


def test_colliding_keys_with_python_equality() -> None:
    c: DecisionCache[Any, Any] = DecisionCache(100)
    keys = [Key(str(i)) for i in range(20)]
    for i, k in enumerate(keys):
        c[k] = i
    c[7] = 700  # an int with the same hash as every Key
    assert all(c[Key(str(i))] == i for i in range(20)) and c[7] == 700
    assert Key("nope") not in c and c.get(Key("nope")) is None
    del c[Key("3")]
    assert Key("3") not in c and len(c) == 20
    c[Key("4")] = 44  # overwrites, keeping the stored key object
    assert c[keys[4]] == 44 and next(k for k in c if k == Key("4")) is keys[4]
    assert hash(-1) == hash(-2)  # CPython: two ints, one hash
    c[-1], c[-2] = "minus one", "minus two"
    assert (c[-1], c[-2]) == ("minus one", "minus two")


def test_an_equality_that_uses_the_cache_does_not_deadlock() -> None:
    c: DecisionCache[Any, int] = DecisionCache(1000)
    c[Key("a", on_eq=lambda: c.get("other"))] = 1
    assert c[Key("a")] == 1  # the stored key's __eq__ reads the cache while it is compared
    counter = iter(range(10**6))
    c[Key("b", on_eq=lambda: c.__setitem__(("side", next(counter)), 0))] = 2
    # this one adds an entry on every comparison, so the cache changes under every attempt: the
    # lookup retries a few times, then answers from its last comparison
    assert c[Key("b")] == 2 and c.get(Key("c")) is None
    assert 2 <= sum(1 for k in c if isinstance(k, tuple)) <= 2 * 10


def test_an_equality_that_raises_propagates() -> None:
    class Boom(Key):
        def __eq__(self, other: object) -> bool:
            raise ZeroDivisionError("eq")

        __hash__ = Key.__hash__

    c: DecisionCache[Any, int] = DecisionCache(10)
    c[Key("a")] = 1
    with pytest.raises(ZeroDivisionError):
        c[Boom("a")]
    assert len(c) == 1


def test_values_finalized_after_the_lock_is_released() -> None:
    c: DecisionCache[str, Any] = DecisionCache(1)
    seen = []

    class Noisy:
        def __del__(self) -> None:  # runs when the cache drops it: it may use the cache
            seen.append(c.get("probe", "absent"))
            c["from_del"] = 1

    c["a"] = Noisy()
    c["b"] = 2  # evicts (and drops) the Noisy value
    gc.collect()
    assert seen == ["absent"] and "from_del" in c


# --- threads -----------------------------------------------------------------------------


def run_together(*work: Callable[[], None]) -> None:
    """Runs each function in a thread of its own, all at once, switching threads as often as the
    interpreter allows; re-raises what any of them raised."""
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as e:  # reported below
                errors.append(e)

        return run

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=guarded(fn)) for fn in work]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors


def test_two_threads_hammering_give_exact_counts() -> None:
    """10^5 mixed operations from two threads on disjoint keys, with counts a sequential model
    predicts exactly: thread B's 16 Critical entries are never evicted (thread A's, stored at the
    default High priority, always go first), and B never changes the number of entries, so A sees an
    LRU cache of capacity 48 whatever the interleaving."""
    capacity, b_keys, per_thread = 64, 16, 50_000
    cache: DecisionCache[Any, Any] = DecisionCache(capacity)
    for k in range(b_keys):
        cache.insert(("b", k), k, CachePriority.Critical)
    expected: dict[str, tuple[int, int, int]] = {}
    barrier = threading.Barrier(2)

    def thread_a() -> None:
        model: OrderedDict[Any, int] = OrderedDict()
        room = capacity - b_keys
        hits = misses = evictions = 0
        x = 12345
        barrier.wait()
        for step in range(per_thread):
            x = (x * 1103515245 + 12345) % 2**31
            key, op = ("a", x % 97), (x >> 8) % 6
            if op <= 1:
                value = cache.get(key)
                if key in model:
                    model.move_to_end(key)
                    hits += 1
                    assert value == model[key], (step, key)
                else:
                    misses += 1
                    assert value is None, (step, key)
            elif op == 2:
                cache.insert(key, step)
                if key not in model and len(model) == room:
                    model.popitem(last=False)
                    evictions += 1
                model[key] = step
                model.move_to_end(key)
            elif op == 3:
                assert cache.pop(key, None) == model.pop(key, None)
            elif op == 4:
                assert (key in cache) == (key in model)
            else:
                got = cache.setdefault(key, step)
                if key in model:
                    hits += 1
                    model.move_to_end(key)
                else:
                    misses += 1
                    if len(model) == room:
                        model.popitem(last=False)
                        evictions += 1
                    model[key] = step
                assert got == model[key]
        expected["a"] = (hits, misses, evictions)

    def thread_b() -> None:
        hits = misses = 0
        barrier.wait()
        for step in range(per_thread):
            k = step % (2 * b_keys)
            if step % 3 == 0 and k < b_keys:
                cache.insert(("b", k), step, CachePriority.Critical)  # overwrite: no change of size
            elif k < b_keys:
                assert cache[("b", k)] is not None
                hits += 1
            else:
                assert cache.get(("b", k)) is None
                misses += 1
        expected["b"] = (hits, misses, 0)

    run_together(thread_a, thread_b)
    want = tuple(expected["a"][i] + expected["b"][i] for i in range(3))
    assert stats(cache) == (*want, 0)
    assert all(cache.get(("b", k)) is not None for k in range(b_keys))


def test_two_threads_on_keys_only_python_can_compare() -> None:
    """Both threads' keys share one hash, so every operation compares outside the lock (and starts
    again when the other thread changed the cache meanwhile): each thread still sees exactly what
    it stored."""
    cache: DecisionCache[Any, int] = DecisionCache(1000)
    final: dict[str, int] = {}

    def work(name: str) -> None:
        mine: dict[int, int] = {}
        for step in range(3000):
            k = step % 40
            if step % 3 == 0:
                cache[Key(f"{name}{k}")] = step
                mine[k] = step
            elif step % 3 == 1:
                assert cache.get(Key(f"{name}{k}")) == mine.get(k)
            elif k in mine and step % 5 == 0:
                assert cache.pop(Key(f"{name}{k}")) == mine.pop(k)
        final.update({f"{name}{k}": v for k, v in mine.items()})

    run_together(lambda: work("a"), lambda: work("b"))
    assert {k.name: v for k, v in cache.items()} == final


# --- the cached decorator ---------------------------------------------------------------------


def test_cached_remembers_results() -> None:
    cache: DecisionCache[Any, int] = DecisionCache(10)
    calls = []

    @cached(cache)
    def square(x: int, *, shift: int = 0) -> int:
        calls.append(x)
        return x * x + shift

    assert square(3) == 9 and square(3) == 9 and square(3, shift=1) == 10 and calls == [3, 3]
    assert square.cache is cache and square.cache_key is hashkey and square.__name__ == "square"
    assert stats(cache)[:2] == (1, 2)
    assert cache[(3,)] == 9 and hashkey(3, shift=1) in cache
    square.cache_clear()
    assert len(cache) == 0
    with pytest.raises(InvalidTypeError):
        square([1])  # type: ignore[arg-type]


def test_cached_with_priority_ttl_and_custom_key() -> None:
    clock = Clock(0.0)
    cache: DecisionCache[Any, str] = DecisionCache(10, timer=clock)

    @cached(cache, key=lambda name: name.lower(), priority=CachePriority.Critical, ttl=5.0)
    def greet(name: str) -> str:
        return f"hello {name}"

    assert greet("Ann") == "hello Ann" and greet("ANN") == "hello Ann"
    clock.t = 5.0
    assert greet("ANN") == "hello ANN"
    assert cache.stats().expirations == 1


def test_cached_works_with_a_cachetools_cache_too() -> None:
    lru: cachetools.LRUCache[Any, int] = cachetools.LRUCache(4)

    @cached(lru)
    def double(x: int) -> int:
        return 2 * x

    assert double(2) == 4 and lru[(2,)] == 4


def test_cached_coroutines() -> None:
    cache: DecisionCache[Any, int] = DecisionCache(10)
    calls = []

    @cached(cache)
    async def fetch(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0)
        return x + 1

    async def main() -> list[int]:
        return [await fetch(1), await fetch(1), await fetch(2)]

    assert asyncio.iscoroutinefunction(fetch)
    assert asyncio.run(main()) == [2, 2, 3] and calls == [1, 2]
    assert cache[(1,)] == 2


def test_the_module_lists_its_names() -> None:
    assert {"DecisionCache", "CachePriority", "CacheStats", "cached"} <= set(infrastructure.__all__)
    assert issubclass(infrastructure.CircuitOpenError, QuantumPanarchyError)


# --- the same operations on cachetools' LRUCache and TTLCache -----------------------------------

KEYS = st.sampled_from([0, 1, 2, 3, 4, 5, "a", "b", (1, 2), -1, -2])
VALUES = st.integers(0, 9)


class SameAsCachetools(RuleBasedStateMachine):
    """Every operation runs on a DecisionCache and on cachetools' cache with the same capacity (and
    the same ttl and timer): results, contents, sizes, hits, misses and evictions must agree."""

    ours: DecisionCache[Any, int]
    ref: cachetools.Cache[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(0.0)
        self.hits = self.misses = self.evictions = 0

    @initialize(capacity=st.integers(1, 6), ttl=st.sampled_from([None, 1.0, 2.5]))
    def make(self, capacity: int, ttl: float | None) -> None:
        if ttl is None:
            self.ours = DecisionCache(capacity)
            self.ref = cachetools.LRUCache(capacity)
        else:
            self.ours = DecisionCache(capacity, ttl=ttl, timer=self.clock)
            self.ref = cachetools.TTLCache(capacity, ttl, timer=self.clock)

    def lookup(self, key: Any) -> bool:
        found = key in self.ref
        if found:
            self.hits += 1
        else:
            self.misses += 1
        return found

    @rule(key=KEYS, value=VALUES)
    def set(self, key: Any, value: int) -> None:
        if key not in self.ref and len(self.ref) == self.ref.maxsize:
            self.evictions += 1
        self.ours[key] = value
        self.ref[key] = value

    @rule(key=KEYS)
    def get(self, key: Any) -> None:
        self.lookup(key)
        assert self.ours.get(key, -1) == self.ref.get(key, -1)

    @rule(key=KEYS)
    def getitem(self, key: Any) -> None:
        if self.lookup(key):
            assert self.ours[key] == self.ref[key]
        else:
            with pytest.raises(KeyError):
                self.ours[key]

    @rule(key=KEYS)
    def delitem(self, key: Any) -> None:
        try:
            del self.ref[key]
        except KeyError:
            with pytest.raises(KeyError):
                del self.ours[key]
        else:
            del self.ours[key]

    @rule(key=KEYS)
    def pop(self, key: Any) -> None:
        assert self.ours.pop(key, -1) == self.ref.pop(key, -1)

    @rule(key=KEYS, value=VALUES)
    def setdefault(self, key: Any, value: int) -> None:
        if not self.lookup(key) and len(self.ref) == self.ref.maxsize:
            self.evictions += 1
        assert self.ours.setdefault(key, value) == self.ref.setdefault(key, value)

    @precondition(lambda self: len(self.ref) > 0)
    @rule()
    def popitem(self) -> None:
        assert self.ours.popitem() == self.ref.popitem()

    @rule(dt=st.sampled_from([0.25, 0.5, 1.0, 2.5]))
    def tick(self, dt: float) -> None:
        self.clock.t += dt

    @rule()
    def clear(self) -> None:
        self.ours.clear()
        self.ref.clear()

    @invariant()
    def same_contents(self) -> None:
        if not hasattr(self, "ours"):
            return
        # cachetools' items() view reads through __getitem__, which would make its entries recently
        # used; read them without that (its iteration yields live keys only)
        ref_items = {k: cachetools.Cache.__getitem__(self.ref, k) for k in list(self.ref)}
        assert dict(self.ours.items()) == ref_items
        assert len(self.ours) == len(self.ref) == self.ours.currsize == self.ref.currsize
        for key in [0, "a", (1, 2)]:
            assert (key in self.ours) == (key in self.ref)
        s = self.ours.stats()
        assert (s.hits, s.misses, s.evictions) == (self.hits, self.misses, self.evictions)


TestSameAsCachetools = SameAsCachetools.TestCase
TestSameAsCachetools.settings = settings(max_examples=150, stateful_step_count=40, deadline=None, database=None)
