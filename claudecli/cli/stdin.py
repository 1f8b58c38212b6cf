"""Reading a command's piped input from the injected environment (never `sys.stdin`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from claudecli.errors import UsageError

if TYPE_CHECKING:
    from claudecli.cli.context import Environment


def read_turn_input(
    environment: Environment, prompt: Sequence[str] | None, attach: Sequence[str] | None
) -> bytes | None:
    """stdin bytes when stdin is piped (or named with `-`); usage errors when there is no input."""
    words = [w for w in prompt or () if w != "-"]
    wants_stdin = "-" in (prompt or ()) or "-" in (attach or ())
    stdin = environment.stdin
    if stdin is None or (environment.stdin_isatty and not wants_stdin):
        if not words and not attach:
            raise UsageError("no prompt: give words, pipe text/PDF/image into stdin, or use -a")
        return None
    from claudecli.request import read_stdin

    if environment.stdin_isatty:
        environment.stderr.write("claudecli: reading stdin (Ctrl-D on an empty line to end)\n")
        environment.stderr.flush()
    data = read_stdin(stdin)
    if not data and not words and not attach:
        raise UsageError("no input: stdin was empty and no prompt was given")
    return data or None
