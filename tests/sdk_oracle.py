"""The official SDK as an oracle: what it accumulates from given bytes or from a server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2

JSON = dict[str, Any]
REQUEST = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "hi"}],
}


def normalise(message: JSON) -> JSON:
    """Drop keys whose value is None, recursively: the SDK's models and raw JSON differ there."""
    if isinstance(message, dict):
        return {k: normalise(v) for k, v in message.items() if v is not None}
    if isinstance(message, list):
        return [normalise(v) for v in message]
    return message


def sdk_dump(message: Any) -> JSON:
    dumped: JSON = message.model_dump(mode="json", exclude_unset=False)
    return normalise(dumped)


def _chunked(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def sdk_final_from_bytes(data: bytes, chunk: int = 1 << 20) -> JSON:
    """Serve `data` as an SSE body to the SDK's `messages.stream` and return its final message."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=httpx2.ByteStream(data) if chunk >= len(data) else _Iter(data, chunk),
        )

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = anthropic.Anthropic(api_key="sk-test", base_url="http://sdk.test", http_client=http)
    with client.messages.stream(**REQUEST) as stream:  # type: ignore[arg-type]
        for _ in stream:
            pass
        return sdk_dump(stream.get_final_message())


class _Iter(httpx2.SyncByteStream):
    def __init__(self, data: bytes, size: int) -> None:
        self._data, self._size = data, size

    def __iter__(self) -> Iterator[bytes]:
        return _chunked(self._data, self._size)
