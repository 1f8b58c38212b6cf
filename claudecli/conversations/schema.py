"""The schema as forward migrations: `MIGRATIONS[i]` takes a file from version i to i + 1.

The version lives in `PRAGMA user_version`. A file at a higher version than this claudecli
knows was written by a newer one: it is refused (never downgraded or reset). Every migration
runs inside the opener's `BEGIN IMMEDIATE` transaction (SQLite DDL is transactional), so a
crash mid-migration leaves the file at its old version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Final

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "fts5_available", "has_fts"]

V1: Final = """
CREATE TABLE conversation(
  id TEXT PRIMARY KEY, title TEXT NOT NULL, model TEXT, system TEXT, profile TEXT,
  settings_json TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX conversation_updated ON conversation(updated DESC);
CREATE TABLE message(
  id INTEGER PRIMARY KEY,
  conv_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, role TEXT NOT NULL CHECK(role IN ('user', 'assistant')),
  content_json TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'complete', stop_reason TEXT, usage_json TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL, request_id TEXT, model TEXT, timings_json TEXT, error TEXT,
  created REAL NOT NULL, UNIQUE(conv_id, seq));
CREATE INDEX message_created ON message(created);
CREATE TABLE blob(
  sha256 TEXT PRIMARY KEY, media_type TEXT, size INTEGER NOT NULL, data BLOB, path TEXT);
CREATE TABLE message_blob(
  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL, PRIMARY KEY(message_id, sha256)) WITHOUT ROWID;
CREATE INDEX message_blob_sha ON message_blob(sha256);
CREATE TABLE input_history(id INTEGER PRIMARY KEY, text TEXT NOT NULL, created REAL NOT NULL);
"""

# v2: the writer's pid on a reply being streamed (status 'streaming'), and full-text search.
# Only settled rows are indexed, so the once-a-second flushes of a streaming reply cost no
# re-indexing; 'delete' gets exactly the values that were indexed.
V2_WRITER: Final = "ALTER TABLE message ADD COLUMN writer_pid INTEGER;"
V2_FTS: Final = """
CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message', content_rowid='id');
INSERT INTO message_fts(rowid, text) SELECT id, text FROM message WHERE status <> 'streaming';
CREATE TRIGGER message_ai AFTER INSERT ON message WHEN new.status <> 'streaming' BEGIN
  INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text); END;
CREATE TRIGGER message_ad AFTER DELETE ON message WHEN old.status <> 'streaming' BEGIN
  INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
CREATE TRIGGER message_au_old AFTER UPDATE OF text, status ON message
  WHEN old.status <> 'streaming' BEGIN
  INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
CREATE TRIGGER message_au_new AFTER UPDATE OF text, status ON message
  WHEN new.status <> 'streaming' BEGIN
  INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text); END;
"""


# v3: one update trigger instead of two. SQLite fires the triggers of one event newest first, so
# the 'insert' ran before the 'delete' of the same row and a settled message whose status then
# changed (undo) left the index broken. One trigger runs the two statements in order.
V3_FTS_UPDATE: Final = """
DROP TRIGGER IF EXISTS message_au_old;
DROP TRIGGER IF EXISTS message_au_new;
CREATE TRIGGER message_au AFTER UPDATE OF text, status ON message BEGIN
  INSERT INTO message_fts(message_fts, rowid, text)
    SELECT 'delete', old.id, old.text WHERE old.status <> 'streaming';
  INSERT INTO message_fts(rowid, text) SELECT new.id, new.text WHERE new.status <> 'streaming';
END;
"""


def executescript(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements one by one (sqlite3's own executescript would COMMIT the
    transaction they run in)."""
    for statement in _statements(script):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    statements, current = [], ""
    for line in script.strip().splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def m001_initial(db: sqlite3.Connection) -> None:
    executescript(db, V1)


def m002_writer_and_search(db: sqlite3.Connection) -> None:
    executescript(db, V2_WRITER)
    if fts5_available(db):
        executescript(db, V2_FTS)


def m003_one_search_update_trigger(db: sqlite3.Connection) -> None:
    if has_fts(db):
        executescript(db, V3_FTS_UPDATE)


MIGRATIONS: Final[Sequence[Callable[[sqlite3.Connection], None]]] = (
    m001_initial,
    m002_writer_and_search,
    m003_one_search_update_trigger,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


def fts5_available(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()
    return bool(row and row[0])


def has_fts(db: sqlite3.Connection) -> bool:
    """Whether this file has the search index (absent when its SQLite had no FTS5)."""
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'message_fts'"
    return db.execute(query).fetchone() is not None
