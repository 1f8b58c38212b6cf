"""`make_renderer()`: pick the live (terminal) or plain (pipe) renderer from explicit inputs."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TextIO

from .core import StreamRenderer
from .plain import PlainRenderer, QuietSink
from .protocol import Renderer
from .spinner import Clock, Spinner
from .terminal import ColorChoice, ErrWriter, choose_mode

__all__ = ["make_renderer"]


def make_renderer(
    *,
    stdout: TextIO,
    stderr: TextIO,
    stdout_isatty: bool,
    stderr_isatty: bool,
    color: ColorChoice = "auto",
    show_thinking: bool = False,
    citations_names: Mapping[int, str] | None = None,
    width: int | None = None,
    env: Mapping[str, str] | None = None,
    clock: Clock = time.monotonic,
    footnotes_on_stdout: bool = True,
    quiet: bool = False,
) -> Renderer:
    """The renderer for these streams (rich is imported only when a terminal needs it).

    `env` defaults to `os.environ` (NO_COLOR, FORCE_COLOR, TERM, COLUMNS/LINES are read from it);
    `width` fixes the width, otherwise the terminal's is used and followed on resize.
    `footnotes_on_stdout` only matters for a piped stdout (see `plain.py`): by default the
    citation markers and footnotes of an answer are on stdout, as on a terminal. `quiet` (for
    `--json`/`--stream-json`, where stdout carries JSON) draws no answer at all: only the spinner,
    retry notices, the usage line and the abort reason, all on stderr.
    """
    environ = os.environ if env is None else env
    mode = choose_mode(
        stdout_isatty=stdout_isatty, stderr_isatty=stderr_isatty, color=color, env=environ
    )
    spinner = Spinner(stderr, clock=clock) if mode.spinner else None
    if quiet:
        err = ErrWriter(stderr, color=mode.err_color)
        return StreamRenderer(QuietSink(), err, clock=clock, spinner=spinner)
    if not mode.rich:
        return PlainRenderer(
            stdout,
            stderr,
            show_thinking=show_thinking,
            citations_names=citations_names,
            clock=clock,
            spinner=spinner,
            err_color=mode.err_color,
            footnotes_on_stdout=footnotes_on_stdout,
        )
    from .live import LiveRenderer, make_console

    console = make_console(
        stdout, color=mode.color, styles=mode.styles, animate=mode.animate, width=width, env=environ
    )
    return LiveRenderer(
        console,
        stderr,
        show_thinking=show_thinking,
        citations_names=citations_names,
        clock=clock,
        spinner=spinner,
        err_color=mode.err_color,
        animate=mode.animate,
        catch_up=True,
    )
