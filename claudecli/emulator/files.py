"""Files API (§3): multipart upload kept in memory, metadata, list with `page_…` cursors,
delete, and content download.

As in production, uploaded files are `downloadable: false` (downloading one is a 400 with
`error_code: file_not_downloadable`); files produced by the emulated code-execution tool, or
added with `Emulator.add_file()`, are downloadable.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import bad_request, not_found
from .pagination import cursor_page
from .wire import Obj, Request, Response, Result, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = ["FileStore", "delete", "download", "list_files", "parse_multipart", "retrieve", "upload"]

_MIN_EXPIRY, _MAX_EXPIRY = 3_600, 7_776_000
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    meta: Obj
    data: bytes


class FileStore:
    """In-memory files, oldest first; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, StoredFile] = {}

    def add(
        self,
        filename: str,
        data: bytes,
        mime_type: str | None = None,
        *,
        downloadable: bool = False,
        expires_in: int | None = None,
        file_id: str | None = None,
    ) -> Obj:
        now = datetime.now(UTC)
        meta: Obj = {
            "id": file_id or "file_emu_" + secrets.token_hex(12),
            "type": "file",
            "filename": filename,
            "mime_type": mime_type
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream",
            "size_bytes": len(data),
            "created_at": rfc3339(now),
            "downloadable": downloadable,
        }
        if expires_in is not None:
            meta["expires_at"] = rfc3339(now + timedelta(seconds=expires_in))
        with self._lock:
            self._files[meta["id"]] = StoredFile(meta, data)
        return meta

    def get(self, file_id: str) -> StoredFile:
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise not_found(f"File not found: {file_id}")
        return stored

    def delete(self, file_id: str) -> None:
        with self._lock:
            if self._files.pop(file_id, None) is None:
                raise not_found(f"File not found: {file_id}")

    def newest_first(self) -> list[Obj]:
        with self._lock:
            return [stored.meta for stored in reversed(self._files.values())]

    def clear(self) -> None:
        with self._lock:
            self._files.clear()


def _part(head: bytes, data: bytes) -> Part | None:
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    params = dict(_PARAM.findall(headers.get("content-disposition", "")))
    if "name" not in params:
        return None
    return Part(params["name"], params.get("filename"), headers.get("content-type"), data)


def parse_multipart(content_type: str, raw: bytes) -> dict[str, Part]:
    """The parts of a `multipart/form-data` body by field name."""
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/form-data") or not match:
        raise bad_request("Request must be multipart/form-data with a boundary")
    parts: dict[str, Part] = {}
    for chunk in raw.split(b"--" + match.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        part = _part(head, data.removesuffix(b"\r\n"))
        if part is not None:
            parts[part.name] = part
    return parts


def _expiry(parts: dict[str, Part]) -> int | None:
    if "expires_in_seconds" not in parts:
        return None
    raw = parts["expires_in_seconds"].data.decode(errors="replace").strip()
    if not raw.isdigit() or not _MIN_EXPIRY <= int(raw) <= _MAX_EXPIRY:
        raise bad_request(
            f"expires_in_seconds: must be an integer between {_MIN_EXPIRY} and {_MAX_EXPIRY}"
        )
    return int(raw)


def upload(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    parts = parse_multipart(req.headers.get("content-type", ""), req.raw)
    part = parts.get("file")
    if part is None:
        raise bad_request("file: Field required")
    mime = part.content_type if part.content_type != "application/octet-stream" else None
    name = part.filename or "upload"
    return json_response(app.files.add(name, part.data, mime, expires_in=_expiry(parts)))


def list_files(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    files = app.files.newest_first()
    wanted = req.params().get("ids[]") or req.params().get("ids")
    if wanted:
        return json_response({"data": [f for f in files if f["id"] in wanted], "next_page": None})
    return json_response(cursor_page(files, req))


def retrieve(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    return json_response(app.files.get(ids[0]).meta)


def delete(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    app.files.delete(ids[0])
    return json_response({"id": ids[0], "type": "file_deleted"})


def download(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    stored = app.files.get(ids[0])
    if not stored.meta["downloadable"]:
        raise bad_request(
            f"File {ids[0]} is not downloadable: only files generated by a tool, such as the "
            "code execution tool, can be downloaded",
            error_code="file_not_downloadable",
        )
    disposition = f'attachment; filename="{stored.meta["filename"]}"'
    headers = {"content-disposition": disposition}
    return Response(200, stored.data, str(stored.meta["mime_type"]), headers)
