"""The streaming Messages API client: httpx2 + stdlib only. Never prints, never exits.

Import what you need from here; submodules are an implementation detail. Names are loaded on
first use, so `from claudecli.client.options import Secret` does not pull in the network stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accumulate import MessageAccumulator as MessageAccumulator, accumulate as accumulate
    from .aliases import JSON as JSON, JSONView as JSONView
    from .api import Client as Client
    from .aws import (
        AWS_LOOKED_FOR as AWS_LOOKED_FOR,
        AwsSetup as AwsSetup,
        MissingDependency as MissingDependency,
        load_aws as load_aws,
        profile_region as profile_region,
    )
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
    from .events import (
        CitationsDelta as CitationsDelta,
        ContentBlockDelta as ContentBlockDelta,
        ContentBlockStart as ContentBlockStart,
        ContentBlockStop as ContentBlockStop,
        ErrorEvent as ErrorEvent,
        InputJsonDelta as InputJsonDelta,
        MessageDelta as MessageDelta,
        MessageStart as MessageStart,
        MessageStop as MessageStop,
        Ping as Ping,
        SignatureDelta as SignatureDelta,
        StreamEvent as StreamEvent,
        TextDelta as TextDelta,
        ThinkingDelta as ThinkingDelta,
        UnknownDelta as UnknownDelta,
        UnknownEvent as UnknownEvent,
        parse_event as parse_event,
    )
    from .gcp import (
        GOOGLE_LOOKED_FOR as GOOGLE_LOOKED_FOR,
        GoogleSetup as GoogleSetup,
        load_google as load_google,
    )
    from .messages import (
        ContentBlock as ContentBlock,
        MessageView as MessageView,
        RedactedThinkingBlock as RedactedThinkingBlock,
        ServerToolBlock as ServerToolBlock,
        TextBlock as TextBlock,
        ThinkingBlock as ThinkingBlock,
        ToolResultBlock as ToolResultBlock,
        ToolUseBlock as ToolUseBlock,
        UnknownBlock as UnknownBlock,
        Usage as Usage,
        block_view as block_view,
    )
    from .options import (
        DEFAULT_API_VERSION as DEFAULT_API_VERSION,
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
        ClientOptions as ClientOptions,
        Provider as Provider,
        RetryNotice as RetryNotice,
        Secret as Secret,
        Timeouts as Timeouts,
        parse_custom_headers as parse_custom_headers,
    )
    from .providers import default_base_url as default_base_url
    from .stream import MessageStream as MessageStream
    from .synth import events_from_message as events_from_message

_HOME = {
    "MessageAccumulator": "accumulate",
    "accumulate": "accumulate",
    "Client": "api",
    "AWS_LOOKED_FOR": "aws",
    "AwsSetup": "aws",
    "MissingDependency": "aws",
    "load_aws": "aws",
    "profile_region": "aws",
    "GOOGLE_LOOKED_FOR": "gcp",
    "GoogleSetup": "gcp",
    "load_google": "gcp",
    "default_base_url": "providers",
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
    "Provider": "options",
    "RetryNotice": "options",
    "Secret": "options",
    "Timeouts": "options",
    "parse_custom_headers": "options",
    "MessageStream": "stream",
    "JSON": "aliases",
    "JSONView": "aliases",
    "ContentBlock": "messages",
    "MessageView": "messages",
    "RedactedThinkingBlock": "messages",
    "ServerToolBlock": "messages",
    "TextBlock": "messages",
    "ThinkingBlock": "messages",
    "ToolResultBlock": "messages",
    "ToolUseBlock": "messages",
    "UnknownBlock": "messages",
    "Usage": "messages",
    "block_view": "messages",
    "events_from_message": "synth",
    "CitationsDelta": "events",
    "ContentBlockDelta": "events",
    "ContentBlockStart": "events",
    "ContentBlockStop": "events",
    "ErrorEvent": "events",
    "InputJsonDelta": "events",
    "MessageDelta": "events",
    "MessageStart": "events",
    "MessageStop": "events",
    "Ping": "events",
    "SignatureDelta": "events",
    "StreamEvent": "events",
    "TextDelta": "events",
    "ThinkingDelta": "events",
    "UnknownDelta": "events",
    "UnknownEvent": "events",
    "parse_event": "events",
}

__all__ = [
    "AWS_LOOKED_FOR",
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "GOOGLE_LOOKED_FOR",
    "JSON",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AwsSetup",
    "CitationsDelta",
    "ClaudeError",
    "Client",
    "ClientOptions",
    "ContentBlock",
    "ContentBlockDelta",
    "ContentBlockStart",
    "ContentBlockStop",
    "ErrorEvent",
    "GoogleSetup",
    "InputJsonDelta",
    "JSONView",
    "MessageAccumulator",
    "MessageDelta",
    "MessageStart",
    "MessageStop",
    "MessageStream",
    "MessageView",
    "MissingDependency",
    "Ping",
    "ProtocolError",
    "Provider",
    "RedactedThinkingBlock",
    "RequestValidationError",
    "RetryNotice",
    "Secret",
    "ServerToolBlock",
    "SignatureDelta",
    "StreamEvent",
    "StreamInterruptedError",
    "TextBlock",
    "TextDelta",
    "ThinkingBlock",
    "ThinkingDelta",
    "Timeouts",
    "ToolResultBlock",
    "ToolUseBlock",
    "TruncatedStreamError",
    "UnknownBlock",
    "UnknownDelta",
    "UnknownEvent",
    "Usage",
    "accumulate",
    "block_view",
    "default_base_url",
    "events_from_message",
    "load_aws",
    "load_google",
    "parse_custom_headers",
    "parse_event",
    "profile_region",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'claudecli.client' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
