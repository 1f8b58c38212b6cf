"""The client's one exception hierarchy.

```
ClaudeError                      anything the client raises on purpose
├── RequestValidationError       refused client-side before any I/O (e.g. temperature)
├── APIError                     something went wrong talking to the API
│   ├── APIStatusError           the API (or a proxy in front of it) answered with an error
│   │                            (status, error.type, error.details.error_code, request-id);
│   │                            also an SSE `error` event (status = what its type stands for)
│   ├── APIConnectionError       the request never got an answer (refused, reset, DNS, TLS, proxy)
│   │   └── APITimeoutError      connect timeout, idle stream, "no content" watchdog, total deadline
│   └── ProtocolError            the server spoke something we cannot parse (malformed SSE JSON)
└── StreamInterruptedError       a stream broke after it had started; carries the partial Message
    └── TruncatedStreamError     EOF before message_delta (stop_reason never arrived)
```

No exception text, repr or attribute ever holds the API key: errors are built from responses
and from transport exceptions, never from request headers.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ClaudeError",
    "ProtocolError",
    "RequestValidationError",
    "StreamInterruptedError",
    "TruncatedStreamError",
    "connection_label",
]


class ClaudeError(Exception):
    """Base class of everything the client raises on purpose."""


class RequestValidationError(ClaudeError):
    """The request was refused client-side, before any network I/O."""


class APIError(ClaudeError):
    """A failure while talking to the API."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} (request-id {self.request_id})"
        return self.message


class APIStatusError(APIError):
    """The API answered with an error status, or sent an `error` event in a stream."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.error_type = error_type
        self.error_code = error_code
        self.details = details
        self.body = body
        self.headers = headers or {}

    def __repr__(self) -> str:
        return (
            f"APIStatusError(status_code={self.status_code}, error_type={self.error_type!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class APIConnectionError(APIError):
    """The request got no answer: connection refused or reset, DNS, TLS, proxy."""


class APITimeoutError(APIConnectionError):
    """A time limit ran out; `kind` says which one."""

    def __init__(self, message: str, *, kind: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.kind = kind  # "connect" | "idle" | "no-content" | "deadline"


class ProtocolError(APIError):
    """The server sent something that is not the Messages API wire format."""


_TIMEOUT_LABELS = {
    "connect": "connect timed out",
    "idle": "read timed out",
    "no-content": "no content",
    "deadline": "time limit reached",
}


def connection_label(exc: APIConnectionError) -> str:
    """A few words for a retry notice: `connection lost`, `cannot connect`, `read timed out`."""
    if isinstance(exc, APITimeoutError):
        return _TIMEOUT_LABELS.get(exc.kind, "timed out")
    if exc.message.startswith("cannot connect"):  # http.map_transport_error's ConnectError text
        return "cannot connect"
    return "connection lost"


class StreamInterruptedError(ClaudeError):
    """A stream broke after it had started.

    `partial` is the Message accumulated so far (API shape, a dict), `cause` the error that broke
    it, and `content_delivered` tells whether any content event reached the caller (after which the
    client never retries).
    """

    def __init__(
        self,
        message: str,
        *,
        partial: dict[str, Any] | None,
        cause: ClaudeError | None = None,
        content_delivered: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.partial = partial
        self.cause = cause
        self.content_delivered = content_delivered

    @property
    def request_id(self) -> str | None:
        return getattr(self.cause, "request_id", None)


class TruncatedStreamError(StreamInterruptedError):
    """The stream ended (EOF) before `message_delta` said how the message stopped."""
