"""`ask(...)`: run the installed binary's `ask` against the test's emulator."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from claudecli.emulator import Emulator
from tests.cli.helpers import TIMEOUT, Result, run

Ask = Callable[..., Result]


@pytest.fixture
def ask(emulator: Emulator) -> Ask:
    """`ask("hello", "--json", stdin=b"...", env=None, timeout=20)` -> Result."""

    def call(
        *args: str,
        stdin: bytes | int = b"",
        env: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Result:
        return run(["ask", *args], url=emulator.url, stdin=stdin, env=env, timeout=timeout)

    return call
