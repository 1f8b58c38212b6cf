"""Hermetic test environment: no ANTHROPIC_* from the host, private XDG dirs, no real keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from claudecli.emulator import Emulator

_SCRUB_PREFIXES = ("ANTHROPIC_", "CLAUDECLI_")


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets empty config/cache/state/data dirs and no inherited credentials."""
    for name in list(os.environ):
        if name.startswith(_SCRUB_PREFIXES) or name in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("HOME", str(home))
    # A keyring backend that always fails: tests that need one install their own.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield home


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started offline API emulator (batches end after 0.1 s); stopped after the test."""
    with Emulator(batch_delay=0.1) as emu:
        yield emu
