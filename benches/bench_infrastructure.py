#!/usr/bin/env python
"""quantumpanarchy.infrastructure against its anchors, measured in one process.

* ``DecisionCache.get`` hit (and ``cache[key]``) of a small str / int key, against cachetools'
  ``LRUCache`` and ``TTLCache`` and a lean pure-Python ``OrderedDict`` LRU cache (the floor of what
  Python code can do), each holding the same 1,000 entries.
* A call of a no-op through ``CircuitBreaker`` (``call`` and the decorator) against pybreaker's.

Each row is timed with ``timeit`` (``--number`` operations per sample); the rows take turns, sample
by sample, for ``--rounds`` rounds, and each keeps its best sample, so a machine that slows down for
a while slows every row alike. Ratios are against our row measured in the same run. Before timing,
the script checks that every cache returns the same value and every breaker the same result.

Run ``python benches/bench_infrastructure.py [--quick] [--number N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import os
import timeit
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import cachetools
import pybreaker
from quantumpanarchy.infrastructure import CircuitBreaker, DecisionCache

ENTRIES = 1000


class LeanLRU:
    """The least a pure-Python LRU cache can do on a hit: one dict lookup and one move_to_end."""

    __slots__ = ("data", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.maxsize = maxsize

    def get(self, key: Hashable, default: Any = None) -> Any:
        data = self.data
        try:
            value = data[key]
        except KeyError:
            return default
        data.move_to_end(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        data = self.data
        data[key] = value
        data.move_to_end(key)
        if len(data) > self.maxsize:
            data.popitem(last=False)


def noop() -> None:
    return None


def best_ns(rows: dict[str, tuple[str, dict[str, Any]]], number: int, rounds: int) -> dict[str, float]:
    """Nanoseconds per operation of each row's statement: the best of ``rounds`` samples of
    ``number`` operations, the rows taking turns."""
    timers = {name: timeit.Timer(stmt, globals=env) for name, (stmt, env) in rows.items()}
    for t in timers.values():
        t.timeit(number // 10 or 1)  # warm-up
    best = dict.fromkeys(rows, float("inf"))
    for _ in range(rounds):
        for name, t in timers.items():
            best[name] = min(best[name], t.timeit(number) / number * 1e9)
    return best


def table(title: str, ns: dict[str, float], ours: str) -> None:
    print(f"\n{title}")
    print(f"{'':44} {'ns/op':>8} {'vs ours':>9}")
    for name, value in ns.items():
        print(f"{name:44} {value:8.1f} {value / ns[ours]:8.2f}x")


def caches(number: int, rounds: int) -> None:
    int_key = 42
    rows: dict[str, tuple[str, dict[str, Any]]] = {}
    made: dict[str, Any] = {
        "DecisionCache": DecisionCache(4 * ENTRIES),
        "DecisionCache(ttl=3600)": DecisionCache(4 * ENTRIES, ttl=3600.0),
        "cachetools.LRUCache": cachetools.LRUCache(4 * ENTRIES),
        "cachetools.TTLCache(ttl=3600)": cachetools.TTLCache(4 * ENTRIES, ttl=3600.0),
        "OrderedDict LRU (lean Python)": LeanLRU(4 * ENTRIES),
    }
    for cache in made.values():
        for i in range(ENTRIES):
            cache[f"sym:{i:05d}"] = i
            cache[i] = -i
    # the key object looked up is equal to the stored one, not the same object (as in a service)
    key = "".join(["sym:", "00042"])
    for name, cache in made.items():
        assert cache.get(key) == 42 and cache.get(int_key) == -42, name
        for label, k in (("str", "key"), ("int", "int_key")):
            rows[f"{name}.get ({label} key)"] = (f"get({k})", {"get": cache.get, "key": key, "int_key": int_key})
        if not name.startswith("OrderedDict"):
            rows[f"{name}[key] (str key)"] = ("c[key]", {"c": cache, "key": key})
    ns = best_ns(rows, number, rounds)
    table(f"cache hit, {ENTRIES * 2} entries (lower is better)", ns, "DecisionCache.get (str key)")
    ours = ns["DecisionCache.get (str key)"]
    lru, lean = ns["cachetools.LRUCache.get (str key)"], ns["OrderedDict LRU (lean Python).get (str key)"]
    print(
        f"\nDecisionCache.get hit (str key): {ours:.1f} ns; cachetools.LRUCache {lru:.1f} ({lru / ours:.2f}x), "
        f"lean OrderedDict {lean:.1f} ({lean / ours:.2f}x)"
    )


def breakers(number: int, rounds: int) -> None:
    ours, theirs = CircuitBreaker(), pybreaker.CircuitBreaker()
    ours_wrapped, theirs_wrapped = ours(noop), theirs(noop)
    assert ours.call(noop) is None and theirs.call(noop) is None and ours_wrapped() is None
    rows: dict[str, tuple[str, dict[str, Any]]] = {
        "CircuitBreaker.call(noop)": ("call(noop)", {"call": ours.call, "noop": noop}),
        "CircuitBreaker decorated noop()": ("f()", {"f": ours_wrapped}),
        "pybreaker.CircuitBreaker.call(noop)": ("call(noop)", {"call": theirs.call, "noop": noop}),
        "pybreaker decorated noop()": ("f()", {"f": theirs_wrapped}),
        "noop() alone": ("noop()", {"noop": noop}),
    }
    ns = best_ns(rows, number, rounds)
    table("circuit breaker, closed, a no-op call (lower is better)", ns, "CircuitBreaker.call(noop)")
    mine, ref = ns["CircuitBreaker.call(noop)"], ns["pybreaker.CircuitBreaker.call(noop)"]
    print(f"\nCircuitBreaker.call: {mine:.1f} ns; pybreaker {ref:.1f} ns ({ref / mine:.1f}x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer samples (about 5 s)")
    ap.add_argument("--number", type=int, default=None, help="operations per sample")
    ap.add_argument("--rounds", type=int, default=None, help="samples per row")
    args = ap.parse_args()
    number = args.number or (50_000 if args.quick else 200_000)
    rounds = args.rounds or (3 if args.quick else 7)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {rounds} samples of {number} operations")
    caches(number, rounds)
    breakers(number // 5, rounds)
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
