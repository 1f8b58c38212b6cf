"""(a) The official SDK and our client, pointed at the live emulator, agree on every reply kind.

For each scripted reply the SAME request goes through
`anthropic.Anthropic(...).messages.stream(...).get_final_message()` and through our
`Client.stream_message(body)`; the final Messages must be equal. Our streamed result must also
equal our non-streaming `create_message`, and our event sequence must match the SDK's raw events
(`messages.create(stream=True)`) event by event.

Normalisation, and nothing more:
* SDK vs ours, final Message: `tests.sdk_oracle.normalise` drops keys whose value is None on both
  sides (the SDK's pydantic models carry every optional field, e.g. `container: None`, which the
  wire JSON omits). Nothing else is touched: every non-None value must match exactly.
* SDK vs ours, events: the SDK's raw stream silently skips `ping` events
  (anthropic/_streaming.py), so pings are removed from OUR list before comparing; the remaining
  payloads are compared exactly (our kept JSON vs the SDK's `to_dict()`), without `normalise`.
* Ours streamed vs ours non-streamed: exact dict equality, no normalisation at all.
* Prompt caching changes `usage` between two identical requests, so the emulator is reset
  (`emulator.reset()`) before every run: each client sees the same fresh cache state. The cache
  case replays the same two-request sequence (write, then read) for both clients instead.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from claudecli.client import Client, ClientOptions, Secret
from claudecli.client.events import Ping, StreamEvent
from claudecli.emulator import Emulator
from tests.sdk_oracle import normalise

JSON = dict[str, Any]
MODEL = "claude-sonnet-5-5"
KEY = "sk-test-SECRET-1234"
WEATHER_TOOL: JSON = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"enum": ["c", "f"]},
            "days": {"type": "integer"},
        },
        "required": ["location", "unit", "days"],
    },
}
TEXT_DOC = "Lions sleep most of the day. Cats do too."


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF (correct xref offsets) whose page shows `text` with one Tj."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def body(text: str, **extra: Any) -> JSON:
    found: JSON = {
        "model": MODEL,
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": text}],
    }
    found.update(extra)
    return found


def with_documents(text: str, *documents: JSON) -> JSON:
    content = [*documents, {"type": "text", "text": text}]
    return {"model": MODEL, "max_tokens": 4096, "messages": [{"role": "user", "content": content}]}


TEXT_DOCUMENT: JSON = {
    "type": "document",
    "title": "Animals",
    "source": {"type": "text", "media_type": "text/plain", "data": TEXT_DOC},
    "citations": {"enabled": True},
}
PDF_DOCUMENT: JSON = {
    "type": "document",
    "title": "Tiny PDF",
    "source": {
        "type": "base64",
        "media_type": "application/pdf",
        "data": base64.b64encode(tiny_pdf("Hello from a tiny PDF")).decode(),
    },
    "citations": {"enabled": True},
}

# (id, request body, enqueued item or None). Replies are chosen by `#emu` directive lines, except
# where a fault item must be enqueued (queued items replace the directives).
CASES: list[tuple[str, JSON, JSON | None]] = [
    ("plain-text", body("Hello, emulator"), None),
    ("long-text", body("#emu tokens=3000"), None),
    ("thinking-summarized", body("why?\n#emu thinking_tokens=200 display=summarized"), None),
    ("thinking-omitted", body("why?\n#emu thinking display=omitted"), None),
    (
        # `thinking.type: enabled` is only accepted by 4.5 models (which the SDK warns about).
        "thinking-enabled-request",
        body(
            "why?", model="claude-sonnet-4-5", thinking={"type": "enabled", "budget_tokens": 1024}
        ),
        None,
    ),
    ("redacted-thinking", body("secret\n#emu thinking redacted_thinking"), None),
    ("tool-use", body("weather?\n#emu tool=get_weather", tools=[WEATHER_TOOL]), None),
    (
        "two-tool-uses-given-input",
        body(
            "weather?\n#emu tool=get_weather,get_weather "
            'tool_input=\'{"location": "Paris, \\"FR\\"", "unit": "c", "days": 3}\'',
            tools=[WEATHER_TOOL],
        ),
        None,
    ),
    ("citations-text-doc", with_documents("What sleeps?", TEXT_DOCUMENT), None),
    ("citations-pdf", with_documents("Summarise", PDF_DOCUMENT), None),
    ("citations-both", with_documents("Both", TEXT_DOCUMENT, PDF_DOCUMENT), None),
    ("web-search", body("search cats\n#emu server_tool=web_search"), None),
    ("code-execution", body("run it\n#emu server_tool=code_execution"), None),
    ("stop-end_turn", body("bye\n#emu stop=end_turn"), None),
    ("stop-max_tokens-natural", body("#emu tokens=400", max_tokens=50), None),
    ("stop-max_tokens-scripted", body("x\n#emu stop=max_tokens"), None),
    (
        "stop-stop_sequence-natural",
        body("#emu text='alpha beta STOP gamma'", stop_sequences=["STOP"]),
        None,
    ),
    ("stop-stop_sequence-scripted", body("x\n#emu stop=stop_sequence stop_sequence=END"), None),
    ("stop-tool_use", body("tool\n#emu tool stop=tool_use", tools=[WEATHER_TOOL]), None),
    ("stop-pause_turn", body("search\n#emu server_tool=web_search stop=pause_turn"), None),
    ("stop-refusal", body("no\n#emu stop=refusal category=bio explanation='Declined.'"), None),
    ("stop-refusal-null-category", body("no\n#emu stop=refusal category=null"), None),
    ("stop-context-window", body("big\n#emu stop=model_context_window_exceeded"), None),
    ("service-tier-priority", body("fast\n#emu service_tier=priority"), None),
    ("extra-pings", body("#emu tokens=200 ping_every=2"), None),
    ("unknown-all", body("future"), {"fault": "unknown"}),
    ("unknown-event", body("future"), {"fault": "unknown_event"}),
    ("unknown-block", body("future"), {"fault": "unknown_block"}),
    ("unknown-delta", body("future"), {"fault": "unknown_delta"}),
    (
        "everything",
        body(
            "all\n#emu thinking display=summarized redacted_thinking server_tool=web_search "
            "tool=get_weather",
            tools=[WEATHER_TOOL],
        ),
        None,
    ),
]
IDS = [case[0] for case in CASES]
# The SDK warns (DeprecationWarning, an error under our pytest config) when a 4.5 model is used.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The model 'claude-sonnet-4-5' is deprecated:DeprecationWarning"
)


# One emulator and one client of each kind for the whole module: building an httpx2 client costs
# ~0.1 s (TLS context), and every test resets the emulator's state before each run anyway.
@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(batch_delay=0.1) as emu:
        yield emu


@pytest.fixture(scope="module")
def sdk(emulator: Emulator) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-test", base_url=emulator.url, max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def ours(emulator: Emulator) -> Iterator[Client]:
    options = ClientOptions(api_key=Secret(KEY), base_url=emulator.url, max_retries=0)
    with Client(options, sleep=_no_sleep) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean(emulator: Emulator) -> None:
    emulator.reset()


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"no retry expected, asked to sleep {seconds}")


def fresh(emulator: Emulator, item: JSON | None) -> None:
    emulator.reset()
    if item is not None:
        emulator.enqueue(item)


def sdk_final(sdk: anthropic.Anthropic, request: JSON) -> JSON:
    with sdk.messages.stream(**request) as stream:
        for _ in stream:
            pass
        message = stream.get_final_message()
    # `warnings=False`: pydantic warns when it serialises the SDK's stand-in for an unknown block.
    dumped: JSON = message.model_dump(mode="json", exclude_unset=False, warnings=False)
    return normalise(dumped)


def sdk_raw_events(sdk: anthropic.Anthropic, request: JSON) -> list[JSON]:
    raw = sdk.messages.create(stream=True, **request)
    return [event.to_dict(mode="json", warnings=False) for event in raw]


def our_stream(ours: Client, request: JSON) -> tuple[list[StreamEvent], JSON]:
    stream = ours.stream_message(request)
    events = list(stream)
    assert stream.completed and stream.retries == 0
    return events, stream.message()


@pytest.mark.parametrize(("name", "request_body", "item"), CASES, ids=IDS)
def test_sdk_and_our_stream_accumulate_the_same_message(
    emulator: Emulator,
    sdk: anthropic.Anthropic,
    ours: Client,
    name: str,
    request_body: JSON,
    item: JSON | None,
) -> None:
    fresh(emulator, item)
    expected = sdk_final(sdk, request_body)
    fresh(emulator, item)
    _, got = our_stream(ours, request_body)
    assert normalise(got) == expected
    # And the request really went over the wire to the emulator, once each.
    assert len(emulator.requests) == 1
    assert emulator.requests[0]["body"]["stream"] is True


@pytest.mark.parametrize(("name", "request_body", "item"), CASES, ids=IDS)
def test_our_stream_equals_our_create_message(
    emulator: Emulator, ours: Client, name: str, request_body: JSON, item: JSON | None
) -> None:
    if item is not None:
        # Stream faults rewrite the SSE only; the unknown block exists only in the stream, the
        # non-streaming reply is the plain message. Compare the rest block by block instead.
        fresh(emulator, item)
        _, streamed = our_stream(ours, request_body)
        fresh(emulator, None)
        created = ours.create_message(request_body)
        kept = [b for b in streamed["content"] if b["type"] != "future_block"]
        assert {**streamed, "content": kept} == created
        return
    fresh(emulator, None)
    _, streamed = our_stream(ours, request_body)
    fresh(emulator, None)
    created = ours.create_message(request_body)
    assert streamed == created
    assert "stream" not in emulator.requests[-1]["body"]


@pytest.mark.parametrize(("name", "request_body", "item"), CASES, ids=IDS)
def test_our_events_match_the_sdk_raw_events(
    emulator: Emulator,
    sdk: anthropic.Anthropic,
    ours: Client,
    name: str,
    request_body: JSON,
    item: JSON | None,
) -> None:
    fresh(emulator, item)
    theirs = sdk_raw_events(sdk, request_body)
    fresh(emulator, item)
    events, _ = our_stream(ours, request_body)
    mine = [event for event in events if not isinstance(event, Ping)]
    assert any(isinstance(event, Ping) for event in events)  # the API always sends one
    assert [e.data.get("type") for e in mine] == [e["type"] for e in theirs]
    assert [_delta_type(e.data) for e in mine] == [_delta_type(e) for e in theirs]
    # Payload by payload: the JSON we kept equals what the SDK parsed, exactly.
    assert [e.data for e in mine] == theirs


def _delta_type(event: JSON) -> str | None:
    delta = event.get("delta")
    return delta.get("type") if isinstance(delta, dict) else None


def test_first_input_json_delta_is_empty_and_input_is_chunked(
    emulator: Emulator, ours: Client
) -> None:
    _, request_body, _ = CASES[IDS.index("tool-use")]
    events, message = our_stream(ours, request_body)
    chunks = [
        e.data["delta"]["partial_json"] for e in events if _delta_type(e.data) == "input_json_delta"
    ]
    assert chunks[0] == ""
    assert len(chunks) > 3
    assert message["content"][-1]["input"] == {"location": "example", "unit": "c", "days": 1}


def test_citations_carry_char_and_page_locations(emulator: Emulator, ours: Client) -> None:
    _, request_body, _ = CASES[IDS.index("citations-both")]
    _, message = our_stream(ours, request_body)
    cited = [c for block in message["content"] for c in block.get("citations") or []]
    assert [c["type"] for c in cited] == ["char_location", "page_location"]
    assert cited[0]["cited_text"] == "Lions sleep most of the day."
    assert cited[0]["document_title"] == "Animals"
    assert cited[1]["cited_text"] == "Hello from a tiny PDF"
    assert cited[1]["start_page_number"] == 1


def test_thinking_display_omitted_keeps_the_signature(emulator: Emulator, ours: Client) -> None:
    _, request_body, _ = CASES[IDS.index("thinking-omitted")]
    _, message = our_stream(ours, request_body)
    thinking = message["content"][0]
    assert thinking["type"] == "thinking" and thinking["thinking"] == ""
    assert len(thinking["signature"]) > 40


def test_unknown_block_is_kept_verbatim(emulator: Emulator, ours: Client) -> None:
    emulator.enqueue({"fault": "unknown"})
    _, message = our_stream(ours, body("future"))
    assert message["content"][-1] == {"type": "future_block", "data": "emulated"}
    assert message["content"][0] == {"type": "text", "text": "Echo: future"}


def test_prompt_cache_write_then_read_agrees(
    emulator: Emulator, sdk: anthropic.Anthropic, ours: Client
) -> None:
    system = [
        {"type": "text", "text": "You are terse. " * 300, "cache_control": {"type": "ephemeral"}}
    ]
    first = body("one", system=system)
    second = body("two", system=system)

    emulator.reset()
    sdk_write, sdk_read = sdk_final(sdk, first), sdk_final(sdk, second)
    emulator.reset()
    our_write, our_read = our_stream(ours, first)[1], our_stream(ours, second)[1]

    assert normalise(our_write) == sdk_write
    assert normalise(our_read) == sdk_read
    assert our_write["usage"]["cache_creation_input_tokens"] > 0
    assert our_write["usage"]["cache_read_input_tokens"] == 0
    assert (
        our_read["usage"]["cache_read_input_tokens"]
        == our_write["usage"]["cache_creation_input_tokens"]
    )
    # A third identical request, non-streamed, reads the same prefix again.
    created = ours.create_message(second)
    assert created["usage"] == our_read["usage"]
