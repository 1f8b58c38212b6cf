"""Stream faults on the wire (bare sockets) and as the SDK (httpx2) experiences them."""

from __future__ import annotations

import json
import time

import anthropic
import httpx2
import pytest

from claudecli.emulator import Emulator

from .util import event_names, raw_exchange, request

FINAL_CHUNK = b"\r\n0\r\n\r\n"


def _stream(client: anthropic.Anthropic, text: str) -> anthropic.types.Message:
    with client.messages.stream(**request(text)) as stream:
        for _ in stream:
            pass
        return stream.get_final_message()


def _transport_failure(
    client: anthropic.Anthropic, text: str, *expected: type[Exception]
) -> BaseException:
    """The httpx2 error behind a broken stream, as the SDK surfaces it.

    SDKs up to 2.16 let the transport error through; 2.17 wraps it in its own
    APIConnectionError (APITimeoutError for a timeout) and keeps it as `__cause__`. Either way
    the failure must be a transport failure of the expected kind, not a decoded answer.
    """
    with pytest.raises((httpx2.TransportError, anthropic.APIConnectionError)) as caught:
        _stream(client, text)
    error = caught.value
    if isinstance(error, anthropic.APIConnectionError):
        assert isinstance(error, anthropic.APITimeoutError) == issubclass(
            expected[0], httpx2.TimeoutException
        )
        error = error.__cause__  # type: ignore[assignment]
    assert isinstance(error, expected), repr(error)
    return error


def test_reset_mid_stream(emulator: Emulator, client: anthropic.Anthropic) -> None:
    raw, error = raw_exchange(
        emulator, request("hello partial\n#emu fault=reset after=3", stream=True)
    )
    assert isinstance(error, ConnectionResetError)
    assert event_names(raw) == ["message_start", "content_block_start", "ping"]
    _transport_failure(client, "#emu fault=reset after=4", httpx2.ReadError)


def test_drop_without_final_chunk(emulator: Emulator, client: anthropic.Anthropic) -> None:
    raw, error = raw_exchange(emulator, request("#emu fault=drop after=4", stream=True))
    assert error is None and not raw.endswith(FINAL_CHUNK)
    assert event_names(raw)[-1] == "content_block_delta"
    _transport_failure(
        client, "#emu fault=drop after=4", httpx2.ReadError, httpx2.RemoteProtocolError
    )


def test_eof_after_message_delta(emulator: Emulator, client: anthropic.Anthropic) -> None:
    raw, _ = raw_exchange(emulator, request("#emu fault=eof", stream=True))
    assert raw.endswith(FINAL_CHUNK)
    assert event_names(raw)[-1] == "message_delta"
    assert _stream(client, "#emu fault=eof").stop_reason == "end_turn"


def test_truncate_before_message_delta(emulator: Emulator, client: anthropic.Anthropic) -> None:
    raw, _ = raw_exchange(emulator, request("#emu fault=truncate", stream=True))
    assert raw.endswith(FINAL_CHUNK) and "message_delta" not in event_names(raw)
    message = _stream(client, "some text\n#emu fault=truncate")
    assert message.stop_reason is None
    assert message.content[0].text == "Echo: some text"  # type: ignore[union-attr]


def test_error_event_after_text(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.APIStatusError) as caught:
        _stream(client, "some words here\n#emu fault=error")
    assert caught.value.status_code == 200
    assert caught.value.type == "overloaded_error"
    assert caught.value.request_id is not None


def test_error_event_first(emulator: Emulator) -> None:
    raw, _ = raw_exchange(emulator, request("#emu fault=error after=0", stream=True))
    assert event_names(raw) == ["error"]
    data = raw.split(b"data: ")[1].split(b"\n")[0]
    body = json.loads(data)
    assert body["error"] == {"type": "overloaded_error", "message": "Overloaded", "details": None}
    assert body["request_id"].startswith("req_")


def test_error_event_type_is_configurable(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.APIStatusError) as caught:
        _stream(client, "#emu fault=error error_type=api_error message=boom")
    assert (caught.value.type, caught.value.api_message) == ("api_error", "boom")


def test_stall_trips_the_read_timeout(emulator: Emulator) -> None:
    timeout = httpx2.Timeout(5.0, read=0.3)
    with anthropic.Anthropic(
        api_key="sk-test", base_url=emulator.url, max_retries=0, timeout=timeout
    ) as sdk:
        _transport_failure(sdk, "#emu fault=stall seconds=30 after=3", httpx2.ReadTimeout)
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 2


def test_short_stall_then_completes(client: anthropic.Anthropic) -> None:
    started = time.monotonic()
    message = _stream(client, "wait\n#emu fault=stall seconds=0.2")
    assert time.monotonic() - started >= 0.2
    assert message.stop_reason == "end_turn"


def test_drip_sends_pings_without_content(emulator: Emulator) -> None:
    raw, _ = raw_exchange(emulator, request("#emu fault=drip seconds=0.01 count=5", stream=True))
    names = event_names(raw)
    assert names[0] == "message_start" and names[1:6] == ["ping"] * 5
    assert names[-1] == "message_stop"


def test_malformed_json(client: anthropic.Anthropic) -> None:
    with pytest.raises(json.JSONDecodeError):
        _stream(client, "#emu fault=malformed")


def test_unknown_types_are_survivable(client: anthropic.Anthropic) -> None:
    message = _stream(client, "#emu fault=unknown")
    assert [block.type for block in message.content] == ["text", "future_block"]
    assert message.stop_reason == "end_turn"


def test_each_unknown_alone(emulator: Emulator) -> None:
    for fault, marker in (
        ("unknown_event", b"brand_new_event"),
        ("unknown_block", b"future_block"),
        ("unknown_delta", b"future_delta"),
    ):
        raw, _ = raw_exchange(emulator, request(f"#emu fault={fault}", stream=True))
        assert marker in raw and raw.endswith(FINAL_CHUNK)


def test_stream_fault_enqueued(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue({"fault": "reset", "after": 2})
    _transport_failure(client, "x", httpx2.ReadError)
    assert _stream(client, "fine").stop_reason == "end_turn"


@pytest.mark.parametrize("fault", ["reset", "drop"])
def test_connection_fault_before_any_response(client: anthropic.Anthropic, fault: str) -> None:
    with pytest.raises(anthropic.APIConnectionError):
        client.messages.create(**request(f"#emu fault={fault}"))


def test_connection_fault_on_another_route(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue(
        {"path": "/v1/models*", "fault": "reset"}, {"path": "/v1/models", "headers": {"x-n": "2"}}
    )
    with pytest.raises(anthropic.APIConnectionError):
        client.models.list()
    page = client.models.with_raw_response.list()
    assert page.headers["x-n"] == "2"
    assert client.messages.create(**request("still fine")).stop_reason == "end_turn"
