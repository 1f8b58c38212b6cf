"""Fixtures for the emulator tests: an SDK client pointed at the `emulator` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from claudecli.emulator import Emulator


@pytest.fixture
def client(emulator: Emulator) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-test", base_url=emulator.url, max_retries=0) as sdk:
        yield sdk
