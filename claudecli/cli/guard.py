"""Run a command body under the one exception-to-exit-code policy.

Every error is one line on stderr (with the request-id when the API gave one); `--debug` adds the
traceback. A closed stdout (`| head`) ends the process quietly with status 0.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from claudecli.cli.exits import ExitStatus, error_line, exit_status

P = ParamSpec("P")
R = TypeVar("R")


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a Typer command so that exceptions become exit codes, never tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, SystemExit, GeneratorExit):
            raise
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(ExitStatus.OK) from None
        except BaseException as exc:  # KeyboardInterrupt and Terminated included: 130 / 143
            report(exc, key_source=_key_source(args, kwargs))
            raise typer.Exit(exit_status(exc)) from None

    return wrapper


def _key_source(args: tuple[object, ...], kwargs: dict[str, object]) -> str | None:
    """The credential's source, from the command's Typer context (if it built a client)."""
    for value in (*args, *kwargs.values()):
        source = getattr(getattr(value, "obj", None), "key_source", None)
        if isinstance(source, str):
            return source
    return None


def report(exc: BaseException, *, key_source: str | None = None) -> None:
    """Print the one-line error (and the traceback under --debug) on stderr."""
    if debug_enabled():
        traceback.print_exception(exc, file=sys.stderr)
    try:
        sys.stderr.write(error_line(exc, key_source=key_source) + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass


def debug_enabled() -> bool:
    return os.environ.get("CLAUDECLI_DEBUG") == "1"


def silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
