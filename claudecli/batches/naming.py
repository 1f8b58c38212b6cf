"""Names: custom_ids (checked, or derived from a path or a record), job names, hashes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Container, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

__all__ = [
    "CUSTOM_ID_RULE",
    "MAX_CUSTOM_ID",
    "custom_id_problem",
    "derive_job_name",
    "id_for_path",
    "id_for_record",
    "params_hash",
    "short_hash",
]

MAX_CUSTOM_ID: Final = 64
CUSTOM_ID_RULE: Final = f"1-{MAX_CUSTOM_ID} characters of A-Z a-z 0-9 _ -"
_VALID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]+")
_HASH_CHARS: Final = 8


def short_hash(text: str, length: int = _HASH_CHARS) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def params_hash(params: Mapping[str, Any]) -> str:
    """A request's identity: sha256 of its params as canonical JSON (sorted keys)."""
    text = json.dumps(params, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def custom_id_problem(value: Any) -> str | None:
    """Why `value` is not a valid custom_id (None when it is)."""
    if not isinstance(value, str):
        return f"custom_id must be a string ({CUSTOM_ID_RULE})"
    if not _VALID.match(value):
        return f"custom_id {value[:80]!r} is not {CUSTOM_ID_RULE}"
    return None


def _slug(text: str, limit: int) -> str:
    return _UNSAFE.sub("_", text).strip("_")[:limit] or "item"


def id_for_path(path: str, taken: Container[str]) -> str:
    """`docs/Q3 report.pdf` -> `Q3_report_pdf`; with `-<hash of the full path>` when that name
    is taken or the file's name had to be changed to fit."""
    name = Path(path).name
    plain = _slug(name, MAX_CUSTOM_ID)
    if plain == name.replace(".", "_") and plain not in taken and len(plain) == len(name):
        return plain
    suffix = "-" + short_hash(path)
    return _slug(name, MAX_CUSTOM_ID - len(suffix)) + suffix


def id_for_record(record: Mapping[str, Any]) -> str:
    """A record's own `id` when it is a valid custom_id, else `rec-<hash of the record>`."""
    given = record.get("id")
    if isinstance(given, int) and not isinstance(given, bool):
        given = str(given)
    if isinstance(given, str) and custom_id_problem(given) is None:
        return given
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "rec-" + short_hash(canonical, 16)


def derive_job_name(kind: str, inputs: Sequence[str]) -> str:
    """The default --job: the first input's name and a hash of what was given (stable for one
    cron line: the same inputs always name the same job)."""
    first = Path(inputs[0]).name if inputs else kind
    return f"{_slug(first, 40)}-{short_hash(kind + chr(0) + chr(0).join(inputs))}"
