"""Transport-neutral request and response values passed between the HTTP handler and the routes.

A route returns either a `Response` (status, headers, whole body) or a `Stream`: a script of
`Send` (one chunk of the chunked body, i.e. one SSE event), `Pause`, `Drip` and `End` steps that
the handler plays on the socket. `End` says how the connection finishes: `clean` (final
zero-length chunk), `drop` (FIN without it) or `reset` (TCP RST via SO_LINGER 0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import parse_qs

from .directives import Plan
from .errors import ApiError, error_body

__all__ = [
    "Drip",
    "End",
    "Hangup",
    "Obj",
    "Pause",
    "Request",
    "Response",
    "Result",
    "Send",
    "Step",
    "Stream",
    "dumps",
    "error_response",
    "json_response",
    "with_headers",
]

Obj = dict[str, Any]

_CLOUDFLARE_413 = b"""<html>
<head><title>413 Request Entity Too Large</title></head>
<body>
<center><h1>413 Request Entity Too Large</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
"""


def dumps(obj: object) -> bytes:
    """Compact UTF-8 JSON, the way the API writes bodies and SSE data lines."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Request:
    """One received HTTP request. `route` is the path with the mount prefix removed."""

    method: str
    path: str
    route: str
    query: str
    headers: dict[str, str]
    raw: bytes
    request_id: str
    too_large: bool = False
    body: Any = None
    scripted: Plan | None = None

    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        values = self.params().get(name)
        return values[-1] if values else None

    def record(self) -> Obj:
        """The dict stored in `Emulator.requests`."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "body": self.body,
            "raw": self.raw,
            "request_id": self.request_id,
        }


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False


@dataclass(frozen=True)
class Send:
    data: bytes


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Drip:
    """A `ping` event every `interval` seconds, `count` times (0 = until the client leaves)."""

    interval: float
    count: int


@dataclass(frozen=True)
class End:
    how: Literal["clean", "drop", "reset"] = "clean"


Step = Send | Pause | Drip | End


@dataclass(frozen=True)
class Stream:
    steps: tuple[Step, ...]
    headers: dict[str, str] = field(default_factory=dict)
    framing: Literal["sse", "eventstream"] = "sse"  # eventstream: Bedrock (drip pings too)


@dataclass(frozen=True)
class Hangup:
    """Answer nothing: close the connection (`drop`: FIN, `reset`: RST) before any response."""

    how: Literal["drop", "reset"]


Result = Response | Stream | Hangup


def with_headers(result: Result, headers: dict[str, str]) -> Result:
    """`result` with extra response headers (a `Hangup` has none)."""
    if not headers or isinstance(result, Hangup):
        return result
    return replace(result, headers={**result.headers, **headers})


def json_response(
    obj: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(status, dumps(obj), "application/json", dict(headers or {}))


def error_response(err: ApiError, request_id: str) -> Response:
    """The API's JSON error body; a 413 gets Cloudflare's HTML page instead, as in production."""
    if err.status == 413 and err.error_type == "request_too_large":
        return Response(413, _CLOUDFLARE_413, "text/html", dict(err.headers), close=True)
    return json_response(error_body(err, request_id), err.status, err.headers)
