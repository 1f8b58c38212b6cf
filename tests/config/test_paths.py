"""claudecli.paths: XDG locations, private directories and atomic writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from claudecli import paths


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory (tmp_path also holds the hermetic HOME)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A permissive umask, so only our own code can make files private."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_dirs_follow_xdg(hermetic_env: Path) -> None:
    assert paths.config_dir() == Path(os.environ["XDG_CONFIG_HOME"]) / "claudecli"
    assert paths.cache_dir() == Path(os.environ["XDG_CACHE_HOME"]) / "claudecli"
    assert paths.state_dir() == Path(os.environ["XDG_STATE_HOME"]) / "claudecli"
    assert paths.data_dir() == Path(os.environ["XDG_DATA_HOME"]) / "claudecli"
    assert paths.config_file() == paths.config_dir() / "config.yaml"


def test_claudecli_home_overrides_every_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUDECLI_HOME", str(tmp_path / "box"))
    assert paths.config_dir() == tmp_path / "box" / "config"
    assert paths.data_dir() == tmp_path / "box" / "data"
    assert paths.state_dir() == tmp_path / "box" / "state"
    assert paths.cache_dir() == tmp_path / "box" / "cache"


def test_config_file_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDECLI_CONFIG", str(tmp_path / "other.yaml"))
    assert paths.config_file() == tmp_path / "other.yaml"


def test_an_explicit_env_mapping_is_honoured(tmp_path: Path) -> None:
    env = {"CLAUDECLI_HOME": str(tmp_path / "h")}
    assert paths.config_file(env) == tmp_path / "h" / "config" / "config.yaml"
    assert paths.state_dir(env) == tmp_path / "h" / "state"
    explicit = {"CLAUDECLI_CONFIG": "~/my.yaml"}
    assert paths.config_file(explicit) == Path.home() / "my.yaml"


def test_ensure_private_dir_creates_every_missing_level_0700(
    tmp_path: Path, loose_umask: None
) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert paths.ensure_private_dir(target) == target
    for created in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode_of(created) == 0o700


def test_ensure_private_dir_leaves_existing_parents_alone(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    paths.ensure_private_dir(tmp_path / "child")
    assert mode_of(tmp_path) == 0o755


def test_ensure_private_dir_tightens_an_existing_dir(tmp_path: Path) -> None:
    target = tmp_path / "loose"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)
    paths.ensure_private_dir(target)
    assert mode_of(target) == 0o700


def test_ensure_private_dir_can_leave_an_existing_dir_alone(tmp_path: Path) -> None:
    target = tmp_path / "shared"
    target.mkdir()
    os.chmod(target, 0o755)
    paths.ensure_private_dir(target, tighten=False)
    assert mode_of(target) == 0o755


def test_ensure_private_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        paths.ensure_private_dir(tmp_path / "file")


@pytest.mark.parametrize("data", ["héllo\n", b"\x00\xffbytes"])
def test_atomic_write_writes_0600(tmp_path: Path, data: str | bytes, loose_umask: None) -> None:
    target = tmp_path / "out.txt"
    paths.atomic_write(target, data)
    expected = data.encode() if isinstance(data, str) else data
    assert target.read_bytes() == expected
    assert mode_of(target) == 0o600


def test_atomic_write_replaces_and_tightens_an_existing_file(workdir: Path) -> None:
    target = workdir / "conv.jsonl"
    target.write_text("old")
    os.chmod(target, 0o644)
    paths.atomic_write(target, "new")
    assert target.read_text() == "new"
    assert mode_of(target) == 0o600
    assert os.listdir(workdir) == ["conv.jsonl"]


def test_atomic_write_custom_mode(tmp_path: Path) -> None:
    paths.atomic_write(tmp_path / "public.txt", "x", mode=0o644)
    assert mode_of(tmp_path / "public.txt") == 0o644


def test_atomic_write_creates_a_private_parent(tmp_path: Path, loose_umask: None) -> None:
    target = tmp_path / "new" / "dir" / "f"
    paths.atomic_write(target, "x")
    assert mode_of(tmp_path / "new") == 0o700
    assert mode_of(tmp_path / "new" / "dir") == 0o700


def test_atomic_write_failure_keeps_the_old_file_and_no_temp(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = workdir / "keep.txt"
    target.write_text("original")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        paths.atomic_write(target, "half-written")
    assert target.read_text() == "original"
    assert os.listdir(workdir) == ["keep.txt"]


def test_atomic_write_failure_during_fsync_cleans_up(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="I/O error"):
        paths.atomic_write(workdir / "f", "data")
    assert os.listdir(workdir) == []


def test_atomic_write_interrupted_cleans_up(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(src: str, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        paths.atomic_write(workdir / "f", "data")
    assert os.listdir(workdir) == []
