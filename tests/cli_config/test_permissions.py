"""Everything claudecli creates under the XDG directories is 0600 inside 0700 directories."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli_config.conftest import KEY, Run

pytestmark = pytest.mark.slow

XDG_VARS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")


def created(roots: list[Path]) -> Iterator[Path]:
    """claudecli's own directories under each XDG root, and everything inside them."""
    for root in roots:
        top = root / "claudecli"
        if top.exists():
            yield top
            yield from top.rglob("*")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The usual 022 umask: claudecli must not rely on a stricter one."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("usual_umask")
def test_files_are_0600_and_directories_0700(
    cli: Run, file_keyring: Path, emulator: Emulator
) -> None:
    env = {"VISUAL": "", "EDITOR": "true"}
    assert cli("config", "edit", env=env).returncode == 0
    assert cli("auth", "login", input=KEY).returncode == 0
    models = cli("models", env={"ANTHROPIC_BASE_URL": emulator.url})
    assert models.returncode == 0, models.stderr
    ask = cli("ask", "hi", env={"ANTHROPIC_BASE_URL": emulator.url})
    assert ask.returncode == 0, ask.stderr

    roots = [Path(os.environ[var]) for var in XDG_VARS]
    everything = list(created(roots))
    files = [path for path in everything if path.is_file()]
    assert {path.name for path in files} >= {"config.yaml", "models.json"}
    loose = [f"{path} {mode(path):04o}" for path in files if mode(path) != 0o600]
    loose += [f"{p} {mode(p):04o}" for p in everything if p.is_dir() and mode(p) != 0o700]
    assert loose == []
    assert not any(path.is_symlink() for path in everything)
    assert KEY not in "".join(path.read_text(errors="replace") for path in files)
