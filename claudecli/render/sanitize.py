"""Make untrusted text safe for a terminal (model text, tool output, server messages, file names).

Rich strips only BEL/BS/VT/FF/CR and passes ESC, CSI, OSC (clipboard writes, hyperlinks, titles)
and 8-bit C1 codes straight through, to a TTY and to a pipe alike (reliability-security.md §C5).
Everything from outside is therefore run through `sanitize()` before it is rendered or written:

* complete **and unterminated** control sequences are removed whole: CSI (`ESC [`, 0x9b), the
  string sequences OSC (`ESC ]`, 0x9d), DCS (`ESC P`, 0x90), SOS (`ESC X`, 0x98), PM (`ESC ^`,
  0x9e) and APC (`ESC _`, 0x9f), and two-character escapes such as `ESC c` (reset);
* every remaining C0 control except `\\n` and `\\t`, DEL and every C1 code is dropped.

A string sequence ends at BEL, ST (`ESC \\` or 0x9c), at the next ESC, or at the end of the line:
an unterminated OSC therefore swallows at most the rest of its line, never the rest of the answer.

`StreamSanitizer` applies the same rules to a stream of deltas: a sequence split across two
deltas is held back (or, for string sequences, skipped) until it is complete, so neither its
control characters nor its payload leak. Joining its outputs equals `sanitize()` of the whole
text. `visible()` shows escapes as text (`\\x1b[2J`) instead, for approval prompts.

This module must not import rich: the pipe path uses it without loading rich.
"""

from __future__ import annotations

import re

__all__ = ["StreamSanitizer", "sanitize", "visible"]

_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
_STRING_INTRO = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])"
_STRING_BODY = r"[^\x07\x1b\x9c\n]*"
_STRING = _STRING_INTRO + _STRING_BODY + r"(?:\x07|\x1b\\|\x9c)?"
_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"

_UNSAFE = re.compile(f"{_CSI}|{_STRING}|{_ESCAPE}|{_CONTROL}")
_ANY_CONTROL = re.compile(_CONTROL)
# A sequence that may still be incomplete at the very end of a chunk.
_INCOMPLETE = re.compile(
    r"(?:\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*|[\x20-\x2f]*)|\x9b[\x30-\x3f]*[\x20-\x2f]*)\Z"
    f"|{_STRING_INTRO}{_STRING_BODY}\\x1b?\\Z"
)
_STRING_END = re.compile(r"[\x07\x9c\n]|\x1b")
_MAX_HELD = 256
_STRING_STARTS = frozenset("\x90\x98\x9d\x9e\x9f")


def sanitize(text: str) -> str:
    """Remove control sequences and control characters; keep `\\n` and `\\t`."""
    if _ANY_CONTROL.search(text) is None:
        return text
    return _UNSAFE.sub("", text)


def _show(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Show control characters as `\\x1b`-style text instead of removing them."""
    pattern = _ANY_CONTROL if keep_newlines else _ANY_OR_NEWLINE
    return pattern.sub(_show, text)


_ANY_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _is_string_sequence(tail: str) -> bool:
    return tail[0] in _STRING_STARTS or (len(tail) > 1 and tail[1] in "]PX^_")


class StreamSanitizer:
    """Incremental `sanitize()`: `feed()` each delta, then `flush()` once at the end."""

    __slots__ = ("_held", "_skip_esc", "_skipping")

    def __init__(self) -> None:
        self._held = ""  # an incomplete CSI or escape at the end of the last chunk
        self._skipping = False  # inside the body of an unterminated string sequence
        self._skip_esc = False  # ... whose last chunk ended in ESC (maybe the start of ST)

    def feed(self, chunk: str) -> str:
        """Return the safe text of `chunk`, holding back a trailing incomplete sequence."""
        if self._skipping:
            chunk = self._skip(chunk)
            if self._skipping:
                return ""
        text = self._held + chunk if self._held else chunk
        self._held = ""
        if _ANY_CONTROL.search(text) is None:
            return text
        match = _INCOMPLETE.search(text)
        if match is not None:
            text = self._hold(text, match.start())
        return _UNSAFE.sub("", text)

    def flush(self) -> str:
        """End of stream: anything still held is an unterminated sequence and is dropped."""
        held, self._held = self._held, ""
        self._skipping = self._skip_esc = False
        return _UNSAFE.sub("", held)

    def _hold(self, text: str, start: int) -> str:
        tail = text[start:]
        if _is_string_sequence(tail):
            self._skipping = True
            self._skip_esc = tail.endswith("\x1b")  # an intro never ends in ESC
            return text[:start]
        if len(tail) <= _MAX_HELD:
            self._held = tail
            return text[:start]
        return text  # absurdly long: sanitize it now, a leftover cannot contain controls

    def _skip(self, chunk: str) -> str:
        """Drop the body of a string sequence; return what follows its end."""
        if not chunk:
            return ""
        if self._skip_esc:
            self._skip_esc = False
            self._skipping = False
            return chunk[1:] if chunk.startswith("\\") else "\x1b" + chunk
        match = _STRING_END.search(chunk)
        if match is None:
            return ""
        end = match.start()
        char = chunk[end]
        if char == "\n":
            self._skipping = False
            return chunk[end:]
        if char != "\x1b":
            self._skipping = False
            return chunk[end + 1 :]
        if end + 1 == len(chunk):
            self._skip_esc = True
            return ""
        self._skipping = False
        return chunk[end + 2 :] if chunk[end + 1] == "\\" else chunk[end:]
