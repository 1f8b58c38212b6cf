"""The store's API: conversations, turns, replies, attachments, ids, permissions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from claudecli.conversations import Store, StoreError, make_title, store_path
from claudecli.errors import UsageError
from tests.conversations.conftest import T0, Clock
from tests.conversations.helpers import MODEL, PDF, b64, document, exchange, new, reply, text


def test_the_file_is_0600_in_a_0700_directory_in_the_data_dir(tmp_path: Path) -> None:
    path = store_path({"CLAUDECLI_HOME": str(tmp_path / "home")})
    assert path == tmp_path / "home" / "data" / "conversations.db"
    with Store.open(path) as store:
        exchange(store, new(store), "hi", "hello")
        for name in (path, Path(f"{path}-wal")):
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_wal_and_normal_sync(store: Store) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_a_conversation_round_trips(store: Store, clock: Clock) -> None:
    conv = new(store, title="  \n  Explain SIGPIPE\nin one paragraph")
    clock.advance(5)
    assert store.add_user_turn(conv, [text("Explain SIGPIPE")]) == 1
    recorder = store.start_reply(conv, model=MODEL)
    usage = {"input_tokens": 1000, "output_tokens": 200, "cache_read_input_tokens": 50}
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig=="}
    message = reply(thinking, text("It is a signal."), usage=usage)
    recorder.finish(message, request_id="req_9", cost_usd=0.25, timings={"ttft_ms": 300})
    info = store.conversation(conv)
    assert (info.title, info.model, info.system) == ("Explain SIGPIPE", MODEL, "be brief")
    assert (info.created, info.updated, info.settings) == (T0, T0 + 5, {"max_tokens": 1024})
    user, answer = store.messages(conv)
    assert (user.seq, user.role, user.content, user.status) == (
        1,
        "user",
        [text("Explain SIGPIPE")],
        "complete",
    )
    assert answer.content == [thinking, text("It is a signal.")]
    assert (answer.status, answer.stop_reason, answer.usage) == ("complete", "end_turn", usage)
    assert (answer.cost_usd, answer.request_id, answer.timings) == (0.25, "req_9", {"ttft_ms": 300})


def test_titles_come_from_the_first_line_cut_at_60() -> None:
    assert make_title("\n\n  a   b \n c") == "a b"
    long = make_title("x" * 100)
    assert len(long) == 60 and long.endswith("…")


def test_a_reply_without_a_cost_is_priced_from_its_usage(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "hi", "hello", input_tokens=1_000_000, output_tokens=0)
    [_, answer] = store.messages(conv)
    assert answer.cost_usd == pytest.approx(3.0)  # sonnet 4.5: $3 per MTok in


def test_an_interrupted_reply_keeps_its_partial_and_error(store: Store) -> None:
    conv = new(store)
    store.add_user_turn(conv, [text("count to ten")])
    recorder = store.start_reply(conv, model=MODEL)
    recorder.update(reply(text("one two"), stop=None), block_done=True)
    recorder.interrupt(
        reply(text("one two three"), stop=None), status="interrupted", error="SIGINT"
    )
    [_, answer] = store.messages(conv)
    assert (answer.status, answer.error, answer.content) == (
        "interrupted",
        "SIGINT",
        [text("one two three")],
    )
    with pytest.raises(ValueError):
        recorder.interrupt(reply(), status="complete", error=None)


def test_a_reply_still_streaming_reads_as_interrupted(store: Store) -> None:
    conv = new(store)
    store.add_user_turn(conv, [text("q")])
    store.start_reply(conv, model=MODEL).update(reply(text("part"), stop=None), block_done=True)
    [_, answer] = store.messages(conv)
    assert (answer.status, answer.content) == ("interrupted", [text("part")])


def test_updates_are_written_at_most_once_a_second_unless_a_block_ended(store: Store) -> None:
    conv = new(store)
    store.add_user_turn(conv, [text("q")])
    recorder = store.start_reply(conv, model=MODEL)
    now = [100.0]
    recorder._monotonic = lambda: now[0]
    recorder._last_flush = 100.0
    for step in range(50):  # 50 tokens within 0.5 s: no write
        now[0] += 0.01
        recorder.update(reply(text("x" * step), stop=None))
    assert recorder.flushes == 0
    now[0] += 0.6
    recorder.update(reply(text("tick"), stop=None))
    recorder.update(reply(text("tick"), stop=None))
    recorder.update(reply(text("block"), stop=None), block_done=True)
    assert recorder.flushes == 2
    assert store.messages(conv)[1].content == [text("block")]


def test_an_attachment_sent_in_ten_turns_is_kept_once(store: Store) -> None:
    conv = new(store)
    for turn in range(10):
        store.add_user_turn(conv, [document(), text(f"turn {turn}")])
    assert store._db.execute("SELECT count(*), sum(length(data)) FROM blob").fetchone() == (
        1,
        len(PDF),
    )
    stored = store._db.execute("SELECT content_json FROM message LIMIT 1").fetchone()[0]
    assert b64(PDF) not in stored and "claudecli_blob" in stored
    assert all(m.content[0] == document() for m in store.messages(conv))  # the same bytes back


def test_attachments_inside_tool_results_and_odd_base64(store: Store) -> None:
    conv = new(store)
    nested = {"type": "tool_result", "tool_use_id": "t1", "content": [document(b"%PDF-x")]}
    odd = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "aGk"}}
    store.add_user_turn(conv, [nested, odd])
    assert store.messages(conv)[0].content == [nested, odd]  # non-canonical base64 stays inline
    assert store._db.execute("SELECT count(*) FROM blob").fetchone()[0] == 1


def test_reference_mode_keeps_the_path_and_refuses_a_changed_file(
    db_path: Path, tmp_path: Path
) -> None:
    import hashlib

    attached = tmp_path / "report.pdf"
    attached.write_bytes(PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    with Store.open(db_path, keep_attachments="reference") as store:
        conv = new(store)
        store.add_user_turn(conv, [document(), text("sum up")], source_paths={sha: str(attached)})
        row = store._db.execute("SELECT data, path FROM blob").fetchone()
        assert row == (None, str(attached))
        assert store.messages(conv)[0].content[0] == document()
        attached.write_bytes(PDF + b"changed")
        with pytest.raises(StoreError, match=r"report\.pdf: .* changed"):
            store.messages(conv)
        attached.unlink()
        with pytest.raises(StoreError, match=r"report\.pdf: .* gone") as caught:
            store.messages(conv)
        assert "\n" not in str(caught.value)


def test_bytes_mode_keeps_bytes_and_fills_a_referenced_blob(db_path: Path, tmp_path: Path) -> None:
    import hashlib

    attached = tmp_path / "a.pdf"
    attached.write_bytes(PDF)
    paths = {hashlib.sha256(PDF).hexdigest(): str(attached)}
    with Store.open(db_path, keep_attachments="reference") as store:
        store.add_user_turn(new(store), [document()], source_paths=paths)
    with Store.open(db_path) as store:
        store.add_user_turn(new(store), [document()], source_paths=paths)
        assert store._db.execute("SELECT data IS NOT NULL, path FROM blob").fetchone() == (1, None)


def test_ids_are_short_sortable_and_resolve_by_prefix(store: Store, clock: Clock) -> None:
    first = new(store)
    clock.advance(1)
    second = new(store)
    assert len(first) == 13 and first < second
    assert store.resolve_id(second[:11]) == second
    assert store.resolve_id(second.upper()) == second
    with pytest.raises(UsageError, match="ambiguous"):
        store.resolve_id(first[:3])
    with pytest.raises(UsageError, match="no conversation 'zzzz'"):
        store.resolve_id("zzzz")
    with pytest.raises(UsageError):
        store.conversation("zzzz")


def test_latest_is_the_most_recently_updated_not_created(store: Store, clock: Clock) -> None:
    assert store.latest_id() is None
    older = new(store)
    clock.advance(1)
    newer = new(store)
    assert store.latest_id() == newer
    clock.advance(1)
    store.add_user_turn(older, [text("more")])
    assert store.latest_id() == older


def test_list_is_newest_first_with_turns_tokens_cost(store: Store, clock: Clock) -> None:
    first = new(store, "first")
    exchange(store, first, "a", "b", input_tokens=10, output_tokens=5, cache_read_input_tokens=3)
    clock.advance(60)
    second = new(store, "second")
    store.add_user_turn(second, [text("only a question")])
    rows = store.list_conversations()
    assert [(r.id, r.title, r.turns) for r in rows] == [(second, "second", 1), (first, "first", 1)]
    assert (rows[1].tokens, rows[0].tokens, rows[0].cost_usd) == (18, 0, None)
    assert rows[1].cost_usd is not None and rows[1].cost_usd > 0
    assert len(store.list_conversations(limit=1)) == 1 and store.count_conversations() == 2


def test_a_second_opener_sees_committed_turns(store: Store, db_path: Path) -> None:
    conv = new(store)
    store.add_user_turn(conv, [text("durable")])
    with Store.open(db_path) as other:
        assert other.messages(conv)[0].content == [text("durable")]


def test_input_history_newest_first_without_repeats(store: Store) -> None:
    for line in ("one", "two", "two", "   ", "three"):
        store.add_input(line)
    assert store.recent_inputs() == ["three", "two", "one"]
    assert store.recent_inputs(limit=1) == ["three"]


def test_an_unknown_attachment_mode_is_a_usage_error(db_path: Path) -> None:
    with pytest.raises(UsageError):
        Store.open(db_path, keep_attachments="link")  # type: ignore[arg-type]


def test_an_unknown_conversation_cannot_get_turns(store: Store) -> None:
    with pytest.raises(UsageError, match="no conversation 'nope'"):
        store.add_user_turn("nope", [text("x")])
    with pytest.raises(UsageError):
        store.start_reply("nope", model=MODEL)
    assert store._db.execute("SELECT count(*) FROM message").fetchone()[0] == 0
    assert not store._db.in_transaction
