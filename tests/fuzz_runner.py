"""The fuzz test's case runner: one process that imports quantumpanarchy once and forks a child per case.

Run by ``tests/fuzz_cases.py`` as ``python tests/fuzz_runner.py``: it reads one JSON request per line
on stdin and answers one JSON outcome per line on stdout. The runner itself never calls into the
native code (no thread pool exists when it forks; it checks that it has one thread). Each child sets
an address-space limit, runs the case's ``setup`` and ``call`` source (with the names defined in this
module), and classifies what happened:

- it returned, and no float in the result is NaN/inf (unless the case allows inf), and observables
  that cannot be negative are not: pass;
- it raised one of the project's exceptions (``QuantumPanarchyError``) other than ``InternalError``,
  or a plain ``TypeError`` from Python's argument binding: pass;
- anything else fails: a signal or abort, a hang past the timeout that Ctrl-C (SIGINT) does not end
  within ``grace`` seconds, a ``PanicException`` or other ``BaseException``, or a stray exception
  (``OverflowError``, ``UnicodeEncodeError``, numpy's ``ValueError``/``MemoryError``, ...).

A reproducer: ``cd tests && python -c "from fuzz_runner import *; <setup>; <call>"``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import pickle
import re
import resource
import select
import signal as os_signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import dimod
import numpy as np
import pandas as pd
import scipy.sparse
from quantumpanarchy import (
    blackswan,
    cas,
    core,
    decision,
    distributed,
    exceptions,
    infrastructure,
    performance,
    risk,
    signal,
)

__all__ = [
    "asyncio",
    "blackswan",
    "cas",
    "core",
    "decision",
    "dimod",
    "distributed",
    "exceptions",
    "infrastructure",
    "np",
    "pd",
    "performance",
    "pickle",
    "risk",
    "rt",
    "run_async",
    "scipy",
    "signal",
    "sphere",
    "sym",
]

GIB = 1 << 30
# Python's own argument binding (and PyO3's): a wrong number or name of arguments.
BINDING = re.compile(
    r"(missing \d+ required|takes \d+ positional|takes (at most|exactly|from|no) |got an unexpected keyword"
    r"|got multiple values for|positional-only arguments passed as keyword|takes no arguments"
    r"|required (positional|keyword)[- ]only|keyword arguments? (is|are) not allowed|unexpected keyword argument)"
)


# Helpers the cases' source may use (short, so reproducers stay short).


def sym(n: int, seed: int = 0, scale: float = 1.0) -> Any:
    """A symmetric n x n coupling matrix with a zero diagonal."""
    rng = np.random.default_rng(seed)
    a = rng.normal(scale=scale, size=(n, n))
    a = (a + a.T) / 2
    np.fill_diagonal(a, 0.0)
    return a


def sphere(x: Any, *args: Any) -> float:
    """An objective for NQO: the squared distance to 0.3."""
    return float(np.sum((np.asarray(x) - 0.3) ** 2))


def rt(obj: Any) -> Any:
    """A pickled round trip."""
    return pickle.loads(pickle.dumps(obj))


def run_async(awaitable: Any) -> Any:
    return asyncio.run(awaitable)


# Classification (in the child).


def nonfinite(value: Any, allow_inf: bool | None, path: str = "result", depth: int = 0) -> str | None:
    """The path of a NaN (or inf) inside ``value``, or of an observable that is negative; else None.
    ``allow_inf=None`` allows NaN too: a documented "no data" result (a statistic of an all-NaN
    column, as empyrical gives it)."""
    if depth > 6 or allow_inf is None:
        return None
    if isinstance(value, (bool, np.bool_, int, str, bytes, type(None))):
        return None
    bad: Callable[[Any], Any] = np.isnan if allow_inf else lambda a: ~np.isfinite(a)
    if isinstance(value, (float, complex, np.floating, np.complexfloating)):
        return f"{path} = {value!r}" if bool(bad(value)) else None
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and value.size:
            hits = np.argwhere(bad(value))
            if len(hits):
                where = tuple(int(i) for i in hits[0])
                return f"{path}[{where}] = {value[where]!r} ({len(hits)} of {value.size} non-finite)"
        if value.dtype.kind == "O":
            return nonfinite(list(value.ravel()[:1000]), allow_inf, path, depth + 1)
        return None
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(f"{path}[{k!r}]", v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [(f"{path}[{k}]", v) for k, v in enumerate(value[:1000])]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(f"{path}.{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)]
    elif type(value).__module__.startswith("dimod") and hasattr(value, "record"):
        items = [(f"{path}.record.energy", value.record.energy)]  # Annealing's dimod.SampleSet
    elif hasattr(value, "__dict__") and type(value).__module__.startswith("quantumpanarchy"):
        items = [(f"{path}.{k}", v) for k, v in vars(value).items() if not k.startswith("_")]
    else:
        return None
    for sub_path, sub in items:
        found = nonfinite(sub, allow_inf, sub_path, depth + 1)
        if found:
            return found
    return negative_observable(value, path)


def negative_observable(value: Any, path: str) -> str | None:
    """Specific heat, susceptibility and error bars are never negative."""
    if type(value).__name__ != "Observables":
        return None
    for name in ("specific_heat", "susceptibility", "energy_error", "specific_heat_error", "susceptibility_error"):
        v = getattr(value, name)
        if v < 0:
            return f"{path}.{name} = {v!r} < 0"
    return None


def _converting_argument(exc: BaseException) -> bool:
    """PyO3 (0.30) converting a native argument of the wrong Python type: the TypeError carries the
    note ``while processing 'beta'``, which names the argument."""
    return any(str(note).startswith("while processing '") for note in getattr(exc, "__notes__", ()))


def classify_exception(exc: BaseException) -> tuple[bool, str, str]:
    """(ok, kind, detail) for an exception a case raised."""
    name = type(exc).__name__
    detail = f"{type(exc).__module__}.{type(exc).__qualname__}: {str(exc)[:400]}"
    if isinstance(exc, exceptions.InternalError):
        return False, "internal-error", detail
    if isinstance(exc, exceptions.QuantumPanarchyError):
        return True, f"raised {name}", detail
    if type(exc) is TypeError and (BINDING.search(str(exc)) or _converting_argument(exc)):
        return True, "raised TypeError (argument binding)", detail
    if isinstance(exc, KeyboardInterrupt):
        return True, "interrupted", detail  # the parent decides whether it sent one
    tb = "".join(traceback.format_exception(exc)[-6:])
    return False, f"stray {name}", f"{detail}\n{tb}"


def run_one(source: str, namespace: dict[str, Any], allow_inf: bool | None, main: bool = True) -> tuple[bool, str, str]:
    """Run one statement or expression; classify its result or exception. SIGINT is blocked in the
    child except here (in the main thread), so that Ctrl-C lands in the case, not in the harness."""
    try:
        code = compile(source, "<case>", "eval")
    except SyntaxError:
        code = compile(source, "<case>", "exec")
    try:
        try:
            if main:
                os_signal.pthread_sigmask(os_signal.SIG_UNBLOCK, {os_signal.SIGINT})
            result = eval(code, namespace)
        finally:
            if main:
                os_signal.pthread_sigmask(os_signal.SIG_BLOCK, {os_signal.SIGINT})
    except BaseException as exc:
        return classify_exception(exc)
    found = nonfinite(result, allow_inf)
    if found:
        return False, "non-finite result", found
    return True, "returned", type(result).__name__


def run_threads(source: str, namespace: dict[str, Any], allow_inf: bool | None, threads: int) -> tuple[bool, str, str]:
    """Run ``source`` in ``threads`` threads at once on the same objects; the first failure wins."""
    outcomes: list[tuple[bool, str, str]] = []
    barrier = threading.Barrier(threads)

    def work() -> None:
        barrier.wait()
        outcomes.append(run_one(source, dict(namespace), allow_inf, main=False))

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        os_signal.pthread_sigmask(os_signal.SIG_UNBLOCK, {os_signal.SIGINT})
        while any(w.is_alive() for w in workers):
            time.sleep(0.01)
        os_signal.pthread_sigmask(os_signal.SIG_BLOCK, {os_signal.SIGINT})
    except KeyboardInterrupt:
        # Ctrl-C reaches the main thread only: the workers' calls go on (the child exits without them)
        return True, "interrupted", f"the main thread, while {threads} threads ran the call"
    failed = [o for o in outcomes if not o[0]]
    return failed[0] if failed else outcomes[0]


def child(request: dict[str, Any], out_fd: int) -> None:
    """In the forked child: limit memory, run setup, call and check, write one JSON line per phase."""
    os_signal.signal(os_signal.SIGINT, os_signal.default_int_handler)
    # backstop if the runner dies: SIGALRM's default action ends the process
    os_signal.alarm(int(request["timeout"] + request["grace"]) + 30)
    mem = int(request["mem_gib"] * GIB)
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    warnings.simplefilter("ignore")
    namespace: dict[str, Any] = {name: globals()[name] for name in __all__}
    allow_inf = None if request.get("allow_nan") else bool(request.get("allow_inf"))

    def send(phase: str, outcome: tuple[bool, str, str]) -> None:
        ok, kind, detail = outcome
        os.write(out_fd, (json.dumps({"phase": phase, "ok": ok, "kind": kind, "detail": detail}) + "\n").encode())

    setup = run_one(request["setup"], namespace, allow_inf) if request["setup"] else (True, "returned", "")
    if not setup[0] or setup[1] != "returned":
        send("setup", setup)  # rejected by the project (ok) or a failure: nothing more to run
        return
    send("setup", setup)
    threads = int(request.get("threads", 1))
    call = (
        run_threads(request["call"], namespace, allow_inf, threads)
        if threads > 1
        else run_one(request["call"], namespace, allow_inf)
    )
    send("call", call)
    if request.get("check") and not (threads > 1 and call[1] == "interrupted"):
        send("check", run_one(request["check"], namespace, True))


def one_thread() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except FileNotFoundError:
        return True


def read_lines(fd: int, deadline: float, want: int, lines: list[dict[str, Any]], buf: bytearray) -> bool:
    """Read JSON lines from ``fd`` until ``want`` lines, EOF or ``deadline``; True at EOF."""
    while len(lines) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return False
        chunk = os.read(fd, 65536)
        if not chunk:
            return True
        buf.extend(chunk)
        while b"\n" in buf:
            line, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            lines.append(json.loads(line))
    return False


def wait_exit(pid: int, deadline: float) -> int | None:
    """The child's wait status, or None if it is still running at ``deadline``."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def tail(path: str, limit: int = 1500) -> str:
    with open(path, "rb") as f:
        data = f.read()
    return data[-limit:].decode("utf-8", "replace").strip()


def run_case(request: dict[str, Any]) -> dict[str, Any]:
    """Fork a child for one case and report its outcome."""
    if not one_thread():
        return {"ok": False, "kind": "harness", "detail": "the runner has threads: it must not fork"}
    timeout, grace = float(request["timeout"]), float(request["grace"])
    interrupt_at = request.get("interrupt_at")
    with tempfile.NamedTemporaryFile(prefix="qp-fuzz-", suffix=".log", delete=False) as log:
        log_path = log.name
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os_signal.pthread_sigmask(os_signal.SIG_BLOCK, {os_signal.SIGINT})  # until the case runs (run_one)
        code = 0
        try:
            os.close(read_fd)
            log_fd = os.open(log_path, os.O_WRONLY)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            child(request, write_fd)
        except BaseException:
            traceback.print_exc()
            code = 3
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_fd)
    lines: list[dict[str, Any]] = []
    buf = bytearray()
    interrupted = None
    # the setup first (SIGINT at the timeout), then the call: SIGINT at interrupt_at after it starts
    # (the Ctrl-C mode) or at the timeout
    eof = read_lines(read_fd, start + timeout, 1, lines, buf)
    if lines and not final(lines):
        sigint_at = time.monotonic() + (interrupt_at if interrupt_at is not None else timeout)
        eof = read_until_final(read_fd, sigint_at, lines, buf)
    if not eof and not final(lines):
        os.kill(pid, os_signal.SIGINT)
        interrupted = time.monotonic()
        eof = read_until_final(read_fd, interrupted + grace, lines, buf)
    if not eof and final(lines) and request.get("check") and lines[-1]["phase"] == "call":
        read_lines(read_fd, time.monotonic() + timeout + 5, len(lines) + 1, lines, buf)
    status = wait_exit(pid, time.monotonic() + 2)
    if status is None:
        os.kill(pid, os_signal.SIGKILL)
        status = os.waitpid(pid, 0)[1]
    os.close(read_fd)
    elapsed = time.monotonic() - start
    output = tail(log_path)
    os.unlink(log_path)
    return judge(request, lines, status, interrupted, start, elapsed, output)


def final(lines: list[dict[str, Any]]) -> bool:
    """Whether the call has finished (or the setup ended the case)."""
    if not lines:
        return False
    return lines[-1]["phase"] != "setup" or not (lines[-1]["ok"] and lines[-1]["kind"] == "returned")


def read_until_final(fd: int, deadline: float, lines: list[dict[str, Any]], buf: bytearray) -> bool:
    """Read phase lines until the call has finished, EOF or ``deadline``; True at EOF."""
    while not final(lines):
        eof = read_lines(fd, deadline, len(lines) + 1, lines, buf)
        if eof or time.monotonic() >= deadline:
            return eof
    return False


def judge(
    request: dict[str, Any],
    lines: list[dict[str, Any]],
    status: int,
    interrupted: float | None,
    start: float,
    elapsed: float,
    output: str,
) -> dict[str, Any]:
    """The case's outcome from the child's phase lines and its exit."""
    report = {"elapsed": round(elapsed, 3), "output": output}
    failed = next((line for line in lines if not line["ok"]), None)
    if failed:
        return {**report, "ok": False, "kind": failed["kind"], "detail": f"{failed['phase']}: {failed['detail']}"}
    phases = [line["phase"] for line in lines]
    expected = ["setup", "call", "check"] if request.get("check") else ["setup", "call"]
    if lines and lines[0]["kind"] != "returned":
        expected = ["setup"]  # the project rejected the setup: nothing more ran
    elif request.get("threads", 1) > 1 and len(lines) > 1 and lines[1]["kind"] == "interrupted":
        expected = ["setup", "call"]  # no check while the threads' calls go on
    running = expected[len(lines)] if len(lines) < len(expected) else None
    if running and os.WIFSIGNALED(status) and os.WTERMSIG(status) != os_signal.SIGKILL:
        sig = os_signal.Signals(os.WTERMSIG(status)).name
        return {**report, "ok": False, "kind": f"killed by {sig}", "detail": f"during {running}"}
    if running and interrupted is not None:
        grace = request["grace"]
        return {
            **report,
            "ok": False,
            "kind": "ignores Ctrl-C",
            "detail": f"{running} still running {grace:g} s after SIGINT (sent {interrupted - start:.1f} s in)",
        }
    if running:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        return {**report, "ok": False, "kind": "died", "detail": f"during {running}, exit status {code}"}
    if interrupted is None and any(line["kind"] == "interrupted" for line in lines):
        return {**report, "ok": False, "kind": "stray KeyboardInterrupt", "detail": str(lines)}
    last = lines[min(1, len(lines) - 1)]
    kind = last["kind"]
    return {**report, "ok": True, "kind": kind, "detail": f"{phases[-1]}: {last['detail'][:300]}"}


def main() -> None:
    for raw in sys.stdin:
        request = json.loads(raw)
        if request.get("ping"):
            answer: dict[str, Any] = {"ok": one_thread(), "pid": os.getpid()}
        else:
            answer = run_case(request)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
