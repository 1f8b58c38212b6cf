"""Search, usage per day and model, delete, prune and the store's size."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.conversations import Store
from claudecli.pricing import cache_savings
from tests.conversations.conftest import Clock
from tests.conversations.helpers import MODEL, PDF, document, exchange, new, text

DAY = 86_400.0


def test_search_finds_words_in_either_role_one_hit_per_conversation(
    store: Store, clock: Clock
) -> None:
    a = new(store, "pipes")
    exchange(store, a, "What is SIGPIPE?", "SIGPIPE is sent when a reader closes the pipe.")
    clock.advance(1)
    b = new(store, "other")
    exchange(store, b, "tell me about cats", "cats purr")
    hits = store.search("sigpipe")
    assert [(h.conversation_id, h.title) for h in hits] == [(a, "pipes")]
    assert "[SIGPIPE]" in hits[0].snippet
    assert [h.conversation_id for h in store.search("reader pipe")] == [a]
    assert store.search("purr")[0].role == "assistant"
    assert store.search("dogs") == [] and store.search("   ") == []


def test_search_takes_fts_operators_literally(store: Store) -> None:
    exchange(store, new(store), 'say "NEAR" OR AND', "ok")
    assert len(store.search('"NEAR" OR')) == 1
    assert store.search("NOT*") == []


def test_a_streaming_reply_is_indexed_when_it_settles(store: Store) -> None:
    conv = new(store)
    store.add_user_turn(conv, [text("q")])
    recorder = store.start_reply(conv, model=MODEL)
    recorder.update({"content": [text("zebra partial")]}, block_done=True)
    assert store.search("zebra") == []
    recorder.finish({"content": [text("zebra done")]}, request_id=None, cost_usd=None, timings=None)
    assert [h.snippet for h in store.search("zebra")] == ["[zebra] done"]
    assert store._db.execute("INSERT INTO message_fts(message_fts) VALUES ('integrity-check')")


def test_search_falls_back_to_a_substring_match_without_fts5(store: Store) -> None:
    exchange(store, new(store, "t"), "x " * 30 + "the 100% needle_here" + " y" * 40, "ok")
    store.has_fts = False
    [hit] = store.search("100% needle_")
    assert hit.snippet.startswith("…") and "[100% needle_]" in hit.snippet
    assert store.search("100%_needle") == []


def test_usage_per_day_and_model_with_cache_savings(store: Store, clock: Clock) -> None:
    conv = new(store)
    exchange(
        store, conv, "a", "b", input_tokens=1000, output_tokens=100, cache_read_input_tokens=5000
    )
    exchange(store, conv, "c", "d", input_tokens=10, output_tokens=1)
    clock.advance(DAY)
    exchange(store, conv, "e", "f", input_tokens=7, cache_creation_input_tokens=70)
    first, second = store.usage()
    assert (first.day, first.model, first.replies) == ("2023-11-14", MODEL, 2)
    assert (first.input_tokens, first.output_tokens, first.cache_read_tokens) == (1010, 101, 5000)
    assert first.cache_savings_usd == cache_savings({"cache_read_input_tokens": 5000}, MODEL)
    assert first.cost_usd > 0
    assert (second.day, second.cache_write_tokens) == ("2023-11-15", 70)
    assert [row.day for row in store.usage(since_day="2023-11-15")] == ["2023-11-15"]


def test_cache_savings_of_batch_answers_are_at_the_batch_price(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "a", "b", cache_read_input_tokens=4000)
    exchange(store, conv, "c", "d", cache_read_input_tokens=6000, service_tier="batch")
    [row] = store.usage()
    standard = cache_savings({"cache_read_input_tokens": 4000}, MODEL) or 0.0
    batch = cache_savings({"cache_read_input_tokens": 6000, "service_tier": "batch"}, MODEL) or 0.0
    assert batch < cache_savings({"cache_read_input_tokens": 6000}, MODEL)  # the discount applies
    assert row.cache_savings_usd == pytest.approx(standard + batch)


def test_delete_removes_turns_and_unshared_attachments(store: Store) -> None:
    keep, drop = new(store), new(store)
    store.add_user_turn(keep, [document(), text("shared")])
    store.add_user_turn(drop, [document(), text("shared")])
    store.add_user_turn(drop, [document(PDF + b"own"), text("own")])
    store.delete_conversation(drop)
    assert store._db.execute("SELECT count(*) FROM blob").fetchone()[0] == 1
    assert store._db.execute("SELECT count(*) FROM message").fetchone()[0] == 1
    assert store.search("own") == [] and store.list_conversations()[0].id == keep


def test_prune_deletes_conversations_not_updated_for_days(store: Store, clock: Clock) -> None:
    old = new(store, "old")
    store.add_user_turn(old, [document(PDF * 200), text("old")])
    clock.advance(40 * DAY)
    recent = new(store, "recent")
    exchange(store, recent, "new", "fresh")
    result = store.prune(older_than_days=30)
    assert (result.conversations, result.messages, result.blobs) == (1, 1, 1)
    assert result.bytes_after < result.bytes_before
    assert [row.id for row in store.list_conversations()] == [recent]


def test_prune_of_one_conversation_only_touches_it(store: Store, clock: Clock) -> None:
    a, b = new(store), new(store)
    clock.advance(10 * DAY)
    assert store.prune(older_than_days=5, conversation=a).conversations == 1
    assert store.prune(older_than_days=50, conversation=b).conversations == 0
    assert [row.id for row in store.list_conversations()] == [b]


def test_size_counts_the_file_and_its_log(store: Store, db_path: Path) -> None:
    exchange(store, new(store), "a", "b")
    assert store.size_bytes() >= db_path.stat().st_size > 0


@pytest.mark.parametrize("limit", [1, 3])
def test_search_limit(store: Store, limit: int) -> None:
    for n in range(5):
        exchange(store, new(store, f"c{n}"), "common word", "x")
    assert len(store.search("common", limit=limit)) == limit
