"""The streaming Messages API client: httpx2 + stdlib only. Never prints, never exits.

Import what you need from here; submodules are an implementation detail. Names are loaded on
first use, so `from claudecli.client.options import Secret` does not pull in the network stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accumulate import MessageAccumulator as MessageAccumulator, accumulate as accumulate
    from .api import Client as Client
    from .errors import (
        APIConnectionError as APIConnectionError,
        APIError as APIError,
        APIStatusError as APIStatusError,
        APITimeoutError as APITimeoutError,
        ClaudeError as ClaudeError,
        ProtocolError as ProtocolError,
        RequestValidationError as RequestValidationError,
        StreamInterruptedError as StreamInterruptedError,
        TruncatedStreamError as TruncatedStreamError,
    )
    from .options import (
        DEFAULT_API_VERSION as DEFAULT_API_VERSION,
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
        ClientOptions as ClientOptions,
        RetryNotice as RetryNotice,
        Secret as Secret,
        Timeouts as Timeouts,
        parse_custom_headers as parse_custom_headers,
    )
    from .stream import MessageStream as MessageStream

_HOME = {
    "MessageAccumulator": "accumulate",
    "accumulate": "accumulate",
    "Client": "api",
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "ClaudeError": "errors",
    "ProtocolError": "errors",
    "RequestValidationError": "errors",
    "StreamInterruptedError": "errors",
    "TruncatedStreamError": "errors",
    "DEFAULT_API_VERSION": "options",
    "DEFAULT_BASE_URL": "options",
    "ClientOptions": "options",
    "RetryNotice": "options",
    "Secret": "options",
    "Timeouts": "options",
    "parse_custom_headers": "options",
    "MessageStream": "stream",
}

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


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'claudecli.client' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
