"""Forward migrations from schema version 1, and files this claudecli must refuse."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from claudecli.conversations import SCHEMA_VERSION, Store, StoreError
from claudecli.conversations.schema import MIGRATIONS
from tests.conversations.helpers import new, text


def build_v1(path: Path) -> None:
    """A version-1 file as the first release wrote it, with one conversation in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    MIGRATIONS[0](db)
    db.execute(
        "INSERT INTO conversation(id, title, model, settings_json, created, updated)"
        " VALUES ('0000000000abc', 'old one', 'claude-haiku-4-5', '{}', 1.0, 2.0)"
    )
    content = json.dumps([text("the quokka question")])
    db.execute(
        "INSERT INTO message(conv_id, seq, role, content_json, text, created)"
        " VALUES ('0000000000abc', 1, 'user', ?, 'the quokka question', 1.0)",
        (content,),
    )
    db.execute("PRAGMA user_version = 1")
    db.close()


def version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_a_version_1_file_is_upgraded_and_keeps_its_data(db_path: Path) -> None:
    build_v1(db_path)
    with Store.open(db_path) as store:
        assert store.messages("0000000000abc")[0].content == [text("the quokka question")]
        assert [hit.conversation_id for hit in store.search("quokka")] == ["0000000000abc"]
        store.add_user_turn("0000000000abc", [text("and a new turn")])
    assert version(db_path) == SCHEMA_VERSION == 3
    backup = db_path.with_name("conversations.db.v1.bak")
    assert version(backup) == 1 and stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_new_file_is_created_at_the_current_version(db_path: Path) -> None:
    Store.open(db_path).close()
    assert version(db_path) == SCHEMA_VERSION
    assert not list(db_path.parent.glob("*.bak"))


def test_a_newer_file_is_refused_and_left_alone(db_path: Path) -> None:
    with Store.open(db_path) as store:
        new(store)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert str(db_path) in message and "newer claudecli" in message and "99" in message
    assert "\n" not in message and caught.value.exit_code == 3
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "garbage", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_a_corrupt_file_is_refused_never_reset(db_path: Path, garbage: bytes) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert message.startswith(f"{db_path}: ") and "corrupt" in message and "\n" not in message
    assert db_path.read_bytes() == garbage


def test_a_directory_in_the_way_is_a_clear_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match=r"file/conversations\.db: cannot open"):
        Store.open(tmp_path / "file" / "conversations.db")
