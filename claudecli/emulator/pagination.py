"""List pagination as the API does it: `after_id`/`before_id`/`limit` pages and `page_…` cursors."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from .errors import bad_request
from .wire import Obj, Request

__all__ = ["cursor_page", "id_page", "parse_limit"]


def parse_limit(req: Request, default: int = 20) -> int:
    raw = req.param("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise bad_request("limit: Input should be an integer between 1 and 1000")
    return int(raw)


def id_page(items: Sequence[Obj], req: Request) -> Obj:
    """`{data, has_more, first_id, last_id}` for items already sorted newest first."""
    limit = parse_limit(req)
    after, before = req.param("after_id"), req.param("before_id")
    if after and before:
        raise bad_request("Only one of after_id and before_id may be provided")
    if before:
        end = _position(items, before)
        start = max(0, end - limit)
        data, has_more = list(items[start:end]), start > 0
    else:
        start = _position(items, after) + 1 if after else 0
        data, has_more = list(items[start : start + limit]), start + limit < len(items)
    first = data[0]["id"] if data else None
    last = data[-1]["id"] if data else None
    return {"data": data, "has_more": has_more, "first_id": first, "last_id": last}


def _position(items: Sequence[Obj], item_id: str) -> int:
    for index, item in enumerate(items):
        if item["id"] == item_id:
            return index
    raise bad_request(f"Invalid cursor: no item with id {item_id!r}")


def cursor_page(items: Sequence[Obj], req: Request) -> Obj:
    """`{data, next_page}` where `next_page` is an opaque `page_…` cursor (Files API style)."""
    limit = parse_limit(req)
    start = _decode_cursor(req.param("page"))
    data = list(items[start : start + limit])
    more = start + limit < len(items)
    return {"data": data, "next_page": _encode_cursor(start + limit) if more else None}


def _encode_cursor(offset: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        body = cursor.removeprefix("page_")
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except ValueError as exc:
        raise bad_request(f"page: invalid page cursor {cursor!r}") from exc
