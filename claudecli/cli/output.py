"""The two channels of every command: results on stdout, everything else on stderr."""

from __future__ import annotations

import sys


def out(text: str) -> None:
    """One line of result on stdout, flushed (a pipe reader sees it at once)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    """One line of diagnostics on stderr."""
    sys.stderr.write(text + "\n")
