"""The terminal around the prompt: type-ahead, $EDITOR, and the system clipboard."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from typing import Final

CLIPBOARD_TOOLS: Final = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
)


class ClipboardMissing(Exception):
    """No clipboard tool on PATH (or it failed): the message says what to install."""


def flush_typeahead(fd: int | None = None) -> None:
    """Drop keys typed while an answer streamed (they were echoed into it)."""
    import termios

    try:
        termios.tcflush(sys.stdin.fileno() if fd is None else fd, termios.TCIFLUSH)
    except (OSError, ValueError, termios.error):
        pass


def edit_text(initial: str, env: Mapping[str, str]) -> str | None:
    """Edit `initial` in $VISUAL / $EDITOR (else vi); the text saved, or None if it failed."""
    command = shlex.split(env.get("VISUAL") or env.get("EDITOR") or "vi")
    fd, name = tempfile.mkstemp(prefix="claudecli-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        done = subprocess.run([*command, name], check=False)
        if done.returncode != 0:
            return None
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.unlink(name)


def copy_text(text: str, env: Mapping[str, str]) -> str:
    """Put `text` on the clipboard; the tool's name. ClipboardMissing when there is none."""
    path = env.get("PATH", os.defpath)
    for tool in CLIPBOARD_TOOLS:
        found = shutil.which(tool[0], path=path)
        if found is None:
            continue
        done = subprocess.run(
            [found, *tool[1:]], input=text.encode(), capture_output=True, timeout=5, check=False
        )
        if done.returncode == 0:
            return tool[0]
    names = ", ".join(tool[0] for tool in CLIPBOARD_TOOLS)
    raise ClipboardMissing(f"/copy: no clipboard tool found (install one of {names})")
