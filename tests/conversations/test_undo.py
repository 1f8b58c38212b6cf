"""chat's /undo and /retry: turns marked undone stay in the history but are never sent again."""

from __future__ import annotations

import pytest

from claudecli.conversations import Store, history_for_api
from claudecli.errors import UsageError
from tests.conversations.helpers import exchange, new, text


def test_undo_marks_the_last_exchange_and_history_skips_it(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "one", "first")
    exchange(store, conv, "two", "second")
    assert store.undo(conv) == 2
    statuses = [(m.seq, m.status) for m in store.messages(conv)]
    assert statuses == [(1, "complete"), (2, "complete"), (3, "undone"), (4, "undone")]
    sent = history_for_api(store.messages(conv))
    assert [m["content"] for m in sent] == [[text("one")], [text("first")]]
    assert store.undo(conv) == 2  # the exchange before it
    assert store.undo(conv) == 0  # nothing left
    assert history_for_api(store.messages(conv)) == []


def test_undo_keeping_the_prompt_drops_only_the_reply(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "one", "first")
    assert store.undo(conv, keep_prompt=True) == 1
    assert [m["role"] for m in history_for_api(store.messages(conv))] == ["user"]
    exchange(store, conv, "ignored", "again")  # a new user turn merges with the kept one
    sent = history_for_api(store.messages(conv))
    assert [m["role"] for m in sent] == ["user", "assistant"]
    assert sent[1]["content"] == [text("again")]


def test_undone_turns_stay_searchable_and_listed(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "needle in a haystack", "found")
    store.undo(conv)
    assert [hit.conversation_id for hit in store.search("needle")] == [conv]


def test_set_title(store: Store) -> None:
    conv = new(store)
    store.set_title(conv, "  A new\nname ")
    assert store.conversation(conv).title == "A new"
    with pytest.raises(UsageError):
        store.set_title("nope", "x")


def test_the_search_index_stays_sound(store: Store) -> None:
    conv = new(store)
    exchange(store, conv, "alpha", "beta")
    store.undo(conv)
    store._db.execute("INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)")
    assert [hit.seq for hit in store.search("beta")] == [2]
