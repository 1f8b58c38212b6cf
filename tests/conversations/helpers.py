"""Content blocks and replies in API shape, for the store tests."""

from __future__ import annotations

import base64
from typing import Any

from claudecli.conversations import Store

JSON = dict[str, Any]
MODEL = "claude-sonnet-4-5"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


def text(value: str) -> JSON:
    return {"type": "text", "text": value}


def document(data: bytes = PDF) -> JSON:
    source = {"type": "base64", "media_type": "application/pdf", "data": b64(data)}
    return {"type": "document", "source": source}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def reply(*blocks: JSON, stop: str | None = "end_turn", usage: JSON | None = None) -> JSON:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": list(blocks),
        "stop_reason": stop,
        "usage": usage or {"input_tokens": 100, "output_tokens": 20},
    }


def new(store: Store, title: str = "hello there") -> str:
    return store.new_conversation(
        model=MODEL, system="be brief", profile=None, settings={"max_tokens": 1024}, title=title
    )


def exchange(store: Store, conv: str, ask: str, answer: str, **usage: int) -> None:
    """One complete turn: the user's text and a finished reply."""
    store.add_user_turn(conv, [text(ask)])
    recorder = store.start_reply(conv, model=MODEL)
    recorder.finish(
        reply(text(answer), usage=usage or None), request_id="req_1", cost_usd=None, timings=None
    )
