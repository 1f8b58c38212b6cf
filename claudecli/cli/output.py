"""The two channels of every command: results on stdout, everything else on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def out(text: str) -> None:
    """One line of result on stdout, flushed (a pipe reader sees it at once)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    """One line of diagnostics on stderr."""
    sys.stderr.write(text + "\n")


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right_aligned: set[int]
) -> str:
    """Plain aligned columns (two spaces apart) with a header line; no trailing spaces."""
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in right_aligned else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(padded).rstrip()

    return "\n".join(line(row) for row in (headers, *rows))
