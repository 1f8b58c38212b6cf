"""API errors in the real wire shape, and the HTTP status → `error.type` table (API doc §7)."""

from __future__ import annotations

import secrets
from typing import Any

__all__ = [
    "ERROR_TYPES",
    "ApiError",
    "bad_request",
    "error_body",
    "error_type_for",
    "new_request_id",
    "not_found",
]

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    409: "conflict_error",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_DEFAULT_MESSAGES: dict[int, str] = {
    400: "Invalid request",
    401: "invalid x-api-key",
    402: "Your credit balance is too low to access the Anthropic API.",
    403: "Your API key does not have permission to use the specified resource.",
    404: "Not found",
    408: "Request timed out",
    409: "Conflict",
    413: "Request exceeds the maximum allowed number of bytes.",
    429: "Number of request tokens has exceeded your per-minute rate limit (emulated)",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Request timed out",
    529: "Overloaded",
}


def error_type_for(status: int) -> str:
    """The `error.type` the API uses for an HTTP status (unknown 4xx/5xx fall back sensibly)."""
    if status in ERROR_TYPES:
        return ERROR_TYPES[status]
    return "invalid_request_error" if status < 500 else "api_error"


class ApiError(Exception):
    """An error response: HTTP status, `error.type`, message, optional details and headers."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        error_type: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or _DEFAULT_MESSAGES.get(status, "Error")
        self.error_type = error_type or error_type_for(status)
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.error_type}: {self.message}")


def bad_request(message: str, *, error_code: str | None = None) -> ApiError:
    """A 400 `invalid_request_error`, optionally with a stable `details.error_code`."""
    details = {"error_code": error_code} if error_code else None
    return ApiError(400, message, details=details)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def error_body(err: ApiError, request_id: str) -> dict[str, Any]:
    """`{"type":"error","error":{type,message,details},"request_id":…}`, as the API sends it."""
    inner = {"type": err.error_type, "message": err.message, "details": err.details}
    return {"type": "error", "error": inner, "request_id": request_id}


def new_request_id() -> str:
    return "req_emu_" + secrets.token_hex(12)
