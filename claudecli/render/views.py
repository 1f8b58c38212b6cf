"""Small output helpers for the other commands: an error line and a simple table.

`error_line` needs no rich. `print_table` writes tab-separated text to a pipe (easy to `cut`)
and a Rich table to a terminal (rich imported only then). All cells are sanitized.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from .sanitize import sanitize

__all__ = ["error_line", "print_table"]


def _cell(value: object) -> str:
    return " ".join(sanitize(str(value)).split())


def error_line(stream: TextIO, message: str, *, color: bool = False, label: str = "error") -> None:
    """`error: message` on one line (control characters removed, newlines folded)."""
    prefix = f"\x1b[1;31m{label}:\x1b[0m" if color else f"{label}:"
    stream.write(f"{prefix} {_cell(message)}\n")
    stream.flush()


def _is_number(text: str) -> bool:
    stripped = text.replace(",", "").replace("_", "").replace("$", "").replace("%", "")
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def _numeric_columns(rows: list[list[str]], width: int) -> list[bool]:
    return [all(_is_number(row[i]) for row in rows if i < len(row)) for i in range(width)]


def print_table(
    stream: TextIO,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    rich: bool,
    color: bool = False,
    width: int | None = None,
) -> None:
    """A table: Rich box on a terminal (`rich=True`), tab-separated lines otherwise."""
    cells = [[_cell(value) for value in row] for row in rows]
    head = [_cell(header) for header in headers]
    if not rich:
        stream.write("".join("\t".join(line) + "\n" for line in [head, *cells]))
        stream.flush()
        return
    _print_rich_table(stream, head, cells, color=color, width=width)


def _print_rich_table(
    stream: TextIO, head: list[str], cells: list[list[str]], *, color: bool, width: int | None
) -> None:
    from rich.table import Table
    from rich.text import Text

    from .live import make_console

    table = Table(box=None, pad_edge=False, header_style="bold" if color else "")
    for header, numeric in zip(head, _numeric_columns(cells, len(head)), strict=True):
        table.add_column(Text(header), justify="right" if numeric and cells else "left")
    for row in cells:
        table.add_row(*(Text(value) for value in row))
    make_console(stream, color=color, animate=False, width=width).print(table)
