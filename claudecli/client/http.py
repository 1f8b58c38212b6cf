"""HTTP transport: headers, auth, the one retry loop, and mapping httpx2 failures to our errors."""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx2

from claudecli import __version__

from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ProtocolError,
    connection_label,
)
from .options import ClientOptions, RetryNotice
from .providers import make_provider, provider_error, request_id_of
from .retry import retry_delay, should_retry

__all__ = ["Transport", "is_retryable", "map_transport_error", "retry_reason", "status_error"]

log = logging.getLogger("claudecli.client")
REDACTED_HEADERS = frozenset(
    {"authorization", "x-api-key", "proxy-authorization", "cookie", "x-amz-security-token"}
)
USER_AGENT = f"claudecli/{__version__} (python {platform.python_version()}; httpx2)"

Sleep = Callable[[float], None]
OnRetry = Callable[[RetryNotice], None]


def status_error(response: httpx2.Response) -> APIStatusError:
    """Build the error for a non-2xx response whose body has been read (JSON or not)."""
    request_id = request_id_of(response.headers)
    body: Any = None
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    cloud = provider_error(response.status_code, response.headers, body)
    if cloud is not None:
        return cloud
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return APIStatusError(
            _non_json_message(response),
            status_code=response.status_code,
            request_id=request_id,
            body=response.text[:2000] if body is None else body,
            headers=dict(response.headers),
        )
    details = error.get("details") if isinstance(error.get("details"), dict) else None
    return APIStatusError(
        str(error.get("message") or f"HTTP {response.status_code}"),
        status_code=response.status_code,
        error_type=error.get("type"),
        error_code=(details or {}).get("error_code"),
        details=details,
        request_id=request_id or (body.get("request_id") if isinstance(body, dict) else None),
        body=body,
        headers=dict(response.headers),
    )


def _non_json_message(response: httpx2.Response) -> str:
    kind = response.headers.get("content-type", "no content-type").split(";")[0]
    reason = response.reason_phrase or "error"
    return f"HTTP {response.status_code} {reason} ({kind} body, {len(response.content)} bytes)"


def map_transport_error(exc: httpx2.TransportError, timeouts_idle: float) -> APIConnectionError:
    """Turn an httpx2 transport failure into our hierarchy, naming the host, never the key."""
    url = _url_of(exc)
    if isinstance(exc, httpx2.ConnectTimeout):
        return APITimeoutError(f"connecting to {url} timed out", kind="connect")
    if isinstance(exc, httpx2.ReadTimeout):
        return APITimeoutError(f"no data from {url} for {timeouts_idle:g} s", kind="idle")
    if isinstance(exc, httpx2.TimeoutException):
        return APITimeoutError(f"request to {url} timed out ({type(exc).__name__})", kind="idle")
    if isinstance(exc, httpx2.ProxyError):
        return APIConnectionError(f"proxy failed for {url}: {exc}")
    if isinstance(exc, httpx2.ConnectError):
        return APIConnectionError(f"cannot connect to {url}: {_reason(exc)}")
    return APIConnectionError(f"connection to {url} lost: {_reason(exc)}")


def _url_of(exc: httpx2.TransportError) -> str:
    try:
        request = exc.request
    except RuntimeError:
        return "the API"
    return f"{request.url.scheme}://{request.url.netloc.decode()}"


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.removeprefix("[Errno 111] ")


_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def needs_tls(base_url: str) -> bool:
    """False only for plain http to loopback (the emulator): loading the CA bundle costs ~50 ms
    at every start, and such a connection never does TLS."""
    url = httpx2.URL(base_url)
    return not (url.scheme == "http" and url.host in _LOOPBACK_HOSTS)


class Transport:
    """Owns the httpx2 client; sends requests with auth and retries; never prints."""

    def __init__(
        self,
        options: ClientOptions,
        *,
        transport: httpx2.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        on_retry: OnRetry | None = None,
    ) -> None:
        self.options = options
        self.sleep = sleep
        self.on_retry = on_retry
        self.provider = make_provider(options)
        t = options.timeouts
        self._http = httpx2.Client(
            base_url=options.base_url,
            timeout=httpx2.Timeout(t.idle, connect=t.connect),
            transport=transport,
            headers=self._default_headers(),
            verify=needs_tls(options.base_url),
        )

    def close(self) -> None:
        self._http.close()

    def _default_headers(self) -> dict[str, str]:
        opts = self.options
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        if opts.betas:
            headers["anthropic-beta"] = ",".join(opts.betas)
        headers.update(self.provider.default_headers())
        headers.update(opts.headers)
        return headers

    def notify_retry(self, reason: str, delay: float, attempt: int, status: int | None) -> None:
        log.info("retrying in %.2f s (%d/%d): %s", delay, attempt, self.options.max_retries, reason)
        if self.on_retry is not None:
            self.on_retry(RetryNotice(reason, delay, attempt, self.options.max_retries, status))
        self.sleep(delay)

    @contextmanager
    def open(
        self, method: str, path: str, *, deadline: float | None = None, **kwargs: Any
    ) -> Iterator[httpx2.Response]:
        """Send with retries; yield the open 2xx response (body unread); always close it."""
        response = self.send_with_retries(method, path, deadline=deadline, **kwargs)
        try:
            yield response
        finally:
            response.close()

    def send_with_retries(
        self, method: str, path: str, *, deadline: float | None = None, **kwargs: Any
    ) -> httpx2.Response:
        retries = self.options.max_retries
        for attempt in range(retries + 1):
            try:
                response = self.send_once(method, path, deadline=deadline, **kwargs)
            except APIError as exc:
                if attempt >= retries or not is_retryable(exc):
                    raise
                delay = self.plan_retry(attempt, exc, deadline, time.monotonic())
                self.notify_retry(retry_reason(exc), delay, attempt + 1, _status(exc))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def plan_retry(
        self, retries_taken: int, exc: APIError, deadline: float | None, now: float
    ) -> float:
        """The sleep before the next attempt, or raise `exc` when it must not be retried."""
        headers = exc.headers if isinstance(exc, APIStatusError) else {}
        delay = retry_delay(retries_taken, headers, cap=self.options.retry_cap)
        if delay is None:
            exc.message += (
                f"; the API asks to wait longer than retry_max_wait "
                f"({self.options.retry_cap:g} s), so no retry"
            )
            raise exc
        if deadline is not None and now + delay > deadline:
            raise exc
        return delay

    def send_once(
        self, method: str, path: str, *, deadline: float | None = None, **kwargs: Any
    ) -> httpx2.Response:
        """One attempt: return an open 2xx response, or raise (response closed).

        With a `deadline` (and no explicit `timeout`) reads wait no longer than the time left.
        """
        t = self.options.timeouts
        if deadline is not None and "timeout" not in kwargs:
            left = max(0.001, deadline - time.monotonic())
            kwargs["timeout"] = httpx2.Timeout(min(t.idle, left), connect=t.connect)
        path, kwargs = self.provider.route(method, path, kwargs)
        request = self._http.build_request(method, path, **kwargs)
        self.provider.authorize(request)
        _log_request(request)
        try:
            response = self._http.send(request, stream=True)
        except httpx2.TransportError as exc:
            error = map_transport_error(exc, t.idle)
            if _deadline_passed(exc, deadline):
                error = APITimeoutError("total time limit reached", kind="deadline")
            raise error from None
        _log_response(response)
        if response.is_success:
            return response
        try:
            response.read()
        except httpx2.TransportError as exc:
            raise map_transport_error(exc, self.options.timeouts.idle) from None
        finally:
            response.close()
        raise status_error(response)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send with retries and return the decoded JSON body."""
        with self.open(method, path, **kwargs) as response:
            try:
                response.read()
            except httpx2.TransportError as exc:
                raise map_transport_error(exc, self.options.timeouts.idle) from None
            return self.provider.reply(path, _json_body(response))


def _deadline_passed(exc: httpx2.TransportError, deadline: float | None) -> bool:
    """A read timed out because the call's total deadline (not the idle limit) ran out."""
    return (
        deadline is not None
        and isinstance(exc, httpx2.ReadTimeout)
        and time.monotonic() >= deadline - 0.01
    )


def _json_body(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProtocolError(
            f"expected JSON from {response.request.url.path}, got "
            f"{response.headers.get('content-type', 'no content-type')}",
            request_id=response.headers.get("request-id"),
        ) from None


def is_retryable(exc: APIError) -> bool:
    if isinstance(exc, APIStatusError):
        return should_retry(exc.status_code, exc.headers, exc.error_code)
    return isinstance(exc, APIConnectionError)


def _status(exc: APIError) -> int | None:
    return exc.status_code if isinstance(exc, APIStatusError) else None


def retry_reason(exc: APIError) -> str:
    if isinstance(exc, APIStatusError):
        labels = {429: "rate limited", 529: "overloaded"}
        return labels.get(exc.status_code, exc.error_type or f"HTTP {exc.status_code}")
    if isinstance(exc, APIConnectionError):
        return connection_label(exc)
    return str(exc)


def _redact(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() in REDACTED_HEADERS else v) for k, v in headers.items()}


def _log_request(request: httpx2.Request) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    try:
        body = request.content[:2000]
    except httpx2.RequestNotRead:
        body = b"<streamed body>"
    log.debug(
        "request %s %s headers=%s body=%s",
        request.method,
        request.url,
        json.dumps(_redact(request.headers)),
        body.decode("utf-8", "replace"),
    )


def _log_response(response: httpx2.Response) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "response %s %s headers=%s",
            response.status_code,
            response.request.url,
            json.dumps(_redact(response.headers)),
        )
