"""Amazon Bedrock and Google Vertex AI routes: the same replies, the clouds' wire shapes.

Bedrock (`/model/{id}/invoke`, `/invoke-with-response-stream`, `/count-tokens`):
* auth: `Authorization: AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/{region}/bedrock/aws4_request,
  SignedHeaders=…;host;…;x-amz-date;…, Signature=<64 hex>` with an `x-amz-date` header and the
  emulator's `aws_region` (default us-east-1), or `Authorization: Bearer <Bedrock API key>`.
  The signature itself is not recomputed (the emulator has no secret key); anything else is a
  403 `AccessDeniedException`/`UnrecognizedClientException`/`InvalidSignatureException`.
* body: the Messages body without `model` and `stream` (either is a 400 ValidationException),
  `anthropic_version` `bedrock-2023-05-31` (served as API 2023-06-01) or `2026-10-21`, optional
  `anthropic_beta` (list of strings). The model id in the path: `anthropic.<id>[-vN[:M]]`, with an
  optional inference-profile prefix (`us.`, `eu.`, `apac.`, `global.`, …).
* stream: `application/vnd.amazon.eventstream` frames, one `chunk` per SSE event
  (`{"bytes": base64(event JSON)}`); an SSE `error` event becomes an `exception` frame
  (`rate_limit_error` -> `throttlingException`, `overloaded_error` -> `serviceUnavailableException`,
  …). Every fault and directive works as on `/v1/messages`.
* errors: `{"message": …}` with `x-amzn-ErrorType` (429 ThrottlingException, 403
  AccessDeniedException, 400 ValidationException, 503/529 ServiceUnavailableException, …);
  the request id is in `x-amzn-RequestId` (no `request-id` header).
* count-tokens: `{"input": {"invokeModel": {"body": base64(InvokeModel body)}}}` ->
  `{"inputTokens": N}`.

Vertex (`[/v1]/projects/{p}/locations/{r}/publishers/anthropic/models/{id}:rawPredict` or
`:streamRawPredict`, and `models/count-tokens:rawPredict` with `model` in the body):
* auth: `Authorization: Bearer <token>` (any; the tokens `/token` issued are listed in
  `issued_tokens`); the location must be the emulator's `vertex_region` when one is set.
* body: without `model` (except count-tokens), `anthropic_version` `vertex-2023-10-16` or
  `2026-10-21`; the stream is ordinary SSE. Model ids `claude-…@YYYYMMDD` or undated.
* errors: `google.rpc.Status` JSON (`{"error": {"code", "message", "status"}}`).

`POST /token`: an OAuth 2.0 token endpoint (no auth) for google-auth's service-account refresh:
point a service-account JSON's `token_uri` at it to exercise the real refresh path offline.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import struct
import zlib
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

from .errors import ApiError
from .wire import Obj, Request, Response, Result, Send, Stream, dumps, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "BEDROCK_VERSIONS",
    "VERTEX_VERSIONS",
    "admit",
    "family",
    "frame_sse",
    "plan_route",
    "restyle",
]

BEDROCK_VERSIONS: Final = {"bedrock-2023-05-31": "2023-06-01", "2026-10-21": "2026-10-21"}
VERTEX_VERSIONS: Final = {"vertex-2023-10-16": "2023-06-01", "2026-10-21": "2026-10-21"}
EVENTSTREAM: Final = "application/vnd.amazon.eventstream"
VERTEX_ROUTE: Final = (
    r"(?:/v1)?/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+)"
    r":(rawPredict|streamRawPredict)"
)
BEDROCK_ROUTE: Final = r"/model/([^/]+)/(invoke|invoke-with-response-stream|count-tokens)"
_VERTEX = re.compile(VERTEX_ROUTE + r"\Z")
_BEDROCK = re.compile(BEDROCK_ROUTE + r"\Z")
_SCOPE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/\s]+)/(\d{8})/([^/\s]+)/([^/\s]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})\Z"
)
_PROFILE = re.compile(r"^(?:us-gov|us|eu|apac|global|jp|au|ca)\.")
_VERSION_SUFFIX = re.compile(r"-v\d+(?::\d+)?$")
_AWS_NAMES: Final = {
    400: "ValidationException",
    401: "UnrecognizedClientException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    413: "ValidationException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
    529: "ServiceUnavailableException",
}
_GOOGLE_STATUS: Final = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
    529: "UNAVAILABLE",
}
_STREAM_EXCEPTIONS: Final = {
    "rate_limit_error": "throttlingException",
    "overloaded_error": "serviceUnavailableException",
    "invalid_request_error": "validationException",
    "timeout_error": "modelTimeoutException",
    "permission_error": "accessDeniedException",
}


def family(route: str) -> str | None:
    """ "bedrock", "vertex", "token" (the OAuth endpoint) or None (the first-party API)."""
    if route.startswith("/model/"):
        return "bedrock"
    if route == "/token":
        return "token"
    return "vertex" if _VERTEX.match(route) else None


def plan_route(route: str) -> str:
    """The first-party route a cloud route stands for (queued items target it)."""
    found = _BEDROCK.match(route)
    if found:
        return "/v1/messages" + ("/count_tokens" if found.group(2) == "count-tokens" else "")
    found = _VERTEX.match(route)
    if found:
        return "/v1/messages" + ("/count_tokens" if found.group(3) == "count-tokens" else "")
    return route


# --- admission: auth and the body rewritten to the first-party shape -------------------------


def admit(app: App, kind: str, req: Request) -> None:
    if kind == "bedrock":
        _bedrock_auth(app.config.aws_region, req.headers)
        _bedrock_body(req)
    elif kind == "vertex":
        _vertex_auth(req.headers)
        _vertex_body(app.config.vertex_region, req)


def _bedrock_auth(region: str, headers: dict[str, str]) -> None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return  # a Bedrock API key
    if not value:
        raise ApiError(403, "Missing Authentication Token", error_type="MissingAuthenticationToken")
    found = _SCOPE.match(value)
    if found is None:
        raise ApiError(
            403,
            "Authorization header is not a valid SigV4 signature",
            error_type="IncompleteSignatureException",
        )
    _check_scope(found, region, headers)


def _check_scope(found: re.Match[str], region: str, headers: dict[str, str]) -> None:
    _key, day, scope_region, service, signed, _sig = found.groups()
    if service != "bedrock":
        raise ApiError(
            403,
            f"Credential should be scoped to correct service: 'bedrock', not {service!r}",
            error_type="InvalidSignatureException",
        )
    if scope_region != region:
        raise ApiError(
            403,
            f"Credential should be scoped to a valid region, not {scope_region!r} "
            f"(the emulator serves {region!r})",
            error_type="InvalidSignatureException",
        )
    names = signed.split(";")
    amz_date = headers.get("x-amz-date", "")
    if "host" not in names or "x-amz-date" not in names or not amz_date.startswith(day):
        raise ApiError(
            403,
            "Signature must cover host and x-amz-date, dated as the scope",
            error_type="InvalidSignatureException",
        )


def _bedrock_body(req: Request) -> None:
    found = _BEDROCK.match(req.route)
    assert found is not None
    body = dict(_object(req.body))  # the recorded request keeps the wire body
    if found.group(2) == "count-tokens":
        body = _count_input(body)
    for key in ("model", "stream"):
        if key in body:
            raise _validation(f"extraneous key [{key}] is not permitted")
    version = _version(body, BEDROCK_VERSIONS)
    body.pop("anthropic_beta", None)
    body["model"] = bedrock_base_id(unquote(found.group(1)))
    if found.group(2) == "count-tokens":
        body.pop("max_tokens", None)
    elif found.group(2) == "invoke-with-response-stream":
        body["stream"] = True
    req.body = body
    req.headers["anthropic-version"] = version


def _count_input(body: Obj) -> Obj:
    try:
        encoded = body["input"]["invokeModel"]["body"]
        inner = json.loads(base64.b64decode(encoded, validate=True))
    except (KeyError, TypeError, ValueError):
        raise _validation(
            "input.invokeModel.body must be the base64 of an InvokeModel JSON body"
        ) from None
    return _object(inner)


def bedrock_base_id(model: str) -> str:
    """`us.anthropic.claude-sonnet-4-5-20250929-v1:0` -> `claude-sonnet-4-5-20250929`."""
    bare = _PROFILE.sub("", model)
    if not bare.startswith("anthropic."):
        raise _validation(f"The provided model identifier is invalid: {model}")
    return _VERSION_SUFFIX.sub("", bare.removeprefix("anthropic."))


def _validation(message: str) -> ApiError:
    return ApiError(400, message, error_type="ValidationException")


def _object(body: object) -> Obj:
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object")
    return body


def _version(body: Obj, accepted: dict[str, str]) -> str:
    given = body.pop("anthropic_version", None)
    if given not in accepted:
        names = " or ".join(sorted(accepted))
        raise ApiError(400, f"anthropic_version: expected {names}, got {given!r}")
    return accepted[str(given)]


def _vertex_auth(headers: dict[str, str]) -> None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access token.",
        )


def _vertex_body(region: str | None, req: Request) -> None:
    found = _VERTEX.match(req.route)
    assert found is not None
    project, location, model, verb = (unquote(part) for part in found.groups())
    if region is not None and location != region:
        raise ApiError(400, f"location {location!r}: the emulator serves {region!r}")
    if not project:
        raise ApiError(400, "project is required")
    body = dict(_object(req.body))  # the recorded request keeps the wire body
    req.headers["anthropic-version"] = _version(body, VERTEX_VERSIONS)
    if model == "count-tokens":
        body["model"] = str(body.get("model", "")).partition("@")[0]
    elif "model" in body:
        raise ApiError(400, "model: must be given in the URL, not in the body")
    else:
        body["model"] = model.partition("@")[0]
        if verb == "streamRawPredict":
            body["stream"] = True
    req.body = body


# --- replies --------------------------------------------------------------------------------


def bedrock_reply(result: Result, request_id: str, count: bool) -> Result:
    """A first-party reply in Bedrock's shape (event-stream frames, `inputTokens`)."""
    if isinstance(result, Stream) and result.framing == "sse":
        steps = tuple(Send(frame_sse(s.data)) if isinstance(s, Send) else s for s in result.steps)
        headers = {
            **result.headers,
            "content-type": EVENTSTREAM,
            "x-amzn-bedrock-content-type": "application/json",
            "x-amzn-requestid": request_id,
        }
        return Stream(steps, headers, framing="eventstream")
    if isinstance(result, Response) and result.status < 400:
        body = _reply_json(result, count)
        return Response(
            result.status,
            dumps(body),
            result.content_type,
            {**result.headers, "x-amzn-requestid": request_id},
        )
    return result


def _reply_json(result: Response, count: bool) -> object:
    body = json.loads(result.body)
    return {"inputTokens": body["input_tokens"]} if count else body


def restyle(kind: str, result: Result, request_id: str) -> Result:
    """An error response (Messages API shape) in the cloud's own error shape."""
    if not isinstance(result, Response) or result.status < 400:
        return result
    message, error_type = _error_of(result)
    if kind == "bedrock":
        name = (
            error_type
            if error_type and error_type[0].isupper()
            else _AWS_NAMES.get(result.status, "InternalServerException")
        )
        headers = {
            **result.headers,
            "x-amzn-errortype": f"{name}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            "x-amzn-requestid": request_id,
        }
        return Response(result.status, dumps({"message": message}), "application/json", headers)
    status = _GOOGLE_STATUS.get(result.status, "UNKNOWN")
    body = {"error": {"code": result.status, "message": message, "status": status}}
    return Response(result.status, dumps(body), "application/json", dict(result.headers))


def _error_of(result: Response) -> tuple[str, str | None]:
    try:
        error = json.loads(result.body)["error"]
        return str(error["message"]), error.get("type")
    except (ValueError, KeyError, TypeError):
        return result.body.decode("utf-8", "replace")[:200], None


def messages_route(app: App, req: Request, ids: tuple[str, ...]) -> Result:
    """Both clouds' routes, once `admit` has put the body in the first-party shape."""
    from . import messages

    count = plan_route(req.route).endswith("/count_tokens")
    return (messages.count_tokens if count else messages.create)(app, req, ids)


def finish(req: Request, result: Result) -> Result:
    """Any answer on a cloud route (scripted ones included) in that cloud's shape."""
    kind = family(req.route)
    if kind == "bedrock":
        count = req.route.endswith("/count-tokens")
        return restyle(kind, bedrock_reply(result, req.request_id, count), req.request_id)
    return restyle(kind, result, req.request_id) if kind == "vertex" else result


def token(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    """OAuth 2.0 token endpoint: any grant gets a fresh one-hour bearer token."""
    issued = "ya29.emu-" + secrets.token_hex(16)
    app.issued_tokens.append(issued)
    return json_response({"access_token": issued, "expires_in": 3600, "token_type": "Bearer"})


# --- event-stream framing -------------------------------------------------------------------


def frame_sse(data: bytes) -> bytes:
    """SSE bytes (one or more whole events) -> Bedrock event-stream messages."""
    frames = []
    for block in data.split(b"\n\n"):
        name, payload = _sse_fields(block)
        if payload is None:
            continue
        frames.append(_exception(payload) if name == b"error" else _chunk(payload))
    return b"".join(frames)


def _sse_fields(block: bytes) -> tuple[bytes | None, bytes | None]:
    name = payload = None
    for line in block.split(b"\n"):
        if line.startswith(b"event: "):
            name = line[7:]
        elif line.startswith(b"data: "):
            payload = line[6:]
    return name, payload


def _chunk(payload: bytes) -> bytes:
    body = b'{"bytes":"' + base64.b64encode(payload) + b'"}'
    return encode_frame(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"},
        body,
    )


def _exception(payload: bytes) -> bytes:
    try:
        error = json.loads(payload)["error"]
        name = _STREAM_EXCEPTIONS.get(error.get("type"), "internalServerException")
        message = str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        name, message = "internalServerException", "stream error"
    headers = {
        ":exception-type": name,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_frame(headers, dumps({"message": message}))


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    raw = b"".join(_header(name, value) for name, value in headers.items())
    prelude = struct.pack("!II", 16 + len(raw) + len(payload), len(raw))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    message = prelude + raw + payload
    return message + struct.pack("!I", zlib.crc32(message))


def _header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return struct.pack("!B", len(n)) + n + b"\x07" + struct.pack("!H", len(v)) + v
