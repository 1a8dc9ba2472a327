"""Plain-text tables for the bench's figures, each next to its goal."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

MET = "met"
NOT_MET = "NOT met"


def emit(line: str = "") -> None:
    """One line on stdout, flushed (the bench reports progress as it goes)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Figure:
    """A measured value; ``met`` is None for figures printed for information only."""

    label: str
    value: str
    goal: str = ""
    met: bool | None = None

    @property
    def status(self) -> str:
        if self.met is None:
            return ""
        return MET if self.met else NOT_MET


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> None:
    """Columns padded to their widest cell; numbers are expected pre-formatted."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    emit(line(headers))
    emit(line(["-" * w for w in widths]))
    for row in rows:
        emit(line(row))


def figures(title: str, items: Sequence[Figure]) -> None:
    emit()
    emit(title)
    table(
        ("Measure", "Value", "Goal", "Status"),
        [(f.label, f.value, f.goal, f.status) for f in items],
    )


def heading(text: str) -> None:
    emit()
    emit("=" * len(text))
    emit(text)
    emit("=" * len(text))


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def count(value: int) -> str:
    return f"{value:,}"
