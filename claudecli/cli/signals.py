"""SIGTERM raises `Terminated` so `finally` blocks run and the exit status is 143."""

from __future__ import annotations

import signal
from types import FrameType

from claudecli.cli.exits import Terminated


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
    raise Terminated()


def install_handlers() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
