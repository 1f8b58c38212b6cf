"""`Store.add_exchange`: a finished exchange made elsewhere (a batch answer), in one step."""

from __future__ import annotations

from claudecli.conversations import Store, history_for_api
from claudecli.pricing import cost_of_usage

REPLY = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "a summary"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 1000, "output_tokens": 200, "service_tier": "batch"},
}


def add(store: Store, origin: str = "batch:b1/one") -> str:
    cost = cost_of_usage(REPLY["usage"], "claude-sonnet-4-5", batch=True)  # type: ignore[arg-type]
    assert cost is not None
    return store.add_exchange(
        turns=[{"role": "user", "content": "Summarize this"}],
        reply=REPLY,
        cost_usd=cost.total,
        origin=origin,
        model="claude-sonnet-4-5",
        system="be brief",
        settings={"max_tokens": 300},
        title="one.txt",
    )


def test_an_exchange_is_a_conversation_that_continues_like_any_other(store: Store) -> None:
    conv_id = add(store)
    conversation = store.conversation(conv_id)
    assert conversation.title == "one.txt" and conversation.system == "be brief"
    assert conversation.settings == {"max_tokens": 300, "origin": "batch:b1/one"}
    messages = store.messages(conv_id)
    assert [(m.role, m.status) for m in messages] == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert messages[1].usage == REPLY["usage"]
    assert history_for_api(messages) == [
        {"role": "user", "content": [{"type": "text", "text": "Summarize this"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a summary"}]},
    ]
    [summary] = store.list_conversations()
    assert summary.turns == 1 and summary.tokens == 1200
    assert store.latest_id() == conv_id


def test_usage_counts_it_at_the_price_given(store: Store) -> None:
    add(store)
    [row] = store.usage()
    batch = cost_of_usage(REPLY["usage"], "claude-sonnet-4-5", batch=True)  # type: ignore[arg-type]
    full = cost_of_usage({"input_tokens": 1000, "output_tokens": 200}, "claude-sonnet-4-5")
    assert batch is not None and full is not None
    assert row.cost_usd == round(batch.total, 10) and row.cost_usd < full.total
    assert (row.replies, row.input_tokens, row.output_tokens) == (1, 1000, 200)


def test_origins_finds_what_was_recorded_by_prefix(store: Store) -> None:
    add(store, "batch:b1/one")
    add(store, "batch:b1/two")
    add(store, "batch:b2/one")
    store.new_conversation(model="m", system=None, profile=None, settings={}, title="ask")
    assert store.origins("batch:b1/") == {"batch:b1/one", "batch:b1/two"}
    assert store.origins("batch:b3/") == set()


def test_the_search_index_sees_both_turns(store: Store) -> None:
    conv_id = add(store)
    hits = store.search("summary")
    assert [(h.conversation_id, h.role) for h in hits] == [(conv_id, "assistant")]
