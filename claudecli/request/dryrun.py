"""`--dry-run` output: the request body with base64 payloads replaced by a size note.

The body never holds a credential (keys travel only in headers, which the client adds), so
redaction is only about keeping megabytes of base64 off the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["dry_run_json", "redact_for_display"]


def redact_for_display(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `body` where every base64 source's `data` reads `<base64: N bytes of TYPE>`."""
    return {key: _redact(value) for key, value in body.items()}


def dry_run_json(body: Mapping[str, Any]) -> str:
    """The redacted body as indented JSON, ready to print."""
    return json.dumps(redact_for_display(body), indent=2, ensure_ascii=False)


def _redact(node: Any) -> Any:
    if isinstance(node, Mapping):
        if node.get("type") == "base64" and isinstance(node.get("data"), str):
            return {**node, "data": _placeholder(node["data"], node.get("media_type"))}
        return {key: _redact(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_redact(item) for item in node]
    return node


def _placeholder(data: str, media_type: object) -> str:
    padding = len(data) - len(data.rstrip("="))
    size = len(data) * 3 // 4 - padding  # the decoded size
    kind = media_type if isinstance(media_type, str) else "unknown type"
    return f"<base64: {size:,} bytes of {kind}>"
