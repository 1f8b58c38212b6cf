"""Helpers for emulator tests: SDK round trips and raw HTTP / socket access."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any

import anthropic

from claudecli.emulator import Emulator

JSON = dict[str, Any]
MODEL = "claude-sonnet-5-5"
VERSION = "2026-10-21"
WEATHER_TOOL: JSON = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["location", "unit"],
    },
}


def request(text: str, **extra: Any) -> JSON:
    """A minimal create request whose only user message is `text`."""
    body: JSON = {"model": MODEL, "max_tokens": 1024, "messages": [user(text)]}
    body.update(extra)
    return body


def user(content: Any) -> JSON:
    return {"role": "user", "content": content}


def created_and_streamed(client: anthropic.Anthropic, body: JSON) -> tuple[JSON, JSON]:
    """The non-streaming message and the SDK's accumulated stream for the same request."""
    created = client.messages.create(**body).model_dump(mode="json")
    with client.messages.stream(**body) as stream:
        streamed = stream.get_final_message().model_dump(mode="json")
    return created, streamed


def headers(key: str | None = "sk-test", version: str | None = VERSION) -> dict[str, str]:
    found = {"content-type": "application/json"}
    if key is not None:
        found["x-api-key"] = key
    if version is not None:
        found["anthropic-version"] = version
    return found


def call(
    emu: Emulator,
    method: str,
    path: str,
    body: Any = None,
    head: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with http.client (handles chunked bodies); status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        payload = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn.request(method, path, payload, head if head is not None else headers())
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def post(
    emu: Emulator, path: str, body: Any, head: dict[str, str] | None = None
) -> tuple[int, Any]:
    status, _, data = call(emu, "POST", path, body, head)
    return status, json.loads(data) if data else None


def raw_exchange(
    emu: Emulator, body: JSON, timeout: float = 5.0
) -> tuple[bytes, BaseException | None]:
    """POST /v1/messages over a bare socket; every byte received and how the read ended."""
    payload = json.dumps(body).encode()
    head = (
        f"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        f"x-api-key: sk-test\r\nanthropic-version: {VERSION}\r\nconnection: close\r\n"
        f"content-length: {len(payload)}\r\n\r\n"
    ).encode()
    received = b""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=timeout) as sock:
        sock.sendall(head + payload)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return received, exc
    return received, None


def wait_ended(client: anthropic.Anthropic, batch_id: str) -> anthropic.types.messages.MessageBatch:
    """Poll a batch until it ended (the fixture's batch_delay is 0.1 s), for 5 s at most."""
    deadline = time.monotonic() + 5
    while True:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended" or time.monotonic() > deadline:
            return batch
        time.sleep(0.03)


def event_names(raw: bytes) -> list[str]:
    return [line[7:].decode() for line in raw.split(b"\n") if line.startswith(b"event: ")]
