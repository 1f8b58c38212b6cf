"""Opening the file: private permissions, WAL, pragmas, forward migrations, one-line errors."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, Final, ParamSpec, Protocol, TypeVar

from claudecli.paths import ensure_private_dir

from .records import StoreError, StoreUnwritable
from .schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["connect", "connect_read_only", "guarded", "immediate", "store_error"]

FILE_MODE: Final = 0o600
_CORRUPT: Final = ("SQLITE_NOTADB", "SQLITE_CORRUPT")
_READONLY: Final = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")
P = ParamSpec("P")
R = TypeVar("R")


class _OnFile(Protocol):
    @property
    def path(self) -> Path: ...


S = TypeVar("S", bound=_OnFile)


def connect(path: Path, *, busy_timeout: float) -> sqlite3.Connection:
    """An open, configured, migrated connection (autocommit: callers BEGIN IMMEDIATE)."""
    _prepare_file(path)
    try:
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as error:
        raise store_error(path, error) from None
    try:
        _configure(db, path)
    except sqlite3.Error as error:
        db.close()
        raise store_error(path, error) from None
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: the write lock first, so two writers queue on
    busy_timeout instead of failing later), committed at the end, rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """SQLite errors leave a method of an owner of the file (its `path`) as one-line
    `StoreError`s naming the file."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise store_error(self.path, error) from None

    return wrapper


def connect_read_only(path: Path) -> sqlite3.Connection:
    """The file as it is, never written (`immutable`: no -wal/-shm needed on a read-only disk)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        version = _user_version(db)
    except sqlite3.Error as error:
        raise store_error(path, error) from None
    _refuse_newer(path, version)
    if version < SCHEMA_VERSION:
        db.close()
        raise StoreUnwritable(f"{path}: cannot upgrade the conversation store (read-only)")
    return db


def _prepare_file(path: Path) -> None:
    """The directory 0700 and the file 0600, created if missing (never truncated)."""
    try:
        ensure_private_dir(path.parent, tighten=False)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreUnwritable(f"{path}: cannot open the conversation store ({reason})") from None


def _configure(db: sqlite3.Connection, path: Path) -> None:
    version = _user_version(db)  # the first read: a file that is not SQLite fails here
    _refuse_newer(path, version)
    if version == 0:
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect before any table
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        _migrate(db, path, version)


def _user_version(db: sqlite3.Connection) -> int:
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer claudecli (schema version {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade claudecli, nothing was changed"
        )


def _migrate(db: sqlite3.Connection, path: Path, found: int) -> None:
    if found > 0:
        _backup(db, path, found)
    db.execute("BEGIN IMMEDIATE")  # one migrator at a time; re-read the version under the lock
    try:
        version = _user_version(db)
        _refuse_newer(path, version)
        for migration in MIGRATIONS[version:]:
            migration(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _backup(db: sqlite3.Connection, path: Path, version: int) -> None:
    """A copy of the file at its old version, `<name>.v<N>.bak` (0600), before upgrading it."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    if target.exists():
        return
    os.close(os.open(target, os.O_RDWR | os.O_CREAT, FILE_MODE))
    copy = sqlite3.connect(target)
    try:
        db.backup(copy)
    finally:
        copy.close()


def store_error(path: Path, error: sqlite3.Error) -> StoreError:
    """One line naming the file, for any SQLite failure."""
    name = str(getattr(error, "sqlite_errorname", "") or "")
    reason = str(error)
    if name.startswith(_CORRUPT) or "not a database" in reason or "malformed" in reason:
        return StoreError(
            f"{path}: the conversation store is corrupt ({reason}); nothing was changed: "
            f"move it aside to start a new one (`sqlite3 {path} .recover` may save its data)"
        )
    if name.startswith("SQLITE_FULL"):
        return StoreUnwritable(f"{path}: cannot save the conversation: the disk is full")
    if name.startswith(_READONLY) or "readonly" in reason:
        return StoreUnwritable(
            f"{path}: cannot write the conversation store ({reason}); is it read-only?"
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreUnwritable(
            f"{path}: the conversation store stayed locked by another process ({reason})"
        )
    return StoreError(f"{path}: conversation store error: {reason}")
