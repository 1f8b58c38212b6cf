"""A streamed `POST /v1/messages`: bytes -> SSE -> typed events -> accumulated Message.

Retries follow the client policy *until content is delivered*: `message_start` and pings are held
back until the first content event, so a retried attempt is invisible to the consumer (apart from
the `on_retry` notice). Once content has been delivered the stream is never retried; a failure then
raises `StreamInterruptedError` carrying the partial message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx2

from .accumulate import MessageAccumulator
from .aliases import JSON
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClaudeError,
    ProtocolError,
    StreamInterruptedError,
    TruncatedStreamError,
)
from .events import (
    ContentBlockDelta,
    ContentBlockStop,
    ErrorEvent,
    MessageDelta,
    MessageStop,
    Ping,
    StreamEvent,
    parse_event,
)
from .eventstream import EventStreamDecoder, EventStreamError, bedrock_event
from .http import Transport, is_retryable, map_transport_error, retry_reason
from .providers import request_id_of
from .sse import ServerSentEvent, SSEDecoder
from .synth import events_from_message

__all__ = ["MessageStream", "error_event_status"]

Clock = Callable[[], float]
# What counts as delivered content: an empty content_block_start shows nothing yet, so a
# failure right after it is still retried (held back with message_start and pings).
_CONTENT_EVENTS = (
    ContentBlockDelta,
    ContentBlockStop,
    MessageDelta,
    MessageStop,
)
_ERROR_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def error_event_status(error_type: str | None) -> int:
    """The HTTP status an in-stream error type stands for (unknown types count as 500)."""
    return _ERROR_TYPE_STATUS.get(error_type or "", 500)


class _Retry(Exception):
    """Internal: this attempt failed before any content was delivered."""

    def __init__(self, error: APIError) -> None:
        self.error = error


class MessageStream:
    """Iterate to receive events; then `message()` is the final (or partial) Message."""

    def __init__(self, transport: Transport, body: JSON, *, clock: Clock = time.monotonic) -> None:
        self._transport = transport
        self._body = body
        self._clock = clock
        self._acc = MessageAccumulator()
        self._pending: list[StreamEvent] = []
        self._delivered = False
        self.request_id: str | None = None
        self.retries = 0
        self.completed = False
        # Called before each network read: a consumer that buffers output flushes it here, so
        # nothing it was given waits on bytes that have not arrived yet.
        self.on_wait: Callable[[], None] | None = None
        # A consumer that shows nothing before the end (`ask --json`) sets this: a failure after
        # content is then retried like one before it, and the last attempt's partial is kept.
        self.retry_after_content = False

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events()

    def message(self) -> JSON:
        return self._acc.message()

    @property
    def content_delivered(self) -> bool:
        return self._delivered

    def _events(self) -> Iterator[StreamEvent]:
        opts = self._transport.options
        total = opts.timeouts.total
        deadline = self._clock() + total if total else None
        while True:
            try:
                yield from self._attempt(deadline)
                self.completed = True
                return
            except _Retry as retry:
                self._before_retry(retry.error, deadline)

    def _before_retry(self, error: APIError, deadline: float | None) -> None:
        if self.retries >= self._transport.options.max_retries:
            raise self._final_error(error)
        try:
            delay = self._transport.plan_retry(self.retries, error, deadline, self._clock())
        except APIError:
            raise self._final_error(error) from None
        self.retries += 1
        status = error.status_code if isinstance(error, APIStatusError) else None
        self._transport.notify_retry(_retry_reason(error), delay, self.retries, status)
        self._acc = MessageAccumulator()
        self._pending = []
        self._delivered = False

    def _final_error(self, error: APIError) -> ClaudeError:
        if self._delivered:  # retried after content (nothing shown): keep the last partial
            return StreamInterruptedError(str(error), partial=self.message(), cause=error)
        if isinstance(error, _EarlyEOF):
            return TruncatedStreamError(
                "stream ended before any content",
                partial=self.message(),
                cause=error,
                content_delivered=False,
            )
        return error

    def _attempt(self, deadline: float | None) -> Iterator[StreamEvent]:
        body = {**self._body, "stream": True}
        self._last_content = self._clock()
        try:
            response = self._transport.send_once(
                "POST", "/v1/messages", json=body, timeout=self._read_timeout(deadline)
            )
        except APIError as exc:
            if isinstance(exc, APITimeoutError) and exc.kind == "idle":
                # The read limit was the deadline or the no-content limit: say which one ran out.
                exc = self._which_timeout(deadline) or exc
            raise _retry_or_raise(exc) from None
        try:
            self.request_id = request_id_of(response.headers)
            yield from self._read(response, deadline)
        finally:
            response.close()

    def _read_timeout(self, deadline: float | None) -> httpx2.Timeout:
        t = self._transport.options.timeouts
        read = min(t.idle, t.no_content or t.idle)
        if deadline is not None:
            read = max(0.001, min(read, deadline - self._clock()))
        return httpx2.Timeout(read, connect=t.connect)

    def _read(self, response: httpx2.Response, deadline: float | None) -> Iterator[StreamEvent]:
        if response.headers.get("content-type", "").startswith("application/json"):
            yield from self._from_json_body(response)
            return
        decoder = self._decoder()
        for chunk in self._chunks(response, deadline):
            for sse in decoder.feed(chunk):
                event = self._accept(sse, response, deadline)
                if event is not None:
                    if self._pending:
                        yield from self._release_pending()
                    yield event
        for sse in decoder.flush():
            event = self._accept(sse, response, deadline)
            if event is not None:
                yield from self._release_pending()
                yield event
        self._check_complete()

    def _decoder(self) -> SSEDecoder | _FramedDecoder:
        if self._transport.provider.framing == "eventstream":
            return _FramedDecoder(self._broken_frame)
        return SSEDecoder()

    def _broken_frame(self, message: str) -> Exception:
        return self._interrupted(_MalformedEvent(message, request_id=self.request_id))

    def _release_pending(self) -> list[StreamEvent]:
        pending, self._pending = self._pending, []
        return pending

    def _chunks(self, response: httpx2.Response, deadline: float | None) -> Iterator[bytes]:
        raw = response.iter_raw()
        try:
            while True:
                if self.on_wait is not None:
                    self.on_wait()
                chunk = next(raw, None)
                if chunk is None:
                    return
                yield chunk
        except httpx2.TransportError as exc:
            error = map_transport_error(exc, self._transport.options.timeouts.idle)
            if isinstance(exc, httpx2.ReadTimeout):
                error = self._which_timeout(deadline) or error
            error.request_id = self.request_id
            raise self._interrupted(error) from None

    def _which_timeout(self, deadline: float | None) -> APITimeoutError | None:
        now = self._clock()
        if deadline is not None and now >= deadline - 0.01:
            return APITimeoutError("total time limit reached", kind="deadline")
        limit = self._transport.options.timeouts.no_content
        if limit is not None and now - self._last_content >= limit - 0.01:
            return APITimeoutError(f"no content for {limit:g} s", kind="no-content")
        return None

    def _accept(
        self, sse: ServerSentEvent, response: httpx2.Response, deadline: float | None
    ) -> StreamEvent | None:
        """Parse, check and fold one event; return it if it goes to the consumer now.

        Before the first content event, events are held back in `_pending` (see module doc).
        """
        if not sse.data:
            return None
        try:
            data = json.loads(sse.data)
        except ValueError:
            snippet = sse.data[:60]
            err = _MalformedEvent(
                f"malformed JSON in {sse.event or 'an'} event: {snippet!r}",
                request_id=self.request_id,
            )
            raise self._interrupted(err) from None
        event = parse_event(sse.event, data if isinstance(data, dict) else {})
        if isinstance(event, ErrorEvent):
            raise self._interrupted(self._error_event(event, response))
        self._watchdogs(event, deadline)
        self._acc.feed(event)
        if self._delivered or isinstance(event, _CONTENT_EVENTS):
            self._delivered = True
            return event
        self._pending.append(event)
        return None

    def _watchdogs(self, event: StreamEvent, deadline: float | None) -> None:
        now = self._clock()
        if deadline is not None and now > deadline:
            raise self._interrupted(APITimeoutError("total time limit reached", kind="deadline"))
        if not isinstance(event, Ping):
            self._last_content = now
            return
        limit = self._transport.options.timeouts.no_content
        if limit is not None and now - self._last_content > limit:
            error = APITimeoutError(f"no content for {limit:g} s (only pings)", kind="no-content")
            raise self._interrupted(error)

    def _error_event(self, event: ErrorEvent, response: httpx2.Response) -> APIStatusError:
        error_type = event.error.get("type")
        details = event.error.get("details")
        return APIStatusError(
            str(event.error.get("message") or error_type or "error event"),
            status_code=error_event_status(error_type),
            error_type=error_type,
            error_code=details.get("error_code") if isinstance(details, dict) else None,
            details=details if isinstance(details, dict) else None,
            request_id=event.request_id or response.headers.get("request-id"),
            body=event.data,
        )

    def _interrupted(self, error: APIError, *, retry: bool = True) -> Exception:
        """Before content: retry (if allowed) or raise as is. After: carry the partial."""
        if error.request_id is None:
            error.request_id = self.request_id
        if not self._delivered:
            return _retry_or_raise(error) if retry else error
        if self.retry_after_content and retry and is_retryable(error):
            return _Retry(error)
        return StreamInterruptedError(str(error), partial=self.message(), cause=error)

    def _check_complete(self) -> None:
        if self._acc.saw_message_delta:
            return
        if self._delivered and self.retry_after_content:
            cut = "stream ended before the message was complete"
            raise _Retry(APIConnectionError(cut, request_id=self.request_id))
        if self._delivered:
            raise TruncatedStreamError(
                "stream ended before the message was complete",
                partial=self.message(),
                cause=APIConnectionError("unexpected end of stream", request_id=self.request_id),
            )
        raise _Retry(_EarlyEOF("stream ended before any content", request_id=self.request_id))

    def _from_json_body(self, response: httpx2.Response) -> Iterator[StreamEvent]:
        """A proxy ignored `stream: true` and sent the whole Message: replay it as events."""
        try:
            message = json.loads(response.read())
        except (ValueError, httpx2.TransportError) as exc:
            raise ProtocolError(
                f"unreadable JSON body: {exc}", request_id=self.request_id
            ) from None
        for event in events_from_message(message):
            self._acc.feed(event)
            self._delivered = True
            yield event


class _FramedDecoder:
    """AWS event-stream frames in, the SSE events they carry out (the SSE decoder's interface);
    broken framing counts as a malformed event (retried before content, exit 7 after)."""

    def __init__(self, on_error: Callable[[str], Exception]) -> None:
        self._frames = EventStreamDecoder()
        self._on_error = on_error

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        try:
            messages = self._frames.feed(chunk)
            return [event for event in map(bedrock_event, messages) if event is not None]
        except EventStreamError as exc:
            raise self._on_error(exc.message) from None

    def flush(self) -> list[ServerSentEvent]:
        try:
            self._frames.flush()
        except EventStreamError as exc:
            raise self._on_error(exc.message) from None
        return []


class _EarlyEOF(APIConnectionError):
    """EOF before any content: retried like a dropped connection."""


class _MalformedEvent(ProtocolError):
    """An event whose data is not JSON: before any content it is retried like a dropped
    connection (a proxy or a cut chunk garbled it); after content it breaks the stream (exit 7)."""


def _retry_or_raise(error: APIError) -> Exception:
    retryable = is_retryable(error) or isinstance(error, _MalformedEvent)
    return _Retry(error) if retryable else error


def _retry_reason(error: APIError) -> str:
    """The retry notice's few words: the non-streamed calls' wording, plus the stream's own."""
    if isinstance(error, _EarlyEOF):
        return "stream ended early"
    if isinstance(error, _MalformedEvent):
        return "malformed event"
    return retry_reason(error)
