"""Control endpoints under `/_emulator/` (no auth, not recorded) for scripting from other processes.

* `POST /_emulator/enqueue` — body: one item or a JSON list of items → `{"queued": n}`
* `POST /_emulator/reset` — forget queue, recorded requests, cache, batches, files
* `GET /_emulator/requests` — the recorded requests (without `raw`)
* `POST /_emulator/files` — `{"filename", "content" | "content_base64", "mime_type"?,
  "downloadable"?}` → FileMetadata (downloadable by default)
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from .errors import bad_request, not_found
from .wire import Obj, Request, Result, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = ["handle"]


def handle(app: App, req: Request) -> Result:
    action = (req.method, req.route)
    if action == ("POST", "/_emulator/enqueue"):
        return _enqueue(app, req)
    if action == ("POST", "/_emulator/reset"):
        app.reset()
        return json_response({"reset": True})
    if action == ("GET", "/_emulator/requests"):
        recorded = [{k: v for k, v in r.items() if k != "raw"} for r in list(app.requests)]
        return json_response(recorded)
    if action == ("POST", "/_emulator/files"):
        return json_response(_add_file(app, app.require_json(req)))
    raise not_found(f"Not Found: {req.method} {req.path}")


def _enqueue(app: App, req: Request) -> Result:
    body = app.require_json(req)
    items = body if isinstance(body, list) else [body]
    try:
        return json_response({"queued": app.enqueue(items)})
    except ValueError as exc:
        raise bad_request(f"emulator enqueue: {exc}") from exc


def _content(spec: Obj) -> bytes:
    if isinstance(spec.get("content_base64"), str):
        try:
            return base64.b64decode(spec["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_request("content_base64: invalid base64") from exc
    if isinstance(spec.get("content"), str):
        return str(spec["content"]).encode()
    raise bad_request("content or content_base64: Field required")


def _add_file(app: App, spec: Any) -> Obj:
    if not isinstance(spec, dict) or not isinstance(spec.get("filename"), str):
        raise bad_request("filename: Field required")
    mime = spec.get("mime_type") if isinstance(spec.get("mime_type"), str) else None
    downloadable = spec.get("downloadable", True) is not False
    return app.files.add(spec["filename"], _content(spec), mime, downloadable=downloadable)
