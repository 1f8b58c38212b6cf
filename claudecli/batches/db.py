"""Batch state in the conversation store's SQLite file (its own tables, same pragmas).

The file is opened by the conversation store's own opener (0600, WAL, `synchronous=NORMAL`,
busy timeout, its migrations), then the batch tables are created if missing. Every write is one
short `BEGIN IMMEDIATE` transaction, never held across network I/O, so a `kill -9` loses at
most the write in flight and the state survives it.

A job's lock is a row (owner pid, lease end): taken in one transaction, given back at the end;
a row whose owner died or whose lease ran out is taken over.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Final

from claudecli.conversations.opening import connect, guarded, immediate
from claudecli.conversations.schema import executescript

from .records import RESENDABLE, Item, Job, NewItem, Submission

__all__ = ["BatchDB"]

TABLES: Final = """
CREATE TABLE IF NOT EXISTS batch_job(
  name TEXT PRIMARY KEY, out_dir TEXT NOT NULL, answer_ext TEXT NOT NULL,
  created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS batch_lock(
  job TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS batch_source(
  job TEXT NOT NULL, source TEXT NOT NULL, custom_id TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY(job, source), UNIQUE(job, custom_id));
CREATE TABLE IF NOT EXISTS batch_submission(
  id INTEGER PRIMARY KEY, job TEXT NOT NULL, part INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending', 'sent', 'abandoned')),
  batch_id TEXT UNIQUE, request_count INTEGER NOT NULL, body_bytes INTEGER NOT NULL,
  body_sha256 TEXT NOT NULL, started REAL NOT NULL, status TEXT, counts_json TEXT,
  created_at TEXT, expires_at TEXT, ended_at TEXT, collected REAL, recipe_json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS batch_submission_job ON batch_submission(job, state);
CREATE TABLE IF NOT EXISTS batch_item(
  submission INTEGER NOT NULL REFERENCES batch_submission(id) ON DELETE CASCADE,
  custom_id TEXT NOT NULL, params_hash TEXT NOT NULL, name TEXT NOT NULL, source TEXT,
  outcome TEXT, written INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(submission, custom_id))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batch_request(
  submission INTEGER NOT NULL REFERENCES batch_submission(id) ON DELETE CASCADE,
  custom_id TEXT NOT NULL, line BLOB NOT NULL, PRIMARY KEY(submission, custom_id));
"""
_SUBMISSION_COLUMNS: Final = (
    "id, job, part, state, batch_id, request_count, started, status, counts_json, created_at, "
    "expires_at, ended_at, collected, recipe_json"
)
BUSY_TIMEOUT: Final = 10.0


class BatchDB:
    """The batch tables of one store file. `BatchDB.open(path)`; close it (or use `with`)."""

    def __init__(self, db: sqlite3.Connection, path: Path, clock: Callable[[], float]) -> None:
        self._db, self.path, self.clock = db, path, clock

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], float] = time.time) -> BatchDB:
        store = cls(connect(Path(path), busy_timeout=BUSY_TIMEOUT), Path(path), clock)
        store._create_tables()
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BatchDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._db)

    @guarded
    def _create_tables(self) -> None:
        with self._writing() as db:
            executescript(db, TABLES)

    # --- the job lock ----------------------------------------------------------------------

    @guarded
    def try_lock(self, job: str, *, lease: float) -> int | None:
        """Take the job's lock (None), or the pid of the live run that holds it."""
        me, host = os.getpid(), os.uname().nodename
        with self._writing() as db:
            row = db.execute("SELECT pid, host, until FROM batch_lock WHERE job = ?", (job,))
            held = row.fetchone()
            if held and held[0] != me and _alive(held, host, self.clock()):
                return int(held[0])
            db.execute(
                "INSERT OR REPLACE INTO batch_lock(job, pid, host, until) VALUES (?, ?, ?, ?)",
                (job, me, host, self.clock() + lease),
            )
        return None

    @guarded
    def unlock(self, job: str) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM batch_lock WHERE job = ? AND pid = ?", (job, os.getpid()))

    # --- jobs and their sources ------------------------------------------------------------

    @guarded
    def ensure_job(self, name: str, *, out_dir: str, answer_ext: str) -> Job:
        """The job, created with this out directory if new (an existing one keeps its own
        unless `out_dir` differs: the latest --out wins)."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO batch_job(name, out_dir, answer_ext, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET out_dir = excluded.out_dir, "
                "answer_ext = excluded.answer_ext",
                (name, out_dir, answer_ext, self.clock()),
            )
        return Job(name, out_dir, answer_ext)

    @guarded
    def job(self, name: str) -> Job | None:
        row = self._db.execute(
            "SELECT name, out_dir, answer_ext FROM batch_job WHERE name = ?", (name,)
        ).fetchone()
        return Job(*row) if row else None

    @guarded
    def jobs(self) -> list[Job]:
        rows = self._db.execute("SELECT name, out_dir, answer_ext FROM batch_job ORDER BY name")
        return [Job(*row) for row in rows]

    @guarded
    def sources(self, job: str) -> dict[str, tuple[str, str]]:
        """source path -> (custom_id, answer name), as first assigned in this job."""
        rows = self._db.execute(
            "SELECT source, custom_id, name FROM batch_source WHERE job = ?", (job,)
        )
        return {source: (custom_id, name) for source, custom_id, name in rows}

    @guarded
    def add_sources(self, job: str, rows: Iterable[tuple[str, str, str]]) -> None:
        with self._writing() as db:
            db.executemany(
                "INSERT OR IGNORE INTO batch_source(job, source, custom_id, name) "
                "VALUES (?, ?, ?, ?)",
                ((job, source, custom_id, name) for source, custom_id, name in rows),
            )

    # --- submissions -----------------------------------------------------------------------

    @guarded
    def begin_submission(
        self,
        job: str,
        *,
        part: int,
        items: list[NewItem],
        body_bytes: int,
        body_sha256: str,
        recipe: Mapping[str, Any],
        lines: Callable[[NewItem], bytes] | None = None,
    ) -> int:
        """Record a submission as `pending` with all its items (and, given `lines`, each
        request as sent, kept until its outcome is recorded): committed before the POST."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO batch_submission(job, part, state, request_count, body_bytes, "
                "body_sha256, started, recipe_json) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)",
                (job, part, len(items), body_bytes, body_sha256, self.clock(), _dumps(recipe)),
            )
            sid = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO batch_item(submission, custom_id, params_hash, name, source) "
                "VALUES (?, ?, ?, ?, ?)",
                ((sid, i.custom_id, i.params_hash, i.name, i.source) for i in items),
            )
            if lines is not None:
                db.executemany(
                    "INSERT INTO batch_request(submission, custom_id, line) VALUES (?, ?, ?)",
                    ((sid, i.custom_id, lines(i)) for i in items),
                )
        return sid

    @guarded
    def confirm(self, sid: int, batch: Mapping[str, Any]) -> None:
        """The API accepted it: the batch id and what it said (one transaction)."""
        with self._writing() as db:
            db.execute(
                "UPDATE batch_submission SET state = 'sent', batch_id = ? WHERE id = ?",
                (batch["id"], sid),
            )
            _write_status(db, sid, batch)

    @guarded
    def update_status(self, sid: int, batch: Mapping[str, Any]) -> None:
        with self._writing() as db:
            _write_status(db, sid, batch)

    @guarded
    def abandon(self, sid: int) -> None:
        with self._writing() as db:
            db.execute("UPDATE batch_submission SET state = 'abandoned' WHERE id = ?", (sid,))
            db.execute("DELETE FROM batch_request WHERE submission = ?", (sid,))

    @guarded
    def mark_collected(self, sid: int) -> None:
        with self._writing() as db:
            db.execute(
                "UPDATE batch_submission SET collected = ? WHERE id = ?", (self.clock(), sid)
            )

    @guarded
    def submissions(
        self, job: str | None = None, *, states: tuple[str, ...] = ("sent",)
    ) -> list[Submission]:
        marks = ",".join("?" * len(states))
        query = f"SELECT {_SUBMISSION_COLUMNS} FROM batch_submission WHERE state IN ({marks})"
        args: list[Any] = list(states)
        if job is not None:
            query += " AND job = ?"
            args.append(job)
        rows = self._db.execute(query + " ORDER BY id", args)
        return [Submission.of_row(row) for row in rows]

    @guarded
    def by_batch_id(self, batch_id: str) -> Submission | None:
        row = self._db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM batch_submission WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return Submission.of_row(row) if row else None

    @guarded
    def known_batch_ids(self) -> set[str]:
        rows = self._db.execute("SELECT batch_id FROM batch_submission WHERE batch_id NOT NULL")
        return {row[0] for row in rows}

    # --- items -----------------------------------------------------------------------------

    @guarded
    def live_keys(self, job: str) -> set[tuple[str, str]]:
        """(custom_id, params hash) of the job's requests sent and not errored or expired."""
        marks = ",".join("?" * len(RESENDABLE))
        rows = self._db.execute(
            "SELECT i.custom_id, i.params_hash FROM batch_item i JOIN batch_submission s "
            "ON s.id = i.submission WHERE s.job = ? AND s.state IN ('pending', 'sent') "
            f"AND (i.outcome IS NULL OR i.outcome NOT IN ({marks}))",
            (job, *sorted(RESENDABLE)),
        )
        return {(custom_id, params_hash) for custom_id, params_hash in rows}

    @guarded
    def items(self, sid: int) -> dict[str, Item]:
        rows = self._db.execute(
            "SELECT custom_id, name, source, outcome, written FROM batch_item WHERE submission = ?",
            (sid,),
        )
        return {row[0]: Item(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows}

    @guarded
    def record_outcomes(self, sid: int, outcomes: Iterable[tuple[str, str, bool]]) -> None:
        """(custom_id, outcome, written) for items of one submission, in one transaction."""
        outcomes = list(outcomes)
        with self._writing() as db:
            db.executemany(
                "UPDATE batch_item SET outcome = ?, written = ? "
                "WHERE submission = ? AND custom_id = ?",
                ((outcome, int(written), sid, cid) for cid, outcome, written in outcomes),
            )
            db.executemany(  # the request was only kept for its answer's conversation
                "DELETE FROM batch_request WHERE submission = ? AND custom_id = ?",
                ((sid, cid) for cid, _outcome, _written in outcomes),
            )

    @guarded
    def request_line(self, sid: int, custom_id: str) -> bytes | None:
        """The request as it was sent (None once its outcome is recorded, or never kept)."""
        row = self._db.execute(
            "SELECT line FROM batch_request WHERE submission = ? AND custom_id = ?",
            (sid, custom_id),
        ).fetchone()
        return None if row is None else bytes(row[0])

    @guarded
    def failed_ids(self, sid: int, kinds: frozenset[str]) -> list[str]:
        marks = ",".join("?" * len(kinds))
        rows = self._db.execute(
            f"SELECT custom_id FROM batch_item WHERE submission = ? AND outcome IN ({marks}) "
            "ORDER BY custom_id",
            (sid, *sorted(kinds)),
        )
        return [row[0] for row in rows]


def _write_status(db: sqlite3.Connection, sid: int, batch: Mapping[str, Any]) -> None:
    db.execute(
        "UPDATE batch_submission SET status = ?, counts_json = ?, created_at = ?, "
        "expires_at = ?, ended_at = ? WHERE id = ?",
        (
            batch.get("processing_status"),
            _dumps(batch.get("request_counts") or {}),
            batch.get("created_at"),
            batch.get("expires_at"),
            batch.get("ended_at"),
            sid,
        ),
    )


def _alive(held: tuple[Any, ...], host: str, now: float) -> bool:
    """A lock row still holds: its lease runs and (on this host) its process lives."""
    pid, owner_host, until = held
    if until <= now:
        return False
    if owner_host != host:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
