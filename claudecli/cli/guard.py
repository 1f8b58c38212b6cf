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
from typing import TYPE_CHECKING, ParamSpec, TextIO, TypeVar

import typer

from claudecli.cli.exits import ExitStatus, error_line, exit_status

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext

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
            app = _app_context(args, kwargs)
            if app is None:
                report(exc)
            else:
                stream, debug = app.environment.stderr, app.debug
                report(exc, key_source=app.key_source, stream=stream, debug=debug)
            raise typer.Exit(exit_status(exc)) from None

    return wrapper


def _app_context(args: tuple[object, ...], kwargs: dict[str, object]) -> AppContext | None:
    """The command's AppContext, from its Typer context argument."""
    from claudecli.cli.context import AppContext

    for value in (*args, *kwargs.values()):
        app = getattr(value, "obj", None)
        if isinstance(app, AppContext):
            return app
    return None


def report(
    exc: BaseException,
    *,
    key_source: str | None = None,
    stream: TextIO | None = None,
    debug: bool = False,
) -> None:
    """Print the one-line error (and the traceback under --debug) on stderr."""
    stream = stream or sys.stderr
    if debug:
        traceback.print_exception(exc, file=stream)
    try:
        stream.write(error_line(exc, key_source=key_source) + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass


def silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
