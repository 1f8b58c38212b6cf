"""Client configuration values: what to talk to, how to authenticate, how patient to be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import RequestValidationError
from .retry import DEFAULT_MAX_RETRIES, DEFAULT_RETRY_CAP

__all__ = [
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "LEGACY_API_VERSION",
    "ClientOptions",
    "RetryNotice",
    "Secret",
    "Timeouts",
    "check_sampling_params",
    "parse_custom_headers",
]

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_API_VERSION = "2026-10-21"
LEGACY_API_VERSION = "2023-06-01"
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
AuthHeader = Literal["bearer", "x-api-key"]
Provider = Literal["anthropic", "bedrock", "vertex"]


class Secret:
    """A credential that never shows itself in `repr()`, `str()`, f-strings or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """`…` plus at most the last 4 characters (none for values shorter than 12)."""
        return "…" + self._value[-4:] if len(self._value) >= 12 else "…"

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        import hmac

        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. `idle`: no bytes at all; `no_content`: only pings; `total`: whole call."""

    connect: float = 5.0
    idle: float = 600.0
    no_content: float | None = 300.0
    total: float | None = None


@dataclass(frozen=True, slots=True)
class ClientOptions:
    api_key: Secret | None = None
    base_url: str = DEFAULT_BASE_URL
    auth_header: AuthHeader = "bearer"
    api_version: str = DEFAULT_API_VERSION
    betas: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_cap: float = DEFAULT_RETRY_CAP
    timeouts: Timeouts = field(default_factory=Timeouts)
    # Where requests go (claudecli.client.providers): the first-party API (or a gateway that
    # serves it at `messages_path`), Amazon Bedrock or Google Vertex AI.
    provider: Provider = "anthropic"
    messages_path: str = "/v1/messages"
    region: str | None = None  # AWS region (bedrock) or Vertex location
    project: str | None = None  # Google Cloud project (vertex)
    inference_profile: str | None = None  # bedrock: us|eu|apac|global|none; None: by region
    cloud_credentials: Any = field(default=None, repr=False)  # aws.AwsSetup / gcp.GoogleSetup


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Told to `on_retry` before each retry sleep: why, how long, which attempt of how many."""

    reason: str
    delay: float
    attempt: int
    max_retries: int
    status: int | None = None


def parse_custom_headers(text: str) -> dict[str, str]:
    """`ANTHROPIC_CUSTOM_HEADERS`: `Name: value` lines, SDK semantics (the one parser of it).

    Lines are split at `\\n` only (a CRLF's `\\r` is stripped with the value); a line without a
    colon or with an empty name is skipped. Values are not validated here: a lone `\\r` stays in
    its value, and `claudecli.config` refuses it ("must not contain line breaks").
    """
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers[name.strip()] = value.strip()
    return headers


def check_sampling_params(body: Mapping[str, object], api_version: str) -> None:
    """API 2026-10-21 rejects temperature/top_p/top_k; refuse them before any I/O."""
    present = [name for name in SAMPLING_PARAMS if name in body]
    if present and api_version != LEGACY_API_VERSION:
        raise RequestValidationError(
            f"{', '.join(present)} not accepted under anthropic-version {api_version}; "
            f"use api_version {LEGACY_API_VERSION} (older models only) or drop it"
        )
