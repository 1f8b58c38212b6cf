"""Attachments stored once by content hash.

A base64 source (`{"type": "base64", "media_type": …, "data": …}`, anywhere in a content block,
including inside a tool_result) is stored as its raw bytes in the `blob` table and replaced in
the stored JSON by `{"type": "claudecli_blob", "media_type": …, "sha256": …}`. Reading a turn
back puts the base64 text back, byte for byte (only canonical base64 is moved to a blob; any
other encoding stays inline, so what is re-sent is always exactly what was sent).

In reference mode the blob row keeps the file's path and hash instead of the bytes (when the
caller knows the path); reading it back re-reads the file and refuses a changed or vanished one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .records import StoreError

__all__ = ["BLOB_SOURCE", "Blob", "extract_blobs", "read_reference", "rehydrate"]

BLOB_SOURCE: Final = "claudecli_blob"


@dataclass(frozen=True)
class Blob:
    sha256: str
    media_type: str | None
    data: bytes


def extract_blobs(node: Any, found: dict[str, Blob]) -> Any:
    """A copy of `node` with canonical base64 sources replaced by blob references."""
    if isinstance(node, list):
        return [extract_blobs(item, found) for item in node]
    if not isinstance(node, Mapping):
        return node
    blob = _as_blob(node)
    if blob is not None:
        found[blob.sha256] = blob
        return {"type": BLOB_SOURCE, "media_type": blob.media_type, "sha256": blob.sha256}
    return {key: extract_blobs(value, found) for key, value in node.items()}


def _as_blob(node: Mapping[str, Any]) -> Blob | None:
    data = node.get("data")
    if node.get("type") != "base64" or not isinstance(data, str):
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != data:
        return None
    media_type = node.get("media_type")
    return Blob(_sha256(raw), media_type if isinstance(media_type, str) else None, raw)


def rehydrate(node: Any, load: Callable[[str], str]) -> Any:
    """A copy of `node` with blob references replaced by base64 sources (`load`: sha -> base64)."""
    if isinstance(node, list):
        return [rehydrate(item, load) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == BLOB_SOURCE and isinstance(node.get("sha256"), str):
        source = {"type": "base64", "media_type": node.get("media_type")}
        return {**source, "data": load(node["sha256"])}
    return {key: rehydrate(value, load) for key, value in node.items()}


def read_reference(path: str, sha256: str) -> bytes:
    """The referenced file's bytes, if it still hashes to `sha256`; else StoreError."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreError(f"{path}: an attachment of this conversation is gone ({reason})") from None
    if _sha256(data) != sha256:
        raise StoreError(f"{path}: an attachment of this conversation changed since it was sent")
    return data


def _sha256(data: bytes) -> str:
    import hashlib  # OpenSSL's loader costs ~3 ms: only when an attachment is stored or read

    return hashlib.sha256(data).hexdigest()
