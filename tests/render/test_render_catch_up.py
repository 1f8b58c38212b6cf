"""The live region catches up during a pause and after a resize (real clock, real thread)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

from rich.console import Console

from claudecli.render.live import LiveSink


def _console(width: int = 60) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        height=20,
        force_terminal=True,
        force_interactive=True,
        color_system=None,
    )


def _written(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def _eventually(ready: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _held_back(sink: LiveSink, console: Console) -> None:
    """Draw some text, then add more inside the same throttle interval: it is not drawn."""
    sink.text("first words")
    sink.tick()
    sink.text(" and the held back end")
    sink.tick()
    assert "first words" in _written(console)
    assert "held back" not in _written(console)


def test_a_pause_draws_what_the_throttle_held_back() -> None:
    console = _console()
    sink = LiveSink(console, fps=20, catch_up=True)
    try:
        _held_back(sink, console)
        assert _eventually(lambda: "held back" in _written(console))
    finally:
        sink.close()


def test_without_catch_up_a_pause_shows_the_stale_tail() -> None:
    console = _console()
    sink = LiveSink(console, fps=20, catch_up=False)
    try:
        _held_back(sink, console)
        time.sleep(0.3)  # six throttle intervals
        assert "held back" not in _written(console)
    finally:
        sink.close()
    assert "held back" in _written(console)  # the final commit has everything


def test_idle_means_no_redraw_and_a_resize_redraws_at_the_new_width() -> None:
    console = _console(width=60)
    sink = LiveSink(console, fps=20, catch_up=True)
    try:
        sink.text("alpha beta gamma delta epsilon zeta eta theta iota kappa")
        sink.tick()
        renders = sink.stats.tail_renders
        time.sleep(0.3)
        assert sink.stats.tail_renders == renders  # nothing new, nothing drawn
        console.width = 20
        assert _eventually(lambda: sink.stats.tail_renders > renders)
        assert _eventually(lambda: "alpha beta gamma\n" in _written(console))  # wrapped at 20
    finally:
        sink.close()


def test_the_live_tail_is_not_padded_to_the_width() -> None:
    console = _console(width=60)
    sink = LiveSink(console, fps=20)
    try:
        sink.text("short line")
        sink.tick()
        assert "short line\n" in _written(console)  # no blanks up to column 60
    finally:
        sink.close()


def test_close_stops_the_thread_even_when_the_final_commit_opened_the_region() -> None:
    console = _console()
    sink = LiveSink(console, fps=20, catch_up=True)
    sink.text("never drawn before the end")  # no tick: the region opens at close()
    sink.close()
    assert "never drawn before the end" in _written(console)
    assert not [t for t in threading.enumerate() if t.name == "live-tail"]
