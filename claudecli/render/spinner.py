"""A one-line spinner with elapsed time on stderr, shown until the first token (no rich).

Only used when stderr is a terminal that understands `ESC [ K`. It draws `\\r⠋ waiting · 1.2 s`
and erases its line when stopped, so nothing of it is left in the scrollback. `note()` prints a
line (a retry notice) above it. With `animate=False` nothing runs in the background and tests
call `tick()` themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Clock", "Spinner"]

Clock = Callable[[], float]
_UNICODE_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_FRAMES = "|/-\\"
_ERASE_LINE = "\r\x1b[K"


def _frames_for(stream: TextIO) -> str:
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return _UNICODE_FRAMES if "utf" in encoding else _ASCII_FRAMES


class Spinner:
    """`start()` before the request, `stop()` at the first visible output (idempotent)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Clock = time.monotonic,
        interval: float = 0.1,
        animate: bool = True,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._interval = interval
        self._animate = animate
        self._frames = _frames_for(stream)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_at = 0.0
        self._frame = 0
        self._label = "waiting"
        self.active = False

    def start(self, label: str = "waiting") -> None:
        with self._lock:
            if self.active:
                return
            self.active = True
            self._label = label
            self._started_at = self._clock()
            self._draw()
        if self._animate:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="spinner", daemon=True)
            self._thread.start()

    def set_label(self, label: str) -> None:
        with self._lock:
            self._label = label

    def tick(self) -> None:
        """Advance one frame and redraw."""
        with self._lock:
            if self.active:
                self._frame += 1
                self._draw()

    def note(self, text: str) -> None:
        """Print `text` on its own line, keeping the spinner below it."""
        with self._lock:
            self._write(f"{_ERASE_LINE}{text}\n")
            if self.active:
                self._draw()

    def stop(self) -> None:
        with self._lock:
            if not self.active:
                return
            self.active = False
            self._write(_ERASE_LINE)
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.tick()

    def _draw(self) -> None:
        frame = self._frames[self._frame % len(self._frames)]
        elapsed = max(0.0, self._clock() - self._started_at)
        self._write(f"\r{frame} {self._label} · {elapsed:.1f} s\x1b[K")

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()
