"""What a submission is made of: files (dirs, globs), API-shape JSONL lines, or records.

Each reader yields one item at a time (a file's lines are never all in memory) and raises a
one-line `InputError` naming the file and line for the first bad one.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from claudecli.errors import InputError

from .naming import custom_id_problem, id_for_record

__all__ = ["expand_files", "fill_template", "read_records", "read_request_lines"]

_GLOB_CHARS: Final = frozenset("*?[")
_REQUIRED: Final = ("model", "max_tokens", "messages")
_LINE_KEYS: Final = frozenset({"custom_id", "params"})
MAX_PARAMS_BYTES: Final = 32 * 1024 * 1024
_FIELD: Final = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_files(inputs: Sequence[str]) -> list[str]:
    """Files, directories (every regular file below, hidden ones skipped) and globs -> sorted,
    unique absolute paths. A name that matches nothing is an error."""
    found: dict[str, None] = {}
    for given in inputs:
        for path in _expand_one(given):
            found.setdefault(os.path.abspath(path), None)
    return list(found)


def _expand_one(given: str) -> list[str]:
    if _GLOB_CHARS & set(given) and not os.path.exists(given):
        matches = sorted(glob.glob(given, recursive=True))
        files = [path for match in matches for path in _walk(match)]
        if not files:
            raise InputError(f"{given}: no file matches")
        return files
    if not os.path.exists(given):
        raise InputError(f"{given}: no such file or directory")
    files = _walk(given)
    if not files:
        raise InputError(f"{given}: the directory has no files")
    return files


def _walk(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path] if os.path.isfile(path) else []
    files: list[str] = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
    return [f for f in files if os.path.isfile(f)]


def _json_lines(path: str) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) for every non-blank line; one error naming a bad line."""
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, _decode(path, number, raw)


def _decode(path: str, number: int, raw: bytes) -> Any:
    if len(raw) > MAX_PARAMS_BYTES:
        raise InputError(f"{path}:{number}: the line is over 32 MB, the limit of one request")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise InputError(f"{path}:{number}: not UTF-8 text") from None
    except ValueError as exc:
        raise InputError(f"{path}:{number}: not valid JSON ({exc})") from None


def read_request_lines(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """`{"custom_id", "params"}` lines, each checked as the API would (custom_id rule, unique,
    params with model, max_tokens and messages, no streaming)."""
    seen: dict[str, int] = {}
    for number, line in _json_lines(path):
        problem = _line_problem(line, seen)
        if problem:
            raise InputError(f"{path}:{number}: {problem}")
        seen[line["custom_id"]] = number
        yield line["custom_id"], line["params"]


def _line_problem(line: Any, seen: Mapping[str, int]) -> str | None:
    if not isinstance(line, dict):
        return 'expected an object {"custom_id": ..., "params": {...}}'
    extra = sorted(set(line) - _LINE_KEYS)
    if extra:
        return f"unknown key {extra[0]!r} (a line has custom_id and params)"
    problem = custom_id_problem(line.get("custom_id"))
    if problem:
        return problem
    if line["custom_id"] in seen:
        return f"custom_id {line['custom_id']!r} repeats line {seen[line['custom_id']]}"
    return _params_problem(line.get("params"))


def _params_problem(params: Any) -> str | None:
    if not isinstance(params, dict):
        return "params must be an object (a /v1/messages request body)"
    missing = [key for key in _REQUIRED if key not in params]
    if missing:
        return f"params.{missing[0]} is required"
    if not isinstance(params["model"], str) or not params["model"]:
        return "params.model must be a model id"
    tokens = params["max_tokens"]
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
        return "params.max_tokens must be a whole number >= 1"
    if not isinstance(params["messages"], list) or not params["messages"]:
        return "params.messages must be a non-empty list"
    if params.get("stream"):
        return "params.stream: a batch request cannot stream"
    return None


def read_records(path: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, custom_id, record) for each JSON object line; ids unique."""
    seen: dict[str, int] = {}
    for number, record in _json_lines(path):
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: a record must be a JSON object")
        custom_id = id_for_record(record)
        if custom_id in seen:
            raise InputError(
                f"{path}:{number}: record id {custom_id!r} repeats line {seen[custom_id]}"
            )
        seen[custom_id] = number
        yield number, custom_id, record


def fill_template(template: str, record: Mapping[str, Any], where: str) -> str:
    """`{field}` -> the record's value (text as is, anything else as JSON); `{{`/`}}` escape."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name not in record:
            raise InputError(f"{where}: the record has no field {name!r} (used by --template)")
        field = record[name]
        return field if isinstance(field, str) else json.dumps(field, ensure_ascii=False)

    return _FIELD.sub(value, template)
