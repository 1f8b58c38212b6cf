"""The emulator's brain: shared state, the route table, and per-request dispatch.

Order of checks for an API request, as in production: unknown route → 404; body over the size
limit → Cloudflare 413 (HTML); `Origin` without the browser-access header → 401; missing or
wrong key → 401; missing or unknown `anthropic-version` → 400. Then the next scripted item for
the route (if any) may answer instead (delay, error status, literal JSON, raw SSE); else the
route runs, with the item's reply plan attached.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import batches, clouds, control, files, messages, models
from .batches import BatchStore
from .compose import GeneratedFile
from .directives import Plan, plan_from_item
from .errors import ApiError, bad_request, not_found
from .files import FileStore
from .tokens import PromptCache
from .validate import ensure_version
from .wire import (
    End,
    Hangup,
    Obj,
    Request,
    Result,
    Send,
    Stream,
    error_response,
    json_response,
    with_headers,
)

__all__ = ["AUTH_MODES", "MAX_BATCH_DELAY", "App", "Config", "normalise_prefix"]

log = logging.getLogger("claudecli.emulator")

Route = Callable[["App", Request, tuple[str, ...]], Result]
_MB = 1024 * 1024
_DEFAULT_TARGETS = ("/v1/messages", "/v1/messages/count_tokens")
AUTH_MODES = ("any", "bearer", "x-api-key")
MAX_BATCH_DELAY = 86_400.0  # a day: the real API expires a batch after 24 hours
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*\Z")
_BATCH = "/v1/messages/batches"
_ROUTES: tuple[tuple[str, str, Route], ...] = (
    ("POST", "/v1/messages", messages.create),
    ("POST", "/v1/messages/count_tokens", messages.count_tokens),
    ("GET", "/v1/models", models.list_models),
    ("GET", "/v1/models/([^/]+)", models.get_model),
    ("POST", _BATCH, batches.create),
    ("GET", _BATCH, batches.list_batches),
    ("GET", _BATCH + "/([^/]+)", batches.retrieve),
    ("DELETE", _BATCH + "/([^/]+)", batches.delete),
    ("POST", _BATCH + "/([^/]+)/cancel", batches.cancel),
    ("GET", _BATCH + "/([^/]+)/results", batches.results),
    ("POST", "/v1/files", files.upload),
    ("GET", "/v1/files", files.list_files),
    ("GET", "/v1/files/([^/]+)", files.retrieve),
    ("DELETE", "/v1/files/([^/]+)", files.delete),
    ("GET", "/v1/files/([^/]+)/content", files.download),
    ("POST", clouds.BEDROCK_ROUTE, clouds.messages_route),
    ("POST", clouds.VERTEX_ROUTE, clouds.messages_route),
    ("POST", "/token", clouds.token),
)
_COMPILED = tuple(
    (method, re.compile(pattern + r"\Z"), route) for method, pattern, route in _ROUTES
)


@dataclass(frozen=True)
class Config:
    api_key: str | None = None
    auth: str = "any"
    prefix: str = ""
    batch_delay: float = 1.0
    aws_region: str = "us-east-1"  # the SigV4 credential scope Bedrock routes accept
    vertex_region: str | None = None  # the Vertex location accepted (None: any)

    def __post_init__(self) -> None:
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)}, not {self.auth!r}")
        if not 0 <= self.batch_delay <= MAX_BATCH_DELAY:
            raise ValueError(f"batch_delay must be 0-{MAX_BATCH_DELAY:g} s, not {self.batch_delay}")


def normalise_prefix(prefix: str) -> str:
    """`anthropic/` -> `/anthropic`; `ValueError` unless it is a plain URL path."""
    stripped = prefix.strip().strip("/")
    normal = "/" + stripped if stripped else ""
    if not _PREFIX.match(normal):
        raise ValueError(
            f"{prefix!r} is not a URL path such as /anthropic (letters, digits, - . _ ~ and /)"
        )
    return normal


def body_limit(route: str | None) -> int:
    """Request size limits of §8: 32 MB Messages, 256 MB batch create, 500 MB file upload."""
    if route == "/v1/files":
        return 500 * _MB
    return 256 * _MB if route == _BATCH else 32 * _MB


class App:
    """State shared by all connections of one emulator, and request dispatch."""

    def __init__(self, config: Config, stop: threading.Event) -> None:
        self.config = config
        self.stop_event = stop
        self.base_url = ""
        self.cache = PromptCache()
        self.files = FileStore()
        self.batches = BatchStore(config.batch_delay, self._batch_outcome)
        self.requests: list[Obj] = []
        self.issued_tokens: list[str] = []  # bearer tokens handed out by POST /token
        self._queue: list[Plan] = []
        self._lock = threading.Lock()

    # --- scripting ------------------------------------------------------------------------

    def enqueue(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Validate then queue items; raises `ValueError` naming the bad item and key."""
        plans = [_plan(position, item) for position, item in enumerate(items)]
        with self._lock:
            self._queue.extend(plans)
        return len(plans)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
        self.cache.clear()
        self.files.clear()
        self.batches.clear()

    def take_plan(self, route: str) -> Plan | None:
        with self._lock:
            for position, plan in enumerate(self._queue):
                if _targets(plan, route):
                    return self._queue.pop(position)
        return None

    def register_generated(self, generated: Iterable[GeneratedFile]) -> None:
        for item in generated:
            self.files.add(
                item.filename, item.data, "text/plain", downloadable=True, file_id=item.file_id
            )

    def pause(self, seconds: float) -> bool:
        """Sleep unless the emulator stops first; True when interrupted."""
        return self.stop_event.wait(seconds) if seconds > 0 else False

    # --- dispatch -------------------------------------------------------------------------

    def strip_prefix(self, path: str) -> str | None:
        prefix = self.config.prefix
        if not prefix:
            return path
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
        return None

    def dispatch(self, req: Request) -> Result:
        return clouds.finish(req, self._answer(req))

    def _answer(self, req: Request) -> Result:
        try:
            return self._dispatch(req)
        except ApiError as err:
            return error_response(err, req.request_id)
        except Exception as exc:
            log.exception("emulator route failed")
            failure = ApiError(500, f"emulator internal error: {type(exc).__name__}: {exc}")
            return error_response(failure, req.request_id)

    def _dispatch(self, req: Request) -> Result:
        req.body = _parse_json(req.raw)
        if req.route.startswith("/_emulator/"):
            return control.handle(self, req)
        with self._lock:
            self.requests.append(req.record())
        route, ids = _match(req)
        self._admit(req)
        plan = req.scripted = self.take_plan(clouds.plan_route(req.route))
        early = self.respond_plan(plan, req) if plan is not None else None
        result = early if early is not None else route(self, req, ids)
        return with_headers(result, plan.headers) if plan is not None else result

    def _admit(self, req: Request) -> None:
        if req.too_large:
            raise ApiError(413)
        kind = clouds.family(req.route)
        if kind is not None:
            clouds.admit(self, kind, req)
            return
        self._authenticate(req.headers)
        ensure_version(req.headers.get("anthropic-version"))

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        browser = headers.get("anthropic-dangerous-direct-browser-access") == "true"
        if "origin" in headers and not browser:
            raise ApiError(
                401,
                "CORS requests are not allowed for this Organization unless the "
                "anthropic-dangerous-direct-browser-access header is set",
            )
        keys = _presented_keys(headers, self.config.auth)
        if not keys:
            raise ApiError(401, _missing_key_message(self.config.auth))
        if self.config.api_key is not None and self.config.api_key not in keys:
            raise ApiError(401, "invalid x-api-key")

    def respond_plan(self, plan: Plan, req: Request) -> Result | None:
        """Apply a plan's HTTP-level keys; a `Result` when it replaces the route's answer."""
        self.pause(plan.delay)
        if plan.fault in ("reset", "drop") and not _is_stream(req):
            return Hangup("reset" if plan.fault == "reset" else "drop")
        if plan.sse_bytes is not None or plan.sse_file is not None:
            return _raw_sse(plan)
        if plan.json is not None:
            return json_response(plan.json, plan.status or 200, plan.headers)
        if plan.status is not None:
            return error_response(messages.plan_error(plan, default_status=500), req.request_id)
        return None

    def require_json(self, req: Request) -> Any:
        if req.body is None:
            raise bad_request("The request body is not valid JSON")
        return req.body

    def _batch_outcome(self, params: Obj, version: str) -> Obj:
        return messages.batch_outcome(self, params, version)


def _plan(position: int, item: Mapping[str, Any]) -> Plan:
    if not isinstance(item, Mapping):
        raise ValueError(f"item {position}: expected a dict, got {type(item).__name__}")
    try:
        return plan_from_item(item)
    except ValueError as exc:
        raise ValueError(f"item {position}: {exc}") from exc


def _is_stream(req: Request) -> bool:
    return isinstance(req.body, dict) and req.body.get("stream") is True


def _targets(plan: Plan, route: str) -> bool:
    return fnmatch.fnmatchcase(route, plan.path) if plan.path else route in _DEFAULT_TARGETS


def _match(req: Request) -> tuple[Route, tuple[str, ...]]:
    for method, pattern, route in _COMPILED:
        found = pattern.match(req.route)
        if found and method == req.method:
            return route, found.groups()
    raise not_found(f"Not Found: {req.method} {req.path}")


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _presented_keys(headers: Mapping[str, str], mode: str) -> list[str]:
    keys: list[str] = []
    if mode in ("any", "x-api-key") and headers.get("x-api-key", "").strip():
        keys.append(headers["x-api-key"].strip())
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if mode in ("any", "bearer") and scheme.lower() == "bearer" and token.strip():
        keys.append(token.strip())
    return keys


def _missing_key_message(mode: str) -> str:
    if mode == "bearer":
        return "authorization header with a Bearer API key is required"
    if mode == "x-api-key":
        return "x-api-key header is required"
    return "x-api-key header or authorization: Bearer header is required"


def _raw_sse(plan: Plan) -> Stream:
    data = plan.sse_bytes if plan.sse_bytes is not None else Path(str(plan.sse_file)).read_bytes()
    chunks = [chunk for chunk in re.split(rb"(?<=\n\n)", data) if chunk]
    if plan.chunk_bytes > 0:
        chunks = _grouped(chunks, plan.chunk_bytes)
    return Stream((*(Send(chunk) for chunk in chunks), End()), dict(plan.headers))


def _grouped(events: list[bytes], size: int) -> list[bytes]:
    """Whole events joined into chunks of at least `size` bytes (the last may be smaller)."""
    chunks: list[bytes] = []
    group: list[bytes] = []
    filled = 0
    for event in events:
        group.append(event)
        filled += len(event)
        if filled >= size:
            chunks.append(b"".join(group))
            group, filled = [], 0
    if group:
        chunks.append(b"".join(group))
    return chunks
