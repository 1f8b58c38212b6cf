"""Providers: where a Messages API request goes and how it is authenticated.

A provider is a transport-level adapter: `route()` maps the first-party request (method, path,
JSON body) to the provider's path and body, `authorize()` adds auth to the built request once
per attempt, and `framing` says how its stream is framed. Everything above the transport
(typed events, retries, accumulation, rendering, every command) is unchanged.

* `anthropic` — the Messages API at `base_url`; `messages_path` (default `/v1/messages`) lets a
  gateway serve it elsewhere (`/messages`, `/llm/messages`, …); sub-routes follow it.
* `bedrock` — `POST /model/{id}/invoke` and `/invoke-with-response-stream` (AWS event-stream
  framing), `/model/{id}/count-tokens` (CountTokens: the InvokeModel body base64-encoded); the
  body has no `model`/`stream`, `anthropic_version` in the body and the betas in
  `anthropic_beta`. SigV4 (botocore's chain) or a Bedrock API key as a bearer token.
* `vertex` — `POST /projects/{p}/locations/{r}/publishers/anthropic/models/{id}:rawPredict` or
  `:streamRawPredict` (SSE), `…/models/count-tokens:rawPredict` (model stays in the body);
  `anthropic_version` in the body, betas stay a header; an ADC bearer token.

`anthropic_version` is what the official SDK this project tests against (2.x) sends: the API
version itself (`2026-10-21`); with `api_version: 2023-06-01` the 1.x strings
(`bedrock-2023-05-31`, `vertex-2023-10-16`) are sent instead.

Model ids: an alias resolves to a first-party id first; `bedrock_model_id` / `vertex_model_id`
then map it (`claude-sonnet-4-5` -> `anthropic.claude-sonnet-4-5-20250929-v1:0` or
`claude-sonnet-4-5@20250929`; an undated id -> `anthropic.<id>-v1` / `<id>`), with the
`us.`/`eu.`/`apac.` inference profile of the region for Bedrock (`bedrock_profile` picks
another, e.g. `global`, or none). An id that is already a provider id (a `.`, `:`, `@` or an
ARN) passes through untouched.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any, Final, Literal
from urllib.parse import quote

import httpx2

from .errors import APIStatusError, RequestValidationError
from .options import LEGACY_API_VERSION, ClientOptions

__all__ = [
    "Provider",
    "bedrock_model_id",
    "default_base_url",
    "make_provider",
    "provider_error",
    "vertex_model_id",
]

MESSAGES: Final = "/v1/messages"
_LEGACY_BODY_VERSION: Final = {"bedrock": "bedrock-2023-05-31", "vertex": "vertex-2023-10-16"}
# First-party ids whose cloud ids carry a date (the clouds list them by snapshot).
_DATED: Final = {
    "claude-sonnet-4-5": "20250929",
    "claude-haiku-4-5": "20251001",
    "claude-opus-4-5": "20251101",
    "claude-opus-4-1": "20250805",
    "claude-opus-4-0": "20250514",
    "claude-sonnet-4-0": "20250514",
}
_DATED_ID = re.compile(r"^(claude-[a-z0-9-]+?)-(\d{8})$")
_GEO = (("us-gov-", "us-gov."), ("us-", "us."), ("eu-", "eu."), ("ap-", "apac."))
_REQUEST_ID_HEADERS: Final = ("request-id", "x-amzn-requestid", "x-request-id", "x-goog-request-id")


def default_base_url(provider: str, region: str | None) -> str:
    """The endpoint for a provider and region (the SDK's defaults)."""
    if provider == "bedrock":
        return f"https://bedrock-runtime.{region}.amazonaws.com"
    if region == "global":
        return "https://aiplatform.googleapis.com/v1"
    if region in ("us", "eu"):
        return f"https://aiplatform.{region}.rep.googleapis.com/v1"
    return f"https://{region}-aiplatform.googleapis.com/v1"


def _is_provider_id(model: str) -> bool:
    return model.startswith("arn:") or any(mark in model for mark in ".:@")


def _split_date(model: str) -> tuple[str, str | None]:
    found = _DATED_ID.match(model)
    if found:
        return found.group(1), found.group(2)
    return model, _DATED.get(model)


def geo_prefix(region: str | None) -> str:
    for start, prefix in _GEO:
        if region and region.startswith(start):
            return prefix
    return ""


def bedrock_model_id(model: str, region: str | None, profile: str | None = None) -> str:
    """`claude-sonnet-4-5` -> `us.anthropic.claude-sonnet-4-5-20250929-v1:0` (in us-east-1)."""
    if _is_provider_id(model):
        return model
    base, date = _split_date(model)
    core = f"anthropic.{base}-{date}-v1:0" if date else f"anthropic.{base}-v1"
    chosen = geo_prefix(region) if profile is None else ("" if profile == "none" else profile + ".")
    return chosen + core


def vertex_model_id(model: str) -> str:
    """`claude-sonnet-4-5` -> `claude-sonnet-4-5@20250929`; an undated id stays as it is."""
    if _is_provider_id(model):
        return model
    base, date = _split_date(model)
    return f"{base}@{date}" if date else base


class Provider:
    """The first-party API (also any gateway that speaks it, under any path)."""

    name: str = "anthropic"
    framing: Literal["sse", "eventstream"] = "sse"

    def __init__(self, options: ClientOptions) -> None:
        self.options = options

    def default_headers(self) -> dict[str, str]:
        opts = self.options
        headers = {"anthropic-version": opts.api_version}
        if opts.api_key:
            if opts.auth_header == "x-api-key":
                headers["x-api-key"] = opts.api_key.reveal()
            else:
                headers["authorization"] = f"Bearer {opts.api_key.reveal()}"
        return headers

    def route(self, method: str, path: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The path and request arguments to send for a first-party `method path`."""
        custom = self.options.messages_path
        if custom != MESSAGES and (path == MESSAGES or path.startswith(MESSAGES + "/")):
            path = custom + path[len(MESSAGES) :]
        return path, kwargs

    def authorize(self, request: httpx2.Request) -> None:
        """Add per-attempt auth (the first-party key is a default header: nothing to do)."""

    def reply(self, path: str, body: Any) -> Any:
        """A JSON reply in the first-party shape (Bedrock's CountTokens says `inputTokens`)."""
        if path.endswith("/count_tokens") and isinstance(body, dict) and "inputTokens" in body:
            return {"input_tokens": body["inputTokens"]}
        return body

    def body_version(self) -> str:
        opts = self.options
        legacy = opts.api_version == LEGACY_API_VERSION
        return _LEGACY_BODY_VERSION[self.name] if legacy else opts.api_version

    def refuse(self, path: str) -> None:
        what = _feature(path)
        if what is not None:
            raise RequestValidationError(
                f"{what} not available on {self.label()}: it is an Anthropic API feature "
                "(use --provider anthropic)"
            )

    def label(self) -> str:
        return {"bedrock": "Amazon Bedrock", "vertex": "Google Vertex AI"}.get(self.name, self.name)


def _feature(path: str) -> str | None:
    if path.startswith(MESSAGES + "/batches"):
        return "message batches are"
    if path.startswith("/v1/models"):
        return "the models listing is"
    if path.startswith("/v1/files"):
        return "the Files API is"
    if path not in (MESSAGES, MESSAGES + "/count_tokens"):
        return f"{path} is"
    return None


def _json_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    body = kwargs.pop("json", None)
    if not isinstance(body, Mapping):
        raise RequestValidationError("a provider request needs a JSON object body")
    return dict(body)


def _content(kwargs: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    headers = dict(kwargs.pop("headers", None) or {})
    headers["content-type"] = "application/json"
    compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return {**kwargs, "content": compact, "headers": headers}


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise RequestValidationError("model: a model id is required")
    return model


class Bedrock(Provider):
    name = "bedrock"
    framing: Literal["sse", "eventstream"] = "eventstream"

    def default_headers(self) -> dict[str, str]:
        key = self.options.api_key
        return {"authorization": f"Bearer {key.reveal()}"} if key else {}

    def route(self, method: str, path: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.refuse(path)
        body = _json_body(kwargs)
        model = quote(self.model_id(_model(body)), safe=":")
        body.pop("model")
        body.setdefault("anthropic_version", self.body_version())
        if self.options.betas:
            body.setdefault("anthropic_beta", list(self.options.betas))
        if path.endswith("/count_tokens"):
            return f"/model/{model}/count-tokens", _content(kwargs, _count_input(body))
        stream = body.pop("stream", False)
        action = "invoke-with-response-stream" if stream else "invoke"
        return f"/model/{model}/{action}", _content(kwargs, body)

    def model_id(self, model: str) -> str:
        opts = self.options
        return bedrock_model_id(model, opts.region, opts.inference_profile)

    def authorize(self, request: httpx2.Request) -> None:
        if self.options.api_key:
            return
        from .aws import sign

        try:
            sign(request, self.options.cloud_credentials, self.options.region or "")
        except Exception as exc:  # expired SSO session, failed refresh, …: one line, no secret
            raise APIStatusError(
                f"AWS credentials could not be used: {_one_line(exc)}", status_code=401
            ) from None


def _count_input(body: dict[str, Any]) -> dict[str, Any]:
    """CountTokens wraps the exact InvokeModel body (base64); max_tokens is required there."""
    body.pop("stream", None)
    body.setdefault("max_tokens", 1)
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return {"input": {"invokeModel": {"body": base64.b64encode(raw).decode()}}}


class Vertex(Provider):
    name = "vertex"

    def default_headers(self) -> dict[str, str]:
        return {}

    def route(self, method: str, path: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.refuse(path)
        body = _json_body(kwargs)
        model = vertex_model_id(_model(body))
        body.setdefault("anthropic_version", self.body_version())
        where = f"/projects/{self._segment(self.options.project)}/locations/"
        where += f"{self._segment(self.options.region)}/publishers/anthropic/models/"
        if path.endswith("/count_tokens"):
            body["model"] = model
            return where + "count-tokens:rawPredict", _content(kwargs, body)
        body.pop("model")
        verb = "streamRawPredict" if body.get("stream") else "rawPredict"
        return f"{where}{quote(model, safe='@')}:{verb}", _content(kwargs, body)

    @staticmethod
    def _segment(value: str | None) -> str:
        return quote(value or "", safe="")

    def authorize(self, request: httpx2.Request) -> None:
        from .gcp import bearer

        try:
            token = bearer(self.options.cloud_credentials)
        except Exception as exc:
            raise APIStatusError(_one_line(exc), status_code=401) from None
        request.headers["authorization"] = f"Bearer {token}"


def _one_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def make_provider(options: ClientOptions) -> Provider:
    kinds: dict[str, type[Provider]] = {"bedrock": Bedrock, "vertex": Vertex}
    return kinds.get(options.provider, Provider)(options)


# --- errors ---------------------------------------------------------------------------------


def request_id_of(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def provider_error(status: int, headers: Mapping[str, str], body: Any) -> APIStatusError | None:
    """A Bedrock (`x-amzn-ErrorType` + `{"message"}`) or Google (`google.rpc.Status`) error
    body as our error; None when the body is in the Messages API's own shape (or unknown)."""
    aws_type = headers.get("x-amzn-errortype")
    if aws_type and isinstance(body, dict) and "error" not in body:
        name = aws_type.split(":", 1)[0].rsplit("#", 1)[-1]
        text = str(body.get("message") or body.get("Message") or f"HTTP {status}")
        return _status_error(f"{name}: {text}", status, name, headers, body)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and "status" in error and "type" not in error:
        name = str(error.get("status"))
        text = str(error.get("message") or f"HTTP {status}")
        return _status_error(f"{name}: {text}", status, name, headers, body)
    return None


def _status_error(
    message: str, status: int, error_type: str, headers: Mapping[str, str], body: Any
) -> APIStatusError:
    return APIStatusError(
        message,
        status_code=status,
        error_type=error_type,
        request_id=request_id_of(headers),
        body=body,
        headers=dict(headers),
    )
