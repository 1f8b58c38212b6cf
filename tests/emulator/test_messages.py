"""`/v1/messages` replies, checked with the official SDK: streamed == non-streamed, every kind."""

from __future__ import annotations

import base64
import time

import anthropic
import pytest

from claudecli.emulator import Emulator
from tests import fixture_paths
from tests.sdk_oracle import normalise, sdk_final_from_bytes

from .util import (
    JSON,
    MODEL,
    WEATHER_TOOL,
    call,
    created_and_streamed,
    event_names,
    headers,
    raw_exchange,
    request,
    user,
)

FIXTURES = fixture_paths.STREAMS

DIRECTIVES = [
    "",
    "#emu thinking",
    "#emu thinking display=summarized",
    "#emu thinking_tokens=300 display=summarized",
    "#emu redacted_thinking",
    "#emu tool",
    "#emu tool=get_weather,get_weather",
    '#emu tool=get_weather tool_input=\'{"location": "Paris", "unit": "c"}\'',
    "#emu server_tool=web_search",
    "#emu server_tool=code_execution stop=pause_turn",
    "#emu stop=refusal category=bio",
    "#emu stop=max_tokens",
    "#emu stop=stop_sequence stop_sequence=###",
    "#emu stop=model_context_window_exceeded",
    "#emu tokens=3000",
    '#emu text="multi word reply" service_tier=priority',
    "#emu ping_every=2 thinking redacted_thinking tool",
]


@pytest.mark.parametrize("directive", DIRECTIVES)
def test_stream_folds_to_the_created_message(client: anthropic.Anthropic, directive: str) -> None:
    body = request(f"What is the weather?\n{directive}", tools=[WEATHER_TOOL])
    created, streamed = created_and_streamed(client, body)
    assert streamed == created


def test_default_reply_echoes_the_last_user_text(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("Hello there"))
    assert message.content[0].type == "text"
    assert message.content[0].text == "Echo: Hello there"
    assert message.stop_reason == "end_turn"
    assert message.id.startswith("msg_emu_") and len(message.id) == len("msg_emu_") + 24
    assert message.usage.service_tier == "standard"


def test_directive_lines_are_not_echoed(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("line one\n#emu service_tier=priority\nline two"))
    assert message.content[0].text == "Echo: line one\nline two"  # type: ignore[union-attr]
    assert message.usage.service_tier == "priority"


def test_same_request_gives_same_bytes(emulator: Emulator) -> None:
    body = request("deterministic please\n#emu thinking tool=get_weather", tools=[WEATHER_TOOL])
    first = call(emulator, "POST", "/v1/messages", body)
    second = call(emulator, "POST", "/v1/messages", body)
    assert first[0] == second[0] == 200
    assert first[2] == second[2]
    assert first[1]["request-id"] != second[1]["request-id"]


def test_stream_grammar_and_pings(emulator: Emulator) -> None:
    body = request("hi\n#emu thinking display=summarized tool", tools=[WEATHER_TOOL], stream=True)
    status, head, raw = call(emulator, "POST", "/v1/messages", body)
    names = event_names(raw)
    assert status == 200 and head["content-type"].startswith("text/event-stream")
    assert head["transfer-encoding"] == "chunked" and head["request-id"].startswith("req_")
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert b'"partial_json":""' in raw
    signature_at = raw.index(b"signature_delta")
    assert raw.index(b"content_block_stop") > signature_at > raw.index(b"thinking_delta")


def test_omitted_thinking_has_only_a_signature(client: anthropic.Anthropic) -> None:
    with client.messages.stream(**request("think\n#emu thinking")) as stream:
        kinds = [e.delta.type for e in stream if e.type == "content_block_delta"]
        message = stream.get_final_message()
    block = message.content[0]
    assert block.type == "thinking" and block.thinking == "" and block.signature
    assert kinds[0] == "signature_delta"
    assert message.usage.output_tokens_details is not None
    assert message.usage.output_tokens_details.thinking_tokens > 0


def test_enabled_thinking_on_haiku_4_5_is_summarized(client: anthropic.Anthropic) -> None:
    body = request("hi", model="claude-haiku-4-5", max_tokens=2048)
    body["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    created, streamed = created_and_streamed(client, body)
    assert created == streamed
    assert created["content"][0]["type"] == "thinking" and created["content"][0]["thinking"]


def test_tool_use_input_comes_from_the_schema(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("weather?\n#emu tool", tools=[WEATHER_TOOL]))
    tool = message.content[-1]
    assert tool.type == "tool_use" and tool.name == "get_weather"
    assert tool.input == {"location": "example", "unit": "c"}
    assert tool.id.startswith("toolu_")
    assert message.stop_reason == "tool_use"


def test_tool_result_round_trip_echoes_the_result(client: anthropic.Anthropic) -> None:
    first = client.messages.create(**request("weather?\n#emu tool", tools=[WEATHER_TOOL]))
    tool_id = first.content[-1].id  # type: ignore[union-attr]
    result = {"type": "tool_result", "tool_use_id": tool_id, "content": "Sunny, 21 C"}
    messages = [user("weather?"), {"role": "assistant", "content": first.content}, user([result])]
    second = client.messages.create(**request("", messages=messages, tools=[WEATHER_TOOL]))
    assert second.content[0].text == "Echo: Sunny, 21 C"  # type: ignore[union-attr]


def test_tool_directive_without_tools_is_a_clear_400(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="emulator directive"):
        client.messages.create(**request("#emu tool"))


def test_bad_directive_is_a_400(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="unknown key 'nonsense'"):
        client.messages.create(**request("#emu nonsense=1"))


def test_server_tool_blocks_arrive_whole(emulator: Emulator, client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("news\n#emu server_tool=web_search"))
    assert [b.type for b in message.content] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
    ]
    assert message.usage.server_tool_use is not None
    assert message.usage.server_tool_use.web_search_requests == 1
    raw = call(
        emulator, "POST", "/v1/messages", request("news\n#emu server_tool=web_search", stream=True)
    )[2]
    start = next(line for line in raw.split(b"\n") if b'"web_search_tool_result"' in line)
    assert b"web_search_result" in start and b"content_block_start" in start


def test_code_execution_output_file_is_downloadable(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("run\n#emu server_tool=code_execution"))
    result = message.content[1]
    assert result.type == "code_execution_tool_result"
    file_id = result.content.content[0].file_id  # type: ignore[union-attr]
    assert client.files.download(file_id).read() == b"run\n"


TEXT_DOC = "The grass is green. The sky is blue."
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>> endobj\n"
    b"2 0 obj <</Type /Page>> endobj\n3 0 obj <</Type /Page>> endobj\n"
    b"4 0 obj <<>> stream\nBT (Hello PDF world) Tj ET\nendstream endobj\n%%EOF\n"
)


def _documents() -> list[JSON]:
    pdf = base64.b64encode(PDF).decode()
    return [
        {
            "type": "document",
            "title": "Colours",
            "source": {"type": "text", "media_type": "text/plain", "data": TEXT_DOC},
            "citations": {"enabled": True},
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": pdf},
            "citations": {"enabled": True},
        },
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}},
        {
            "type": "document",
            "source": {"type": "content", "content": [{"type": "text", "text": "Block one."}]},
            "citations": {"enabled": True},
        },
    ]


def test_citations_point_into_the_documents(client: anthropic.Anthropic) -> None:
    body = request("summarise")
    body["messages"] = [user([*_documents(), {"type": "text", "text": "summarise"}])]
    created, streamed = created_and_streamed(client, body)
    assert created == streamed
    cited = [c for b in created["content"] for c in b.get("citations") or []]
    char, page, block = cited
    assert char["type"] == "char_location" and char["document_index"] == 0
    assert TEXT_DOC[char["start_char_index"] : char["end_char_index"]] == "The grass is green."
    assert char["document_title"] == "Colours"
    assert page["type"] == "page_location" and page["document_index"] == 1
    assert (page["start_page_number"], page["end_page_number"]) == (1, 2)
    assert page["cited_text"] == "Hello PDF world"
    assert block["type"] == "content_block_location" and block["document_index"] == 3


def test_citations_stream_as_citations_deltas(emulator: Emulator) -> None:
    body = request("summarise", stream=True)
    body["messages"] = [user([_documents()[0], {"type": "text", "text": "go"}])]
    raw = call(emulator, "POST", "/v1/messages", body)[2]
    assert raw.index(b"citations_delta") < raw.index(b'"text":"The ')


def test_citations_can_be_turned_off(client: anthropic.Anthropic) -> None:
    body = request("summarise")
    body["messages"] = [
        user([_documents()[0], {"type": "text", "text": "go\n#emu citations=false"}])
    ]
    message = client.messages.create(**body)
    assert [b.type for b in message.content] == ["text"]


def test_requested_stop_sequence_cuts_the_reply(client: anthropic.Anthropic) -> None:
    body = request("go STOP now", stop_sequences=["NEVER", "STOP"])
    created, streamed = created_and_streamed(client, body)
    assert created == streamed
    assert created["content"][0]["text"] == "Echo: go "
    assert (created["stop_reason"], created["stop_sequence"]) == ("stop_sequence", "STOP")


def test_max_tokens_truncates(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("#emu tokens=500", max_tokens=100))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 100
    assert len(message.content[0].text) == 400  # type: ignore[union-attr]


def test_max_tokens_zero_prewarms_without_content(client: anthropic.Anthropic) -> None:
    message = client.messages.create(**request("warm", max_tokens=0))
    assert message.content == [] and message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 0


def test_refusal_carries_stop_details(client: anthropic.Anthropic) -> None:
    body = request("#emu stop=refusal category=cyber explanation='not allowed'")
    created, streamed = created_and_streamed(client, body)
    assert created == streamed
    assert created["stop_details"] == {
        "type": "refusal",
        "category": "cyber",
        "explanation": "not allowed",
    }


@pytest.mark.parametrize(
    "reason",
    [
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
    ],
)
def test_every_stop_reason(client: anthropic.Anthropic, reason: str) -> None:
    message = client.messages.create(**request(f"#emu stop={reason}"))
    assert message.stop_reason == reason
    assert (message.stop_sequence is not None) == (reason == "stop_sequence")
    assert (message.stop_details is not None) == (reason == "refusal")


def test_hundred_thousand_tokens_stream_fast(client: anthropic.Anthropic) -> None:
    started = time.monotonic()
    with client.messages.stream(**request("#emu tokens=100000", max_tokens=128_000)) as stream:
        message = stream.get_final_message()
    assert time.monotonic() - started < 10
    assert message.usage.output_tokens == 100_000
    text = message.content[0].text  # type: ignore[union-attr]
    assert len(text) == 400_000 and text.startswith("## Section 1")


def test_count_tokens_matches_message_usage(client: anthropic.Anthropic) -> None:
    image = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
    content = [*_documents(), {"type": "image", "source": image}, {"type": "text", "text": "hi"}]
    kwargs: JSON = {
        "model": MODEL,
        "system": "You are terse.",
        "tools": [WEATHER_TOOL],
        "messages": [user(content)],
    }
    counted = client.messages.count_tokens(**kwargs).input_tokens
    usage = client.messages.create(max_tokens=64, **kwargs).usage
    assert counted == usage.input_tokens > 1600 + 2 * 1500
    assert usage.cache_creation_input_tokens == usage.cache_read_input_tokens == 0


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.sse")))
def test_shared_fixtures_replay_verbatim(
    emulator: Emulator, client: anthropic.Anthropic, name: str
) -> None:
    data = (FIXTURES / name).read_bytes()
    emulator.enqueue({"sse_file": str(FIXTURES / name)})
    with client.messages.stream(**request("replay")) as stream:
        served = normalise(stream.get_final_message().model_dump(mode="json"))
    assert served == sdk_final_from_bytes(data)
    emulator.enqueue({"sse_bytes": data})
    assert call(emulator, "POST", "/v1/messages", request("x", stream=True))[2] == data


def _http_chunks(raw: bytes) -> list[bytes]:
    """The chunks of a chunked HTTP/1.1 response, as framed on the wire."""
    body = raw.partition(b"\r\n\r\n")[2]
    chunks: list[bytes] = []
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(body[:size])
        body = body[size + 2 :]
    return chunks


@pytest.mark.parametrize(("chunk_bytes", "sizes"), [(0, 14), (1, 14), (600, 5), (5000, 1)])
def test_replay_groups_whole_events_into_chunks_of_chunk_bytes(
    emulator: Emulator, chunk_bytes: int, sizes: int
) -> None:
    path = FIXTURES / "06-thinking-signature-refusal-fallback-credit.sse"  # 2683 bytes, 14 events
    data = path.read_bytes()
    emulator.enqueue({"sse_file": str(path), "chunk_bytes": chunk_bytes})
    raw, error = raw_exchange(emulator, request("x", stream=True))
    chunks = _http_chunks(raw)
    assert error is None and b"".join(chunks) == data
    assert len(chunks) == sizes
    assert all(chunk.endswith(b"\n\n") for chunk in chunks)  # never an event cut in two
    for chunk in chunks[:-1]:  # each chunk is full, and would not be without its last event
        last_event = chunk[:-2].rpartition(b"\n\n")[2] + b"\n\n"
        assert len(chunk) >= chunk_bytes > len(chunk) - len(last_event) or chunk == last_event


def test_enqueued_items_are_consumed_fifo(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue({"text": "first"}, {"text": "second", "stop": "max_tokens"})
    first = client.messages.create(**request("a"))
    second = client.messages.create(**request("b"))
    third = client.messages.create(**request("c"))
    assert first.content[0].text == "first"  # type: ignore[union-attr]
    assert (second.content[0].text, second.stop_reason) == ("second", "max_tokens")  # type: ignore[union-attr]
    assert third.content[0].text == "Echo: c"  # type: ignore[union-attr]


def test_enqueue_rejects_unknown_keys(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown key 'colour'"):
        emulator.enqueue({"colour": "blue"})
    with pytest.raises(ValueError, match="stop: expected one of"):
        emulator.enqueue({"stop": "whenever"})


def test_requests_are_recorded(emulator: Emulator, client: anthropic.Anthropic) -> None:
    client.messages.create(**request("record me"))
    (seen,) = emulator.requests
    assert seen["method"] == "POST" and seen["path"] == "/v1/messages"
    assert seen["headers"]["authorization"] == "Bearer sk-test"
    assert seen["headers"]["anthropic-version"] == "2026-10-21"
    assert seen["body"]["messages"][0]["content"] == "record me"
    assert isinstance(seen["raw"], bytes) and b"record me" in seen["raw"]


def test_json_body_fault_answers_json_to_a_stream_request(emulator: Emulator) -> None:
    status, head, raw = call(
        emulator, "POST", "/v1/messages", request("#emu fault=json_body", stream=True)
    )
    assert status == 200 and head["content-type"] == "application/json"
    assert raw.startswith(b'{"model"')


def test_prefill_is_allowed_only_on_4_5_models(client: anthropic.Anthropic) -> None:
    messages = [user("hi"), {"role": "assistant", "content": "Sure,"}]
    ok = client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=messages)  # type: ignore[arg-type]
    assert ok.content[0].text == "Echo: hi"  # type: ignore[union-attr]
    with pytest.raises(anthropic.BadRequestError, match="prefill"):
        client.messages.create(model=MODEL, max_tokens=64, messages=messages)  # type: ignore[arg-type]


def test_a_paused_server_tool_turn_is_resent_as_is_on_any_model(
    client: anthropic.Anthropic,
) -> None:
    """`pause_turn`: the paused assistant turn goes back unchanged and is not a prefill."""
    paused = client.messages.create(
        model=MODEL, max_tokens=64, messages=[user("#emu server_tool=web_search stop=pause_turn")]
    )
    assert paused.stop_reason == "pause_turn"
    turn = {"role": "assistant", "content": [b.model_dump() for b in paused.content]}
    resumed = client.messages.create(
        model=MODEL,
        max_tokens=64,
        messages=[user("search"), turn],  # type: ignore[list-item]
    )
    assert resumed.stop_reason == "end_turn"


def test_headers_item_adds_response_headers(emulator: Emulator) -> None:
    emulator.enqueue({"headers": {"X-Custom": "yes"}})
    assert call(emulator, "POST", "/v1/messages", request("h"), headers())[1]["x-custom"] == "yes"
