"""The full-text index stays consistent when a settled message changes (undo, retitle)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from claudecli.conversations import Store
from tests.conversations.helpers import new, reply, text


def integrity_ok(path: Path) -> bool:
    with sqlite3.connect(path) as db:
        try:
            db.execute("INSERT INTO message_fts(message_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            return False
        return True


def test_changing_a_settled_status_keeps_the_index_consistent(store: Store, db_path: Path) -> None:
    if not store.has_fts:
        pytest.skip("this SQLite has no FTS5")
    conv = new(store)
    store.add_user_turn(conv, [text("find the walrus")])
    recorder = store.start_reply(conv, model="claude-haiku-5-5")
    recorder.finish(reply(text("the walrus is here")), request_id=None, cost_usd=None, timings=None)
    with sqlite3.connect(db_path) as db:  # a settled status changed in one step (v2: broken)
        db.execute("UPDATE message SET status = 'interrupted' WHERE role = 'assistant'")
    assert integrity_ok(db_path)
    assert store.undo(conv) == 2
    assert integrity_ok(db_path)
    assert [hit.conversation_id for hit in store.search("walrus")] == [conv]
