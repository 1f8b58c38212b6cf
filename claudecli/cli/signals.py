"""SIGTERM and SIGHUP raise so that `finally` blocks run (a partial reply is committed to the
conversation store); the exit status is 143 or 129. `shielded()` keeps a second Ctrl-C or
SIGTERM from cutting a short final write in half."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from claudecli.cli.exits import HungUp, Terminated


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
    raise Terminated()


def _on_sighup(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    raise HungUp()


def install_handlers() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sighup)


@contextmanager
def shielded() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the block ends (then act as usual)."""
    names = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    caught: list[int] = []
    try:
        previous = {n: signal.signal(n, lambda num, _f: caught.append(num)) for n in names}
    except ValueError:  # not the main thread: nothing to shield
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])
