"""Which renderer, colours and animations to use, decided once from explicit inputs (no rich).

Precedence: `--color=never` > `--color=always` > `NO_COLOR` > `FORCE_COLOR` > detection. Each
stream is judged on its own (stdout may be a pipe while stderr is a terminal). `NO_COLOR` and
`FORCE_COLOR` count when set to a non-empty value; `FORCE_COLOR=0`/`false` does not force.
`TERM=dumb` turns off colour (unless `--color=always`), the live region and the spinner: a dumb
terminal cannot move the cursor, so Markdown is still rendered, block by block.

`NO_COLOR` and `--color=never` remove colour, not structure (https://no-color.org): bold,
italic, underline, dim and reverse stay (`styles`); only a dumb terminal gets no attributes.

A piped stdout gets raw Markdown (the plain renderer) unless colour is forced, in which case it
gets Rich-rendered blocks without any cursor movement (e.g. for `| less -R`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TextIO

from .sanitize import sanitize

__all__ = [
    "ColorChoice",
    "ErrWriter",
    "OutputMode",
    "choose_mode",
    "stream_wants_color",
    "terminal_reflows",
]

ColorChoice = Literal["auto", "always", "never"]
_SGR = {"dim": "\x1b[2m", "warn": "\x1b[33m", "error": "\x1b[31m", "bold": "\x1b[1m"}


@dataclass(frozen=True, slots=True)
class OutputMode:
    rich: bool  # render Markdown with Rich on stdout (False: raw text, the plain renderer)
    animate: bool  # a live region on stdout (cursor movement allowed)
    color: bool  # colour on stdout
    err_color: bool  # colour on stderr
    spinner: bool  # spinner on stderr until the first token
    styles: bool = True  # bold/italic/underline/dim on stdout (without colour too)


def _is_set(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "") != ""


def _forced(env: Mapping[str, str]) -> bool:
    return _is_set(env, "FORCE_COLOR") and env["FORCE_COLOR"].lower() not in ("0", "false")


def _is_dumb(env: Mapping[str, str]) -> bool:
    return env.get("TERM", "").lower() == "dumb"


def stream_wants_color(isatty: bool, color: ColorChoice, env: Mapping[str, str]) -> bool:
    """Colour decision for one stream."""
    if color != "auto":
        return color == "always"
    if _is_set(env, "NO_COLOR") or _is_dumb(env):
        return False
    return _forced(env) or isatty


def choose_mode(
    *, stdout_isatty: bool, stderr_isatty: bool, color: ColorChoice, env: Mapping[str, str]
) -> OutputMode:
    """Decide how output looks, from TTY flags, `--color` and the environment."""
    dumb = _is_dumb(env)
    out_color = stream_wants_color(stdout_isatty, color, env)
    return OutputMode(
        rich=stdout_isatty or out_color,
        animate=stdout_isatty and not dumb,
        color=out_color,
        err_color=stream_wants_color(stderr_isatty, color, env),
        spinner=stderr_isatty and not dumb,
        styles=out_color or not dumb,
    )


# Terminals known to re-wrap ("reflow") their lines when the window narrows or widens, told by
# what they put in their children's environment. tmux comes first: inside it, tmux is the
# terminal that matters. xterm (XTERM_VERSION) does not reflow, whatever it inherited.
_REFLOW_VARS = (
    "VTE_VERSION",
    "KITTY_WINDOW_ID",
    "WT_SESSION",
    "ALACRITTY_WINDOW_ID",
    "WEZTERM_PANE",
)
_REFLOW_PROGRAMS = ("iterm.app", "apple_terminal", "wezterm", "vscode", "ghostty")
_REFLOW_TERMS = ("xterm-kitty", "alacritty", "foot", "xterm-ghostty", "wezterm")


def terminal_reflows(env: Mapping[str, str]) -> bool:
    """Whether the terminal re-wraps what it shows on a resize (unknown: no, the safe answer).

    A renderer that erases its live region after a resize must know: a reflowing terminal shows
    a narrowed row on several rows; one that does not (xterm, the Linux console) truncates it,
    and erasing the reflowed count there would erase lines above the region.
    """
    if _is_set(env, "TMUX"):
        return True
    if _is_set(env, "XTERM_VERSION") or _is_set(env, "STY"):  # xterm, GNU screen
        return False
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    return (
        any(_is_set(env, name) for name in _REFLOW_VARS)
        or program in _REFLOW_PROGRAMS
        or term.startswith(_REFLOW_TERMS)
    )


class ErrWriter:
    """Writes sanitized one-line notices to stderr, dim/yellow/red when colour is on."""

    def __init__(self, stream: TextIO, *, color: bool = False) -> None:
        self.stream = stream
        self.color = color

    def line(self, text: str, style: str = "") -> None:
        clean = sanitize(text)
        if self.color and style in _SGR:
            clean = f"{_SGR[style]}{clean}\x1b[0m"
        self.write(clean + "\n")

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
