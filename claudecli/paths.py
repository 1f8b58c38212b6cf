"""Where claudecli keeps its files, and the only two ways it writes them.

Directories (Linux defaults; platformdirs picks the native ones elsewhere and honours `XDG_*`):

* `config_dir()`  `~/.config/claudecli`       config.yaml
* `data_dir()`    `~/.local/share/claudecli`  conversations
* `state_dir()`   `~/.local/state/claudecli`  batch state, locks, audit log
* `cache_dir()`   `~/.cache/claudecli`        model list and other re-fetchable data

Environment overrides (each function takes an optional `env` mapping, default `os.environ`;
the `XDG_*` variables are always read from `os.environ` by platformdirs):

* `CLAUDECLI_HOME`: put all four under one directory (`$CLAUDECLI_HOME/config`, `…/data`,
  `…/state`, `…/cache`); meant for containers and tests.
* `CLAUDECLI_CONFIG`: the config file itself (default `config_dir()/config.yaml`).

Everything claudecli writes goes through `ensure_private_dir` (0700 directories) and
`atomic_write` (0600 files, written to a temporary file in the same directory, fsynced, then
`os.replace`d, so a reader never sees a truncated file). Both raise `OSError` on failure.

Imports only `os` and `pathlib` at module level; platformdirs and tempfile load on first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "APP_NAME",
    "atomic_write",
    "cache_dir",
    "config_dir",
    "config_file",
    "data_dir",
    "ensure_private_dir",
    "state_dir",
]

APP_NAME = "claudecli"
CONFIG_FILE_NAME = "config.yaml"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _environ(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _home_override(kind: str, env: Mapping[str, str] | None) -> Path | None:
    home = _environ(env).get("CLAUDECLI_HOME")
    return Path(home).expanduser() / kind if home else None


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Directory of `config.yaml`."""
    override = _home_override("config", env)
    if override is not None:
        return override
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Directory of data the user cares about (conversations)."""
    override = _home_override("data", env)
    if override is not None:
        return override
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Directory of state that should survive restarts but is not user data."""
    override = _home_override("state", env)
    if override is not None:
        return override
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Directory of data that can be fetched again."""
    override = _home_override("cache", env)
    if override is not None:
        return override
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """The config file: `$CLAUDECLI_CONFIG`, else `config_dir()/config.yaml`."""
    explicit = _environ(env).get("CLAUDECLI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return config_dir(env) / CONFIG_FILE_NAME


def ensure_private_dir(path: Path | str, *, tighten: bool = True) -> Path:
    """Create `path` (and missing parents) with mode 0700 and return it.

    Only directories created here get 0700 forced on them; an existing `path` is tightened to
    0700 when `tighten` is true and it belongs to the current user. Existing parents are never
    touched. Raises `NotADirectoryError` if `path` exists but is not a directory.
    """
    target = Path(path)
    missing = _missing_components(target)
    for directory in missing:
        _make_private(directory)
    if not target.is_dir():
        raise NotADirectoryError(f"not a directory: {target}")
    if not missing and tighten:
        _tighten(target)
    return target


def _missing_components(target: Path) -> list[Path]:
    """The not-yet-existing directories from the outermost down to `target`."""
    missing: list[Path] = []
    current = target
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    return list(reversed(missing))


def _make_private(directory: Path) -> None:
    try:
        os.mkdir(directory, PRIVATE_DIR_MODE)
    except FileExistsError:  # created concurrently: treat like an existing directory
        return
    os.chmod(directory, PRIVATE_DIR_MODE)  # umask may have removed bits we want to keep


def _tighten(directory: Path) -> None:
    info = os.stat(directory)
    if os.name != "posix" or info.st_uid != os.geteuid():
        return
    if info.st_mode & 0o077:
        os.chmod(directory, PRIVATE_DIR_MODE)


def atomic_write(path: Path | str, data: bytes | str, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace `path` with `data` (str is UTF-8 encoded) atomically, file mode `mode`.

    The data goes to a temporary file created 0600 in the same directory, is fsynced, gets
    `mode`, and is renamed over `path`. On any failure the temporary file is removed and `path`
    is left as it was. A missing parent directory is created 0700.
    """
    import tempfile

    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    ensure_private_dir(target.parent, tighten=False)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        _write_and_sync(fd, payload)
        if mode != PRIVATE_FILE_MODE:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        _unlink_quietly(tmp_name)
        raise
    _fsync_directory(target.parent)


def _write_and_sync(fd: int, payload: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; best effort (not every platform can open a directory)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
