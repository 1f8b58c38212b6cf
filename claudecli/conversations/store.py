"""`Store`: conversations and their turns in one SQLite file (WAL, one short transaction each).

Every write is its own `BEGIN IMMEDIATE … COMMIT` (never held across network I/O), so two
processes writing at once take turns within the busy timeout, and `kill -9` loses at most the
write in flight. Reads see the last committed state. Any SQLite failure becomes a `StoreError`
naming the file.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Final, Literal

from claudecli.errors import UsageError

from . import reports
from .blobs import Blob, extract_blobs, read_reference, rehydrate
from .content import make_title, plain_text, token_counts
from .ids import new_id
from .opening import connect, connect_read_only, guarded, immediate
from .recorder import ReplyRecorder
from .records import (
    Conversation,
    ConversationSummary,
    PruneResult,
    SearchHit,
    StoredMessage,
    StoreError,
    UsageRow,
)

__all__ = ["KeepAttachments", "Store"]

KeepAttachments = Literal["bytes", "reference"]
BUSY_TIMEOUT: Final = 5.0
INPUT_HISTORY_KEEP: Final = 10_000
ORIGIN: Final = "origin"  # the settings key of a conversation recorded by add_exchange


class Store:
    """One open conversation store. Use `Store.open(path)`; close it (or use `with`)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        path: Path,
        *,
        keep_attachments: KeepAttachments,
        clock: Callable[[], float],
    ) -> None:
        self._db = db
        self.path = path
        self.keep_attachments = keep_attachments
        self.clock = clock
        self.has_fts = reports.has_fts(db)
        self.read_only = False

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        keep_attachments: KeepAttachments = "bytes",
        clock: Callable[[], float] = time.time,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> Store:
        """Open (creating 0600 in a 0700 directory) and migrate; StoreError if unusable."""
        if keep_attachments not in ("bytes", "reference"):
            raise UsageError(
                f"keep_attachments must be bytes or reference, not {keep_attachments!r}"
            )
        db = connect(Path(path), busy_timeout=busy_timeout)
        return cls(db, Path(path), keep_attachments=keep_attachments, clock=clock)

    @classmethod
    def open_read_only(cls, path: Path, *, clock: Callable[[], float] = time.time) -> Store:
        """Open a store that cannot be written (a read-only file system): reading works, any
        write raises StoreUnwritable. The file must exist at the current schema version."""
        store = cls(
            connect_read_only(Path(path)), Path(path), keep_attachments="bytes", clock=clock
        )
        store.read_only = True
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._db)

    # --- conversations ----------------------------------------------------------------------

    @guarded
    def new_conversation(
        self,
        *,
        model: str,
        system: str | None,
        profile: str | None,
        settings: Mapping[str, Any],
        title: str,
    ) -> str:
        """A new, empty conversation; returns its id."""
        now = self.clock()
        row = (model, system, profile, _dumps(settings), make_title(title), now, now)
        for _ in range(5):  # a same-millisecond id collision is retried with fresh random bits
            conv_id = new_id(now)
            try:
                with self._writing() as db:
                    db.execute(reports.INSERT_CONVERSATION, (conv_id, *row))
            except sqlite3.IntegrityError:
                continue
            return conv_id
        raise StoreError(f"{self.path}: could not make a unique conversation id")

    @guarded
    def add_exchange(
        self,
        *,
        turns: Sequence[Mapping[str, Any]],
        reply: Mapping[str, Any],
        cost_usd: float | None,
        origin: str,
        model: str,
        system: str | None,
        settings: Mapping[str, Any],
        title: str,
        profile: str | None = None,
    ) -> str:
        """A finished exchange made elsewhere (a batch answer), in one transaction: a new
        conversation (as `new_conversation` makes it) with `turns` (API-shape messages, the
        last one the user's) and the complete `reply`. `origin` ("batch:ID/CUSTOM_ID") goes
        into the settings; `origins()` finds it again, so the caller records nothing twice."""
        now = self.clock()
        marked = _dumps({**settings, ORIGIN: origin})
        row = (model, system, profile, marked, make_title(title), now, now)
        for _ in range(5):  # a same-millisecond id collision is retried with fresh random bits
            conv_id = new_id(now)
            try:
                with self._writing():
                    self._db.execute(reports.INSERT_CONVERSATION, (conv_id, *row))
                    self._insert_exchange(conv_id, turns, reply, cost_usd, now)
            except sqlite3.IntegrityError:
                continue
            return conv_id
        raise StoreError(f"{self.path}: could not make a unique conversation id")

    def _insert_exchange(
        self,
        conv_id: str,
        turns: Sequence[Mapping[str, Any]],
        reply: Mapping[str, Any],
        cost_usd: float | None,
        now: float,
    ) -> None:
        for seq, turn in enumerate(turns, start=1):
            found: dict[str, Blob] = {}
            content = extract_blobs(_blocks(turn.get("content")), found)
            cursor = self._db.execute(
                reports.INSERT_TURN,
                (conv_id, seq, turn.get("role"), _dumps(content), plain_text(content), now),
            )
            self._keep_blobs(found, cursor.lastrowid, {})
        model = str(reply.get("model") or "")
        cursor = self._db.execute(
            reports.INSERT_REPLY, (conv_id, len(turns) + 1, model, now, os.getpid())
        )
        row_id = int(cursor.lastrowid or 0)
        fields = self.settle_fields(reply, status="complete", model=model) | {"cost_usd": cost_usd}
        self._write_reply(row_id, reply, fields)

    @guarded
    def origins(self, prefix: str) -> set[str]:
        """The `origin` of every conversation `add_exchange` recorded with one that starts with
        `prefix` (one pass over the conversations)."""
        query = (
            "SELECT json_extract(settings_json, '$.origin') AS origin FROM conversation "
            "WHERE substr(origin, 1, ?) = ?"
        )
        return {str(row[0]) for row in self._db.execute(query, (len(prefix), prefix))}

    @guarded
    def latest_id(self) -> str | None:
        """The most recently updated conversation (what `ask --continue` continues)."""
        row = self._db.execute(
            "SELECT id FROM conversation ORDER BY updated DESC, id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    @guarded
    def resolve_id(self, prefix: str) -> str:
        """A full id from itself or a unique prefix; UsageError when unknown or ambiguous."""
        wanted = prefix.strip().lower()
        if not wanted:
            raise UsageError("an empty conversation id")
        rows = reports.ids_with_prefix(self._db, wanted)
        if not rows:
            raise UsageError(f"no conversation {prefix!r} (`claudecli history list` shows them)")
        if len(rows) > 1 and wanted not in rows:
            shown = ", ".join(rows[:3]) + (", …" if len(rows) > 3 else "")
            raise UsageError(f"conversation id {prefix!r} is ambiguous ({shown}): give more of it")
        return wanted if wanted in rows else rows[0]

    @guarded
    def conversation(self, conv_id: str) -> Conversation:
        row = self._db.execute(reports.SELECT_CONVERSATION, (conv_id,)).fetchone()
        if row is None:
            raise UsageError(f"no conversation {conv_id!r} (`claudecli history list` shows them)")
        return reports.conversation_from_row(row)

    @guarded
    def messages(self, conv_id: str) -> list[StoredMessage]:
        """The turns in order, attachments back as base64 (a changed reference: StoreError)."""
        rows = self._db.execute(reports.SELECT_MESSAGES, (conv_id,)).fetchall()
        load = functools.cache(self._blob_base64)
        return [reports.message_from_row(row, lambda node: rehydrate(node, load)) for row in rows]

    def _blob_base64(self, sha256: str) -> str:
        import base64

        row = self._db.execute("SELECT data, path FROM blob WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: attachment {sha256[:12]} is missing from the store")
        data = row[0] if row[0] is not None else read_reference(str(row[1]), sha256)
        return base64.b64encode(data).decode("ascii")

    # --- turns --------------------------------------------------------------------------------

    @guarded
    def add_user_turn(
        self,
        conv_id: str,
        content: Sequence[Mapping[str, Any]],
        *,
        source_paths: Mapping[str, str] | None = None,
    ) -> int:
        """Commit a user turn (before the request is sent); returns its sequence number.

        `source_paths` (sha256 of the attachment's bytes -> its file) lets reference mode keep
        a path instead of the bytes; attachments without a path are always kept as bytes.
        """
        found: dict[str, Blob] = {}
        stored = extract_blobs(list(content), found)
        now = self.clock()
        with self._writing() as db:
            seq = self._next_seq(conv_id)
            cursor = db.execute(
                reports.INSERT_USER, (conv_id, seq, _dumps(stored), plain_text(stored), now)
            )
            self._keep_blobs(found, cursor.lastrowid, source_paths or {})
            db.execute("UPDATE conversation SET updated = ? WHERE id = ?", (now, conv_id))
        return seq

    def _next_seq(self, conv_id: str) -> int:
        """The next sequence number in `conv_id` (UsageError if there is no such conversation)."""
        if (
            self._db.execute("SELECT 1 FROM conversation WHERE id = ?", (conv_id,)).fetchone()
            is None
        ):
            raise UsageError(f"no conversation {conv_id!r} (`claudecli history list` shows them)")
        query = "SELECT COALESCE(MAX(seq), 0) + 1 FROM message WHERE conv_id = ?"
        return int(self._db.execute(query, (conv_id,)).fetchone()[0])

    def _keep_blobs(
        self, found: Mapping[str, Blob], message_id: int | None, paths: Mapping[str, str]
    ) -> None:
        for blob in found.values():
            path = paths.get(blob.sha256) if self.keep_attachments == "reference" else None
            data = None if path else blob.data
            self._db.execute(
                reports.UPSERT_BLOB, (blob.sha256, blob.media_type, len(blob.data), data, path)
            )
            self._db.execute(
                "INSERT OR IGNORE INTO message_blob(message_id, sha256) VALUES (?, ?)",
                (message_id, blob.sha256),
            )

    @guarded
    def start_reply(self, conv_id: str, *, model: str) -> ReplyRecorder:
        """An (empty, streaming) assistant turn to fill in as the reply arrives."""
        now = self.clock()
        with self._writing() as db:
            seq = self._next_seq(conv_id)
            cursor = db.execute(reports.INSERT_REPLY, (conv_id, seq, model, now, os.getpid()))
        row_id = int(cursor.lastrowid or 0)
        return ReplyRecorder(self, row_id=row_id, conv_id=conv_id, seq=seq, model=model)

    @guarded
    def save_reply(self, /, row_id: int, message: Mapping[str, Any], **fields: Any) -> None:
        """Write a reply's content (and, when `status` is given, settle it). For ReplyRecorder."""
        with self._writing() as db:
            self._write_reply(row_id, message, fields)
            if "status" in fields:
                db.execute(reports.TOUCH_FROM_MESSAGE, (self.clock(), row_id))

    def _write_reply(
        self, row_id: int, message: Mapping[str, Any], fields: Mapping[str, Any]
    ) -> None:
        found: dict[str, Blob] = {}
        content = extract_blobs(list(message.get("content") or []), found)
        values = {"content_json": _dumps(content), "text": plain_text(content), **fields}
        self._keep_blobs(found, row_id, {})
        names = ", ".join(f"{name} = ?" for name in values)
        self._db.execute(f"UPDATE message SET {names} WHERE id = ?", (*values.values(), row_id))

    def settle_fields(
        self, message: Mapping[str, Any], *, status: str, model: str
    ) -> dict[str, Any]:
        """The columns of a finished or interrupted reply: status, stop reason, usage, tokens."""
        usage = message.get("usage") if isinstance(message.get("usage"), Mapping) else None
        tokens = token_counts(usage)
        return {
            "status": status,
            "stop_reason": message.get("stop_reason"),
            "usage_json": None if usage is None else _dumps(usage),
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "cache_read_tokens": tokens[2],
            "cache_write_tokens": tokens[3],
            "model": message.get("model") or model,
        }

    @guarded
    def undo(self, conv_id: str, *, keep_prompt: bool = False) -> int:
        """Mark the last exchange `undone` (kept in history, never sent again); with
        `keep_prompt`, only the replies after the last user turn (chat's /retry). Returns how
        many messages were marked (0: nothing left to undo)."""
        query = "SELECT max(seq) FROM message WHERE conv_id = ? AND role = ? AND status <> ?"
        with self._writing() as db:
            row = db.execute(query, (conv_id, "user", "undone")).fetchone()
            if row[0] is None:
                return 0
            first = int(row[0]) + (1 if keep_prompt else 0)
            rows = db.execute(reports.TO_UNDO, (conv_id, first)).fetchall()
            for (row_id,) in rows:
                db.execute("UPDATE message SET status = 'undone' WHERE id = ?", (row_id,))
            db.execute("UPDATE conversation SET updated = ? WHERE id = ?", (self.clock(), conv_id))
        return len(rows)

    @guarded
    def set_title(self, conv_id: str, title: str) -> None:
        """Rename a conversation (chat's /title)."""
        with self._writing() as db:
            cursor = db.execute(
                "UPDATE conversation SET title = ? WHERE id = ?", (make_title(title), conv_id)
            )
        if cursor.rowcount == 0:
            raise UsageError(f"no conversation {conv_id!r} (`claudecli history list` shows them)")

    # --- reports and maintenance ----------------------------------------------------------

    @guarded
    def list_conversations(self, *, limit: int | None = 20) -> list[ConversationSummary]:
        """Newest (most recently updated) first; `limit=None` lists all."""
        return reports.list_conversations(self._db, limit)

    @guarded
    def count_conversations(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM conversation").fetchone()[0])

    @guarded
    def search(
        self, text: str, *, limit: int = 20, mark: tuple[str, str] = ("[", "]")
    ) -> list[SearchHit]:
        """The best-matching message per conversation (FTS5; a substring match without it)."""
        if self.has_fts:
            return reports.search_fts(self._db, text, limit, mark)
        return reports.search_like(self._db, text, limit, mark)

    @guarded
    def usage(self, *, since_day: str | None = None) -> list[UsageRow]:
        """Replies per UTC day and model (`since_day`: `YYYY-MM-DD`, inclusive), oldest first."""
        return reports.usage_rows(self._db, since_day)

    @guarded
    def delete_conversation(self, conv_id: str) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM conversation WHERE id = ?", (conv_id,))
            reports.delete_orphan_blobs(db)
        self._db.execute("PRAGMA incremental_vacuum")

    @guarded
    def count_older(self, *, older_than_days: float, conversation: str | None = None) -> int:
        """How many conversations `prune` would delete."""
        cutoff = self.clock() - older_than_days * 86_400
        where, params = reports.older_than(cutoff, conversation)
        return int(
            self._db.execute(f"SELECT count(*) FROM conversation WHERE {where}", params).fetchone()[
                0
            ]
        )

    @guarded
    def prune(self, *, older_than_days: float, conversation: str | None = None) -> PruneResult:
        """Delete conversations not updated for `older_than_days` (only `conversation`, if
        given), then the attachments no other turn uses; the file shrinks."""
        before = self.size_bytes()
        cutoff = self.clock() - older_than_days * 86_400
        with self._writing() as db:
            counts = reports.prune(db, cutoff, conversation)
        self._db.execute("PRAGMA incremental_vacuum")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return PruneResult(*counts, bytes_before=before, bytes_after=self.size_bytes())

    def size_bytes(self) -> int:
        """The file and its write-ahead log, in bytes."""
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += os.path.getsize(f"{self.path}{suffix}")
            except OSError:
                pass
        return total

    # --- the chat REPL's input history ------------------------------------------------------

    @guarded
    def add_input(self, text: str) -> None:
        """Remember a line typed at the prompt (a repeat of the last one is not stored)."""
        if not text.strip() or text in self.recent_inputs(limit=1):
            return
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO input_history(text, created) VALUES (?, ?)", (text, self.clock())
            )
            cut = int(cursor.lastrowid or 0) - INPUT_HISTORY_KEEP
            db.execute("DELETE FROM input_history WHERE id <= ?", (cut,))

    @guarded
    def recent_inputs(self, *, limit: int = 1000) -> list[str]:
        """Typed lines, newest first."""
        query = "SELECT text FROM input_history ORDER BY id DESC LIMIT ?"
        return [str(row[0]) for row in self._db.execute(query, (limit,))]


def _blocks(content: Any) -> list[Any]:
    """API content as blocks (a plain string is one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
