"""How the demonstration prints: section headings and wrapped paragraphs of explanation."""

from __future__ import annotations

import textwrap

WIDTH = 100


def heading(title: str) -> None:
    """A blank line, the title, and a rule under it."""
    print(f"\n{title}\n{'-' * len(title)}")


def count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1: "1 asset", "3 assets"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _fill(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        " ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def say(text: str, indent: int = 0) -> None:
    """``text`` wrapped to the report's width; ``indent`` spaces before every line."""
    print(_fill(text, " " * indent, " " * indent))


def item(label: str, text: str) -> None:
    """A labelled result, ``  label : text``, wrapped under its own column (no label: a
    continuation of the item above)."""
    head = f"  {label:<12} : " if label else " " * 17
    print(_fill(text, head, " " * len(head)))
