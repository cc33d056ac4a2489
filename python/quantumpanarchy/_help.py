"""What ``dir()`` and ``help()`` show of the package and its modules."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterable


def public_dir(names: Iterable[str]) -> Callable[[], list[str]]:
    """A module-level ``__dir__`` (PEP 562) that lists ``names`` only, so ``dir(module)``, tab
    completion and ``help(module)`` show the public API rather than the module's imports
    (``np``, ``annotations``, ``sys``, ...). Usage: ``__dir__ = public_dir(__all__)``."""
    listed = sorted(set(names))

    def module_dir() -> list[str]:
        return list(listed)

    return module_dir


def exception_summary(classes: Iterable[type[BaseException]]) -> str:
    """One entry per exception class, bases before the classes derived from them: its name, its
    bases and the first paragraph of its docstring, for a module docstring (pydoc would otherwise
    print every inherited method)."""
    lines = []
    for cls in sorted(classes, key=lambda c: (len(c.__mro__), c.__name__)):
        bases = ", ".join(base.__name__ for base in cls.__bases__)
        doc = " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())
        lines.append(f"    {cls.__name__} ({bases})")
        lines.extend(textwrap.wrap(doc, width=100, initial_indent=" " * 8, subsequent_indent=" " * 8))
    return "\n".join(lines)
