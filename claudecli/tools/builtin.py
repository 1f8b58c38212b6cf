"""The built-in tools: file tools confined to a root, and `run_command` (no shell).

Paths come from the model and are untrusted: an absolute path, a `..` that leaves the root and a
symlink that resolves outside it are all refused (the root itself is resolved once, so a root
reached through a link is fine). Files are opened with O_NOFOLLOW and checked on the open file
descriptor (a regular file) before anything is read or written.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from claudecli.client import JSON
from claudecli.tools.spec import ToolDef

MAX_READ: Final = 64 * 1024 * 1024
MAX_SEARCH_FILE: Final = 2 * 1024 * 1024
SKIPPED_DIRS: Final = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv"})


class ToolFailure(Exception):
    """A tool could not do what was asked: the message goes back to the model (is_error)."""


@dataclass(frozen=True)
class Root:
    path: Path  # resolved

    @classmethod
    def of(cls, path: str | Path) -> Root:
        return cls(Path(path).resolve(strict=True))

    def confine(self, given: Any, *, must_exist: bool = True) -> Path:
        """The real path of `given` inside the root; ToolFailure when it is not."""
        if not isinstance(given, str) or not given or "\x00" in given:
            raise ToolFailure("path: a relative path inside the root is required")
        if os.path.isabs(given) or given.startswith("~"):
            raise ToolFailure(
                f"{given}: absolute paths are refused; give a path relative to the root"
            )
        real = (self.path / given).resolve(strict=False)
        if not real.is_relative_to(self.path):
            raise ToolFailure(f"{given}: outside the root {self.path} (through .. or a symlink)")
        if must_exist and not real.exists():
            raise ToolFailure(f"{given}: no such file or directory")
        return real

    def shown(self, path: Path) -> str:
        return str(path.relative_to(self.path)) or "."


def _schema(properties: JSON, required: list[str]) -> JSON:
    return {"type": "object", "properties": properties, "required": required}


_PATH = {"type": "string", "description": "A path relative to the root."}
DEFINITIONS: Final[dict[str, tuple[str, JSON]]] = {
    "read_file": (
        "Read a text file under the root. Long files are cut; use offset (a line number, "
        "1-based) and limit (lines) to read further.",
        _schema(
            {
                "path": _PATH,
                "offset": {"type": "integer", "minimum": 1},
                "limit": {"type": "integer", "minimum": 1},
            },
            ["path"],
        ),
    ),
    "list_dir": (
        "List a directory under the root (directories end with /).",
        _schema({"path": {**_PATH, "default": "."}}, []),
    ),
    "search_files": (
        "Search the text files under a directory of the root for a regular expression; "
        "answers path:line: text for each matching line.",
        _schema({"pattern": {"type": "string"}, "path": {**_PATH, "default": "."}}, ["pattern"]),
    ),
    "write_file": (
        "Write a text file under the root (created or replaced).",
        _schema({"path": _PATH, "content": {"type": "string"}}, ["path", "content"]),
    ),
    "run_command": (
        "Run a program with arguments (no shell: no pipes, redirects or variables). "
        "argv[0] is the program.",
        _schema({"argv": {"type": "array", "items": {"type": "string"}, "minItems": 1}}, ["argv"]),
    ),
}


def builtin_tool(name: str, timeout: float) -> ToolDef:
    description, schema = DEFINITIONS[name]
    return ToolDef(name, description, schema, "builtin", timeout=timeout)


# --- the file tools ---------------------------------------------------------------------------


def read_file(root: Root, args: JSON, cap: int) -> str:
    path = root.confine(args.get("path"))
    data = _read_regular(path, root)
    text = data.decode("utf-8", "replace")
    if "offset" in args or "limit" in args:
        lines = text.splitlines(keepends=True)
        start = int(args.get("offset", 1)) - 1
        text = "".join(lines[start : start + int(args.get("limit", len(lines)))])
    return text


def _read_regular(path: Path, root: Root) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a FIFO must not block
    except OSError as error:
        raise ToolFailure(f"{root.shown(path)}: {error.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ToolFailure(f"{root.shown(path)}: not a regular file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_READ:
            raise ToolFailure(f"{root.shown(path)}: {info.st_size} bytes; the limit is {MAX_READ}")
        return handle.read(MAX_READ)


def list_dir(root: Root, args: JSON, cap: int) -> str:
    path = root.confine(args.get("path", "."))
    if not path.is_dir():
        raise ToolFailure(f"{root.shown(path)}: not a directory")
    entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    names = [e.name + ("/" if e.is_dir(follow_symlinks=False) else "") for e in entries]
    return "\n".join(names) if names else "(empty directory)"


def search_files(root: Root, args: JSON, cap: int) -> str:
    try:
        pattern = re.compile(str(args.get("pattern", "")))
    except re.error as error:
        raise ToolFailure(f"pattern: not a regular expression ({error})") from None
    start = root.confine(args.get("path", "."))
    found: list[str] = []
    size = 0
    for file in _walk(start):
        for line in _matching_lines(file, pattern, root):
            found.append(line)
            size += len(line) + 1
            if size > cap:
                return "\n".join(found)
    return "\n".join(found) if found else "(no matches)"


def _walk(start: Path) -> Iterator[Path]:
    if start.is_file():
        yield start
        return
    for directory, dirs, files in os.walk(start, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(directory, name)
            if not path.is_symlink():
                yield path


def _matching_lines(path: Path, pattern: re.Pattern[str], root: Root) -> Iterator[str]:
    try:
        if path.stat().st_size > MAX_SEARCH_FILE:
            return
        data = path.read_bytes()
    except OSError:
        return
    if b"\x00" in data[:8192]:
        return  # binary
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if pattern.search(line):
            yield f"{root.shown(path)}:{number}: {line}"


def write_file(root: Root, args: JSON, cap: int) -> str:
    path = root.confine(args.get("path"), must_exist=False)
    if not path.parent.is_dir():
        raise ToolFailure(f"{root.shown(path.parent)}: no such directory")
    data = str(args.get("content", "")).encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as error:
        raise ToolFailure(f"{root.shown(path)}: {error.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ToolFailure(f"{root.shown(path)}: not a regular file")
        handle.write(data)
    return f"wrote {len(data)} bytes to {root.shown(path)}"


FILE_TOOLS: Final = {
    "read_file": read_file,
    "list_dir": list_dir,
    "search_files": search_files,
    "write_file": write_file,
}
