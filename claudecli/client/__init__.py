"""The streaming Messages API client: httpx2 + stdlib only. Never prints, never exits.

Import what you need from here; submodules are an implementation detail.
"""

from __future__ import annotations

from .accumulate import MessageAccumulator, accumulate
from .api import Client
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClaudeError,
    ProtocolError,
    RequestValidationError,
    StreamInterruptedError,
    TruncatedStreamError,
)
from .options import (
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    ClientOptions,
    RetryNotice,
    Secret,
    Timeouts,
    parse_custom_headers,
)
from .stream import MessageStream

__all__ = [
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ClaudeError",
    "Client",
    "ClientOptions",
    "MessageAccumulator",
    "MessageStream",
    "ProtocolError",
    "RequestValidationError",
    "RetryNotice",
    "Secret",
    "StreamInterruptedError",
    "Timeouts",
    "TruncatedStreamError",
    "accumulate",
    "parse_custom_headers",
]
