"""(c) Every retry, timeout and fault case against the live emulator (real sockets, no mocks).

Each test asserts the exception class and attributes, how many attempts the emulator saw
(`emulator.requests`), and the delays our client asked to sleep: `sleep` is injected to record
them (so retries are instant) and `on_retry` records the `RetryNotice`s. Every exception caught
here is also checked for the API key (`assert_keyless`).

Unless a test says otherwise the reply is the emulator's deterministic echo of BODY, which lets
"the result after retries equals a clean run" be an exact comparison.
"""

from __future__ import annotations

import email.utils
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2
import pytest

from claudecli.client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Client,
    ClientOptions,
    MessageStream,
    ProtocolError,
    RetryNotice,
    Secret,
    StreamInterruptedError,
    Timeouts,
    TruncatedStreamError,
)
from claudecli.client.events import MessageStart, StreamEvent, TextDelta
from claudecli.emulator import Emulator

JSON = dict[str, Any]
KEY = "sk-test-SECRET-1234"
BODY: JSON = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 256,
    "messages": [{"role": "user", "content": "hello"}],
}
# Text for fault tests that cut a stream: the emulator sends three words per text delta, so the
# first delta is "one two three " and the partial message is predictable.
WORDS = "one two three four five six seven eight nine"
FIRST_DELTA = "one two three "
# Event positions in an emulated one-text-block stream: message_start, content_block_start, ping,
# then the first text delta. `after=1` cuts before any content, `after=4` right after the first
# text delta.
BEFORE_CONTENT, AFTER_TEXT = 1, 4
# Upper bound for "the timeout fired, not the 10 s stall ending" (generous: shared CI machines).
SLOW = 4.0
E = TypeVar("E", bound=BaseException)


@dataclass
class Calls:
    """What the client asked for: sleeps (seconds) and retry notices, in order."""

    sleeps: list[float] = field(default_factory=list)
    notices: list[RetryNotice] = field(default_factory=list)


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def make(emulator: Emulator, calls: Calls) -> Iterator[Callable[..., Client]]:
    """Build clients on the emulator (options as keywords); all closed after the test."""
    made: list[Client] = []

    def build(**options: Any) -> Client:
        options.setdefault("base_url", emulator.url)
        opts = ClientOptions(api_key=Secret(KEY), **options)
        client = Client(
            opts,
            sleep=calls.sleeps.append,
            on_retry=calls.notices.append,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.fixture
def client(make: Callable[..., Client]) -> Client:
    return make()


def assert_keyless(exc: BaseException) -> None:
    """The key appears nowhere in the exception: str, repr, attributes, cause, traceback."""
    texts = [str(exc), repr(exc), repr(getattr(exc, "__dict__", {}))]
    cause = getattr(exc, "cause", None)
    if cause is not None:
        texts += [str(cause), repr(cause), repr(vars(cause))]
    texts.append("".join(traceback.format_exception(exc)))
    for text in texts:
        assert KEY not in text and "SECRET" not in text


def raises(kind: type[E], call: Callable[[], object]) -> E:
    with pytest.raises(kind) as info:
        call()
    assert_keyless(info.value)
    return info.value


def drain(stream: MessageStream) -> list[StreamEvent]:
    return list(stream)


def run(client: Client, mode: str, body: JSON = BODY) -> JSON:
    """One call in `mode`: "create" (JSON) or "stream" (events drained, then the message)."""
    if mode == "create":
        return client.create_message(body)
    stream = client.stream_message(body)
    drain(stream)
    assert stream.completed
    return stream.message()


def with_text(text: str) -> JSON:
    return {**BODY, "messages": [{"role": "user", "content": f"x\n#emu text='{text}'"}]}


def clean_run(emulator: Emulator, client: Client, mode: str, body: JSON = BODY) -> JSON:
    """The result without any fault, then a reset emulator (nothing queued, no requests)."""
    result = run(client, mode, body)
    emulator.reset()
    return result


def backoff_range(retries_taken: int) -> tuple[float, float]:
    """`min(0.5 * 2**n, 8) * U(0.75, 1)` as an interval."""
    base = min(0.5 * 2**retries_taken, 8.0)
    return base * 0.75, base


def assert_backoff(sleeps: list[float]) -> None:
    for n, delay in enumerate(sleeps):
        low, high = backoff_range(n)
        assert low <= delay <= high, (n, delay)


def request_ids(emulator: Emulator) -> list[str]:
    return [r["request_id"] for r in emulator.requests]


MODES = ["create", "stream"]

# --- retry-after headers --------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_429_retry_after_seconds_is_honoured(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    expected = clean_run(emulator, client, mode)
    emulator.enqueue({"status": 429, "retry_after": 3})
    assert run(client, mode) == expected
    assert len(emulator.requests) == 2
    assert calls.sleeps == [3.0]
    assert calls.notices == [RetryNotice("rate limited", 3.0, 1, 2, 429)]


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_ms_wins_over_retry_after(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 429, "retry_after": 5, "retry_after_ms": 1500})
    run(client, mode)
    assert calls.sleeps == [1.5]
    assert len(emulator.requests) == 2


def test_the_emulator_really_sends_both_retry_headers(
    emulator: Emulator, make: Callable[..., Client]
) -> None:
    """The premise of the test above, seen on the error of a client that does not retry."""
    emulator.enqueue({"status": 429, "retry_after": 5, "retry_after_ms": 1500})
    err = raises(APIStatusError, lambda: make(max_retries=0).create_message(BODY))
    assert (err.headers["retry-after"], err.headers["retry-after-ms"]) == ("5", "1500")


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_as_http_date(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    emulator.enqueue({"status": 429, "headers": {"retry-after": when}})
    run(client, mode)
    assert len(calls.sleeps) == 1
    assert 8.0 <= calls.sleeps[0] <= 10.0  # the date has one-second resolution
    assert len(emulator.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_at_the_cap_is_honoured(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 429, "retry_after": 60})
    run(client, mode)
    assert calls.sleeps == [60.0]


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_above_the_cap_is_not_retried(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    # Policy (commit e2b24bb): honoured up to the cap; a longer wait is not shortened (it would
    # only be refused again) but not retried, and the error says why.
    emulator.enqueue({"status": 429, "retry_after": 120})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert err.status_code == 429
    assert "retry_max_wait (60 s)" in str(err)
    assert err.headers["retry-after"] == "120"
    assert len(emulator.requests) == 1
    assert calls.sleeps == [] and calls.notices == []


def test_retry_cap_is_configurable(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(retry_cap=2.5)
    emulator.enqueue({"status": 503, "retry_after": 2}, {"status": 529, "retry_after_ms": 900})
    run(client, "stream")
    assert calls.sleeps == [2.0, 0.9]
    assert [n.status for n in calls.notices] == [503, 529]
    emulator.enqueue({"status": 503, "retry_after": 3})
    err = raises(APIStatusError, lambda: run(client, "create"))
    assert "retry_max_wait (2.5 s)" in str(err)
    assert calls.sleeps == [2.0, 0.9]


def test_zero_or_past_retry_after_falls_back_to_backoff(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    emulator.enqueue(
        {"status": 429, "retry_after": 0}, {"status": 429, "headers": {"retry-after": past}}
    )
    run(client, "create")
    assert len(calls.sleeps) == 2
    assert_backoff(calls.sleeps)


# --- retried statuses -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_500_then_success_equals_a_clean_run(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    expected = clean_run(emulator, client, mode)
    emulator.enqueue({"status": 500})
    assert run(client, mode) == expected
    assert len(emulator.requests) == 2
    assert len(calls.notices) == 1
    notice = calls.notices[0]
    assert (notice.reason, notice.attempt, notice.max_retries, notice.status) == (
        "api_error",
        1,
        2,
        500,
    )
    assert calls.sleeps == [notice.delay]
    assert_backoff(calls.sleeps)


@pytest.mark.parametrize("mode", MODES)
def test_529_exhausts_the_default_two_retries(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue(*[{"status": 529}] * 3)
    err = raises(APIStatusError, lambda: run(client, mode))
    assert err.status_code == 529
    assert err.error_type == "overloaded_error"
    assert err.message == "Overloaded"
    assert err.request_id == request_ids(emulator)[-1]
    assert len(emulator.requests) == 3
    assert len(calls.sleeps) == 2
    assert_backoff(calls.sleeps)
    assert [(n.reason, n.attempt, n.status) for n in calls.notices] == [
        ("overloaded", 1, 529),
        ("overloaded", 2, 529),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_zero_makes_one_attempt(
    emulator: Emulator, make: Callable[..., Client], calls: Calls, mode: str
) -> None:
    client = make(max_retries=0)
    emulator.enqueue({"status": 529})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert err.status_code == 529
    assert len(emulator.requests) == 1
    assert calls.sleeps == [] and calls.notices == []


def test_max_retries_is_configurable(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=4)
    emulator.enqueue(*[{"status": 529}] * 5)
    raises(APIStatusError, lambda: run(client, "stream"))
    assert len(emulator.requests) == 5
    assert len(calls.sleeps) == 4
    assert_backoff(calls.sleeps)
    assert [n.max_retries for n in calls.notices] == [4] * 4


@pytest.mark.parametrize("status", [408, 409, 502, 503, 504])
@pytest.mark.parametrize("mode", MODES)
def test_retryable_statuses_are_retried(
    emulator: Emulator, client: Client, calls: Calls, status: int, mode: str
) -> None:
    emulator.enqueue({"status": status})
    run(client, mode)
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [status]


@pytest.mark.parametrize("mode", MODES)
def test_should_retry_false_on_500_is_not_retried(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 500, "should_retry": False})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert (err.status_code, err.error_type) == (500, "api_error")
    assert err.headers["x-should-retry"] == "false"
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


@pytest.mark.parametrize("mode", MODES)
def test_should_retry_true_on_400_is_retried(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 400, "should_retry": True})
    run(client, mode)
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [400]


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (402, "billing_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (422, "invalid_request_error"),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_client_errors_are_not_retried(
    emulator: Emulator, client: Client, calls: Calls, status: int, error_type: str, mode: str
) -> None:
    emulator.enqueue({"status": status, "message": f"scripted {status}", "error_code": "E42"})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert err.status_code == status
    assert err.error_type == error_type
    assert err.error_code == "E42"
    assert err.details == {"error_code": "E42"}
    assert err.message == f"scripted {status}"
    assert err.request_id == request_ids(emulator)[0]
    assert err.request_id and err.request_id in str(err)
    assert isinstance(err.body, dict) and err.body["error"]["type"] == error_type
    assert len(emulator.requests) == 1
    assert calls.sleeps == [] and calls.notices == []


def test_real_validation_error_is_not_retried(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    err = raises(APIStatusError, lambda: client.create_message({**BODY, "max_tokens": "many"}))
    assert (err.status_code, err.error_type) == (400, "invalid_request_error")
    assert err.message.startswith("max_tokens")
    assert len(emulator.requests) == 1 and calls.sleeps == []


@pytest.mark.parametrize("mode", MODES)
def test_429_spend_limit_is_not_retried(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 429, "error_code": "enforced_spend_limit_reached"})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert (err.status_code, err.error_type) == (429, "rate_limit_error")
    assert err.error_code == "enforced_spend_limit_reached"
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


@pytest.mark.parametrize("mode", MODES)
def test_413_html_body_from_a_cdn(
    emulator: Emulator, client: Client, calls: Calls, mode: str
) -> None:
    emulator.enqueue({"status": 413})
    err = raises(APIStatusError, lambda: run(client, mode))
    assert err.status_code == 413
    assert err.error_type is None and err.error_code is None
    assert "413" in err.message and "text/html" in err.message
    assert "<html>" not in err.message  # summarised, not dumped
    assert isinstance(err.body, str) and "cloudflare" in err.body
    assert err.request_id == request_ids(emulator)[0]
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


# --- connection errors ----------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_after_retries(
    make: Callable[..., Client], calls: Calls, mode: str
) -> None:
    port = closed_port()
    client = make(base_url=f"http://127.0.0.1:{port}")
    err = raises(APIConnectionError, lambda: run(client, mode))
    assert not isinstance(err, APITimeoutError)
    assert f"127.0.0.1:{port}" in str(err)
    assert err.request_id is None
    assert len(calls.sleeps) == 2
    assert_backoff(calls.sleeps)
    assert [(n.attempt, n.status) for n in calls.notices] == [(1, None), (2, None)]


def test_connection_reset_before_any_response_is_retried(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    expected = clean_run(emulator, client, "create")
    emulator.enqueue({"fault": "reset"})  # a non-streamed request: RST instead of an answer
    assert client.create_message(BODY) == expected
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [None]


# --- faults inside a stream -----------------------------------------------------------------


# 0: first event; 1: after message_start; 2: after the empty content_block_start (nothing
# visible yet); 3: after the ping that follows it.
@pytest.mark.parametrize("after", [0, 1, 2, 3])
def test_error_event_before_content_is_retried_invisibly(
    emulator: Emulator, client: Client, calls: Calls, after: int
) -> None:
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "error", "after": after})  # then the default reply
    stream = client.stream_message(BODY)
    events = drain(stream)
    assert sum(isinstance(e, MessageStart) for e in events) == 1
    assert stream.message() == expected
    assert stream.retries == 1 and stream.completed
    assert stream.request_id == request_ids(emulator)[1]
    assert len(emulator.requests) == 2
    assert [(n.reason, n.status) for n in calls.notices] == [("overloaded", 529)]
    assert_backoff(calls.sleeps)


def test_error_event_before_content_exhausts_retries(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    emulator.enqueue(*[{"fault": "error", "after": 0, "message": "busy"}] * 3)
    err = raises(APIStatusError, lambda: drain(client.stream_message(BODY)))
    assert (err.status_code, err.error_type, err.message) == (529, "overloaded_error", "busy")
    assert err.request_id == request_ids(emulator)[-1]
    assert len(emulator.requests) == 3
    assert len(calls.sleeps) == 2


def test_non_retryable_error_event_before_content(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    emulator.enqueue({"fault": "error", "after": 0, "error_type": "invalid_request_error"})
    err = raises(APIStatusError, lambda: drain(client.stream_message(BODY)))
    assert (err.status_code, err.error_type) == (400, "invalid_request_error")
    assert len(emulator.requests) == 1 and calls.sleeps == []


def test_error_event_after_text_is_not_retried(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    emulator.enqueue({"fault": "error", "text": WORDS})  # default: right after the first delta
    stream = client.stream_message(BODY)
    seen: list[StreamEvent] = []
    err = raises(StreamInterruptedError, lambda: seen.extend(stream))
    assert not isinstance(err, TruncatedStreamError)
    assert err.content_delivered and stream.content_delivered
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": FIRST_DELTA}]
    assert err.partial["stop_reason"] is None
    assert [e.text for e in seen if isinstance(e, TextDelta)] == [FIRST_DELTA]
    assert isinstance(err.cause, APIStatusError)
    assert (err.cause.status_code, err.cause.error_type) == (529, "overloaded_error")
    assert err.request_id == stream.request_id == request_ids(emulator)[0]
    assert len(emulator.requests) == 1
    assert calls.sleeps == [] and calls.notices == []


@pytest.mark.parametrize("how", ["reset", "drop"])
def test_connection_lost_after_text(
    emulator: Emulator, client: Client, calls: Calls, how: str
) -> None:
    emulator.enqueue({"fault": how, "after": AFTER_TEXT, "text": WORDS})
    stream = client.stream_message(BODY)
    err = raises(StreamInterruptedError, lambda: drain(stream))
    assert not isinstance(err, TruncatedStreamError)
    assert err.content_delivered
    assert isinstance(err.cause, APIConnectionError)
    assert not isinstance(err.cause, APITimeoutError)
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": FIRST_DELTA}]
    assert err.request_id == request_ids(emulator)[0]
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


@pytest.mark.parametrize("fault", ["reset", "drop", "truncate"])
def test_connection_lost_before_content_is_retried(
    emulator: Emulator, client: Client, calls: Calls, fault: str
) -> None:
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": fault, "after": 2})  # after message_start + empty block start
    stream = client.stream_message(BODY)
    events = drain(stream)
    assert sum(isinstance(e, MessageStart) for e in events) == 1
    assert stream.message() == expected
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [None]


def test_eof_before_content_without_retries_is_truncated(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=0)
    emulator.enqueue({"fault": "truncate", "after": BEFORE_CONTENT})
    err = raises(TruncatedStreamError, lambda: drain(client.stream_message(BODY)))
    assert err.content_delivered is False
    assert err.partial is not None and err.partial["content"] == []
    assert len(emulator.requests) == 1


def test_eof_after_message_delta_without_message_stop_is_complete(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "eof"})
    stream = client.stream_message(BODY)
    drain(stream)
    assert stream.completed
    assert stream.message() == expected
    assert stream.message()["stop_reason"] == "end_turn"
    assert len(emulator.requests) == 1


def test_eof_before_message_delta_after_text_is_truncated(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    emulator.enqueue({"fault": "truncate", "text": WORDS})
    stream = client.stream_message(BODY)
    err = raises(TruncatedStreamError, lambda: drain(stream))
    assert err.content_delivered and not stream.completed
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": WORDS}]
    assert err.partial["stop_reason"] is None
    assert isinstance(err.cause, APIConnectionError)
    assert err.request_id == request_ids(emulator)[0]
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


def test_malformed_json_after_text(emulator: Emulator, client: Client, calls: Calls) -> None:
    emulator.enqueue({"fault": "malformed", "after": AFTER_TEXT, "text": WORDS})
    err = raises(StreamInterruptedError, lambda: drain(client.stream_message(BODY)))
    assert isinstance(err.cause, ProtocolError)
    assert "malformed JSON" in str(err.cause)
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": FIRST_DELTA}]
    assert err.request_id == request_ids(emulator)[0]
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


def test_malformed_json_before_content_is_retried(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    """Like any other failure before content: nothing was shown, so the retry is invisible."""
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "malformed", "after": BEFORE_CONTENT})
    assert run(client, "stream") == expected
    assert len(emulator.requests) == 2
    assert [(n.reason, n.attempt, n.status) for n in calls.notices] == [
        ("malformed event", 1, None)
    ]


def test_malformed_json_before_content_every_time_exhausts_the_retries(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    """Then it is a failure after retries (exit 6), carrying the last attempt's request-id."""
    emulator.enqueue(*[{"fault": "malformed", "after": BEFORE_CONTENT}] * 3)
    err = raises(ProtocolError, lambda: drain(client.stream_message(BODY)))
    assert "malformed JSON" in str(err)
    assert err.request_id == request_ids(emulator)[-1]
    assert len(emulator.requests) == 3
    assert len(calls.sleeps) == 2


def test_stream_retry_notices_name_the_failure_in_a_few_words(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    emulator.enqueue(
        {"fault": "reset", "after": BEFORE_CONTENT},
        {"fault": "truncate", "after": BEFORE_CONTENT},
    )
    drain(client.stream_message(BODY))
    assert [n.reason for n in calls.notices] == ["connection lost", "stream ended early"]


def test_unknown_events_blocks_and_deltas_complete(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "unknown"})
    stream = client.stream_message(BODY)
    drain(stream)
    message = stream.message()
    assert stream.completed
    assert message["content"] == [
        *expected["content"],
        {"type": "future_block", "data": "emulated"},
    ]
    assert {k: v for k, v in message.items() if k != "content"} == {
        k: v for k, v in expected.items() if k != "content"
    }


def test_json_body_to_a_streaming_request_is_replayed_as_events(
    emulator: Emulator, client: Client, calls: Calls
) -> None:
    body = {**BODY, "messages": [{"role": "user", "content": "x\n#emu thinking tool=t"}]}
    body["tools"] = [{"name": "t", "input_schema": {"type": "object", "properties": {}}}]
    expected = clean_run(emulator, client, "create", body)
    emulator.enqueue({"fault": "json_body", "thinking": True, "tool": "t"})
    stream = client.stream_message(body)
    events = drain(stream)
    assert stream.completed
    assert stream.message() == expected
    assert [type(e).__name__ for e in events][:2] == ["MessageStart", "ContentBlockStart"]
    assert type(events[-1]).__name__ == "MessageStop"
    assert emulator.requests[0]["body"]["stream"] is True
    assert len(emulator.requests) == 1


# --- timeouts -------------------------------------------------------------------------------


def timed(call: Callable[[], object], kind: type[E]) -> tuple[E, float]:
    started = time.monotonic()
    err = raises(kind, call)
    return err, time.monotonic() - started


def test_idle_stall_before_content(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=0, timeouts=Timeouts(idle=0.5))
    emulator.enqueue({"fault": "stall", "seconds": 10, "after": BEFORE_CONTENT})
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), APITimeoutError)
    assert err.kind == "idle"
    assert "0.5 s" in str(err)
    assert 0.45 <= elapsed < SLOW
    assert len(emulator.requests) == 1


def test_idle_timeout_on_a_non_streamed_request(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=1, timeouts=Timeouts(idle=0.4))
    emulator.enqueue({"delay": 10}, {"delay": 10})
    err, elapsed = timed(lambda: client.create_message(BODY), APITimeoutError)
    assert err.kind == "idle"
    assert 0.75 <= elapsed < SLOW  # two attempts of 0.4 s
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [None]


def test_idle_stall_before_content_is_retried(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(idle=0.5))
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "stall", "seconds": 10, "after": BEFORE_CONTENT})
    assert run(client, "stream") == expected
    assert len(emulator.requests) == 2
    assert [n.status for n in calls.notices] == [None]


def test_idle_stall_after_content(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(idle=0.5))
    emulator.enqueue({"fault": "stall", "seconds": 10, "after": AFTER_TEXT, "text": WORDS})
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), StreamInterruptedError)
    assert isinstance(err.cause, APITimeoutError) and err.cause.kind == "idle"
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": FIRST_DELTA}]
    assert err.request_id == request_ids(emulator)[0]
    assert 0.45 <= elapsed < SLOW
    assert len(emulator.requests) == 1 and calls.sleeps == []


def test_ping_drip_trips_the_no_content_watchdog(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=0, timeouts=Timeouts(no_content=0.6))
    emulator.enqueue({"fault": "drip", "seconds": 0.1, "count": 0})  # pings forever
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), APITimeoutError)
    assert err.kind == "no-content"
    assert 0.55 <= elapsed < SLOW
    assert len(emulator.requests) == 1


def test_short_ping_drip_is_harmless(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(max_retries=0, timeouts=Timeouts(no_content=0.6))
    expected = clean_run(emulator, client, "stream")
    emulator.enqueue({"fault": "drip", "seconds": 0.05, "count": 4})
    assert run(client, "stream") == expected


def test_total_deadline_on_a_stalled_stream_after_content(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(total=0.8))
    emulator.enqueue({"fault": "stall", "seconds": 10, "after": AFTER_TEXT, "text": WORDS})
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), StreamInterruptedError)
    assert isinstance(err.cause, APITimeoutError) and err.cause.kind == "deadline"
    assert err.partial is not None
    assert err.partial["content"] == [{"type": "text", "text": FIRST_DELTA}]
    assert 0.75 <= elapsed < SLOW
    assert len(emulator.requests) == 1


def test_total_deadline_on_a_ping_drip(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(total=0.8))  # default retries: the deadline forbids them
    emulator.enqueue({"fault": "drip", "seconds": 0.1, "count": 0})
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), APITimeoutError)
    assert err.kind == "deadline"
    assert 0.75 <= elapsed < SLOW
    assert len(emulator.requests) == 1
    assert calls.sleeps == []


def test_total_deadline_while_waiting_for_the_response(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(total=0.8))
    emulator.enqueue({"delay": 3})  # the server sits on the request before answering
    err, elapsed = timed(lambda: drain(client.stream_message(BODY)), APITimeoutError)
    assert err.kind == "deadline"
    assert 0.75 <= elapsed < SLOW
    assert len(emulator.requests) == 1


def test_total_deadline_on_a_non_streamed_request(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(total=0.8))
    emulator.enqueue({"delay": 10})
    err, elapsed = timed(lambda: client.create_message(BODY), APITimeoutError)
    assert err.kind == "deadline"
    assert 0.75 <= elapsed < SLOW
    assert len(emulator.requests) == 1  # no time left for a retry
    assert calls.sleeps == []


def test_total_deadline_leaves_room_for_a_quick_retry(
    emulator: Emulator, make: Callable[..., Client], calls: Calls
) -> None:
    client = make(timeouts=Timeouts(total=5.0))
    expected = clean_run(emulator, client, "create")
    emulator.enqueue({"status": 529, "retry_after_ms": 10})
    assert client.create_message(BODY) == expected
    assert calls.sleeps == [0.01]
    emulator.enqueue({"status": 529, "retry_after": 30})  # the wait would pass the deadline
    err = raises(APIStatusError, lambda: client.create_message(BODY))
    assert err.status_code == 529
    assert calls.sleeps == [0.01]


class RecordingTransport(httpx2.BaseTransport):
    """The real network transport, recording each request's timeout extension."""

    def __init__(self) -> None:
        self.inner = httpx2.HTTPTransport()
        self.timeouts: list[dict[str, float | None]] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.timeouts.append(dict(request.extensions["timeout"]))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(("timeouts", "connect"), [(Timeouts(), 5.0), (Timeouts(connect=1.5), 1.5)])
def test_connect_timeout_is_configured(
    emulator: Emulator, timeouts: Timeouts, connect: float
) -> None:
    transport = RecordingTransport()
    options = ClientOptions(api_key=Secret(KEY), base_url=emulator.url, timeouts=timeouts)
    with Client(options, transport=transport) as client:
        client.create_message(BODY)
        drain(client.stream_message(BODY))
        client.count_tokens({k: v for k, v in BODY.items() if k != "max_tokens"})
    assert [t["connect"] for t in transport.timeouts] == [connect] * 3
    # The stream reads with the shorter of the idle and no-content limits.
    assert transport.timeouts[1]["read"] == min(timeouts.idle, timeouts.no_content or 1e9)
    assert transport.timeouts[0]["read"] == timeouts.idle


def test_on_wait_runs_before_every_network_read(emulator: Emulator) -> None:
    """A consumer can flush what it was given before the stream blocks on the network."""
    from claudecli.client import Client, ClientOptions, Secret

    emulator.enqueue({"text": "x " * 50, "fault": "stall", "after": 6, "seconds": 0.3})
    seen: list[tuple[str, int]] = []
    body = {"model": "claude-sonnet-5-5", "max_tokens": 64,
            "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    with Client(ClientOptions(api_key=Secret("sk-test"), base_url=emulator.url)) as client:
        stream = client.stream_message(body)
        stream.on_wait = lambda: seen.append(("wait", 0))
        for event in stream:
            seen.append((type(event).__name__, 0))
    kinds = [k for k, _ in seen]
    assert kinds[0] == "wait" and kinds.count("wait") >= 2
    first_text = kinds.index("TextDelta")
    assert "wait" in kinds[first_text:], "a wait must follow delivered content before the stall"
