"""Prompt-cache accounting: writes, reads, TTL breakdown, automatic caching, lookback."""

from __future__ import annotations

from typing import Any

import anthropic

from claudecli.emulator import Emulator

from .util import JSON, MODEL, WEATHER_TOOL, user

LONG = "Cached system prompt. " * 200  # 4,400 chars = 1,100 tokens


def _body(question: str, ttl: str = "5m", **extra: Any) -> JSON:
    system = [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral", "ttl": ttl}}]
    body: JSON = {"model": MODEL, "max_tokens": 64, "system": system, "messages": [user(question)]}
    return body | extra


def _usage(client: anthropic.Anthropic, body: JSON) -> anthropic.types.Usage:
    return client.messages.create(**body).usage


def _total(usage: anthropic.types.Usage) -> int:
    written, read = usage.cache_creation_input_tokens or 0, usage.cache_read_input_tokens or 0
    return usage.input_tokens + written + read


def test_first_request_writes_then_later_ones_read(client: anthropic.Anthropic) -> None:
    first = _usage(client, _body("one"))
    second = _usage(client, _body("two, a different question"))
    assert first.cache_creation_input_tokens == 1100 and first.cache_read_input_tokens == 0
    assert first.cache_creation is not None
    assert first.cache_creation.ephemeral_5m_input_tokens == 1100
    assert second.cache_read_input_tokens == 1100 and second.cache_creation_input_tokens == 0
    question = _body("two, a different question")
    counted = client.messages.count_tokens(
        **{k: question[k] for k in ("model", "system", "messages")}
    )
    assert _total(second) == counted.input_tokens


def test_one_hour_ttl_is_reported_separately(client: anthropic.Anthropic) -> None:
    usage = _usage(client, _body("q", ttl="1h"))
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_1h_input_tokens == 1100
    assert usage.cache_creation.ephemeral_5m_input_tokens == 0


def test_tools_are_part_of_the_prefix(client: anthropic.Anthropic) -> None:
    _usage(client, _body("q"))
    changed = _usage(client, _body("q", tools=[WEATHER_TOOL]))
    assert (
        changed.cache_read_input_tokens == 0 and (changed.cache_creation_input_tokens or 0) > 1100
    )


def test_cache_is_per_model(client: anthropic.Anthropic) -> None:
    _usage(client, _body("q"))
    other = _usage(client, _body("q", model="claude-haiku-5-5"))
    assert other.cache_read_input_tokens == 0


def test_automatic_caching_reads_the_previous_turn(client: anthropic.Anthropic) -> None:
    automatic = {"type": "ephemeral"}
    turn1: list[JSON] = [user(LONG)]
    body: JSON = {"model": MODEL, "max_tokens": 64, "messages": turn1, "cache_control": automatic}
    first = client.messages.create(**body)
    turn2 = [*turn1, {"role": "assistant", "content": first.content}, user("and then?")]
    second = _usage(client, body | {"messages": turn2})
    assert (first.usage.cache_creation_input_tokens, first.usage.input_tokens) == (1103, 4)
    assert second.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert (second.cache_creation_input_tokens or 0) > 0


def test_stream_and_create_agree_on_cache_usage(client: anthropic.Anthropic) -> None:
    client.messages.create(**_body("warm"))
    with client.messages.stream(**_body("again")) as stream:
        streamed = stream.get_final_message().usage
    assert streamed.cache_read_input_tokens == 1100
    assert streamed.cache_creation is not None


def test_reset_clears_the_cache(emulator: Emulator, client: anthropic.Anthropic) -> None:
    _usage(client, _body("q"))
    emulator.reset()
    assert _usage(client, _body("q")).cache_creation_input_tokens == 1100
