"""Split streamed Markdown into closed top-level blocks and one open tail (pure Python, no rich).

A block is *closed* once no text that can still arrive would change how it renders: a paragraph
at its blank line (or at a line that starts another block), a heading at its end of line, a
fenced code block at its closing fence, a quote or table at a blank line or a line that is not
part of it, and a top-level list item when the next item (or something that ends the list)
starts. Closed blocks are rendered once and committed to the scrollback; only the open tail is
ever re-rendered. Each character is looked at a constant number of times, so splitting a whole
answer costs O(n).

List items are committed one by one so that a long list does not become one ever-growing tail;
`Block.tight` says that an item continues the previous item's list (no blank line between them
when rendered). Rich renders loose and tight lists alike, so nothing is lost.

Known differences from rendering the whole document at once (CommonMark corner cases a model
rarely produces): link reference definitions apply only inside their own block; an ordered list's
number column is sized per item; HTML blocks are treated as paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "BlockSplitter"]

_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|\Z)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)\Z")
_RULE = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})\Z")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*\Z")
_QUOTE = re.compile(r" {0,3}>")
_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])([ \t]+|\Z)")
_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\Z")


@dataclass(frozen=True, slots=True)
class Block:
    """One closed top-level block: its Markdown source (no trailing newline) and kind."""

    source: str
    kind: str  # paragraph, heading, fence, list_item, quote, table, rule, indented
    tight: bool = False  # a list item that continues the previous block's list


def _is_blank(line: str) -> bool:
    return not line.strip()


def _indent(line: str) -> int:
    if not line[:1].isspace():
        return 0
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def _opens_fence(line: str) -> re.Match[str] | None:
    match = _FENCE.match(line)
    if match is None or (match.group(1)[0] == "`" and "`" in match.group(2)):
        return None
    return match


def _interrupts(line: str) -> bool:
    """Does `line` start a block that ends a paragraph, quote or list item?"""
    return bool(_opens_fence(line) or _ATX.match(line) or _RULE.match(line) or _QUOTE.match(line))


def _list_key(match: re.Match[str]) -> str:
    marker = match.group(2)
    return marker[-1] if marker[-1] in ".)" else marker


def _content_indent(match: re.Match[str]) -> int:
    spaces = len(match.group(3).expandtabs(4))
    marker_end = match.end(2)
    return marker_end + (spaces if 1 <= spaces <= 4 else 1)


def _interrupting_item(line: str) -> bool:
    """A list item may interrupt a paragraph only if it is not empty and starts at 1."""
    match = _ITEM.match(line)
    if match is None or _is_blank(line[match.end() :]):
        return False
    marker = match.group(2)
    return not marker[0].isdigit() or marker[:-1] == "1"


class BlockSplitter:
    """`feed()` text as it streams; it returns the blocks that closed. `close()` at the end."""

    def __init__(self) -> None:
        self._partial: list[str] = []  # fragments of the current, unfinished line
        self._lines: list[str] = []  # complete lines of the open block
        self._kind: str | None = None
        self._fence = ""  # opening fence characters while in a fenced block
        self._item_indent = 0
        self._list_key = ""  # marker kind of the open (or last closed) list item
        self._tight = False
        self._blanks = 0  # blank lines held inside a list item or indented code
        self._closed: list[Block] = []

    @property
    def kind(self) -> str | None:
        """Kind of the open block (None between blocks)."""
        return self._kind

    def feed(self, text: str) -> list[Block]:
        """Append `text`; return the blocks it closed, in order."""
        if "\n" not in text:  # the common delta (a token): no line ends, so nothing closes
            if text:
                self._partial.append(text)
            return []
        pieces = text.split("\n")
        if len(pieces) > 1:
            self._partial.append(pieces[0])
            self._line("".join(self._partial))
            for piece in pieces[1:-1]:
                self._line(piece)
            self._partial = []
        if pieces[-1]:
            self._partial.append(pieces[-1])
        return self._take()

    def close(self) -> list[Block]:
        """End of text: the unfinished line and the open block close as they are."""
        if self._partial:
            self._line("".join(self._partial))
            self._partial = []
        if self._kind is not None:
            self._emit()
        return self._take()

    def tail(self) -> str:
        """The open block's source, including the unfinished line."""
        return "\n".join([*self._lines, "".join(self._partial)]).strip("\n")

    def window(self, max_lines: int, max_chars: int) -> str:
        """The end of the tail, enough to fill `max_lines` rows (cheap however long it is).

        Fenced code keeps its opening fence and tables keep their header, so the window
        still renders as the same kind of block.
        """
        keep = 1 if self._kind == "fence" else 2 if self._kind == "table" else 0
        head, body = self._lines[:keep], self._lines[keep:]
        return "\n".join([*head, *body[-max_lines:], self._partial_tail(max_chars)]).strip("\n")

    def _partial_tail(self, max_chars: int) -> str:
        kept: list[str] = []
        size = 0
        for fragment in reversed(self._partial):
            kept.append(fragment)
            size += len(fragment)
            if size >= max_chars:
                break
        text = "".join(reversed(kept))
        if len(text) <= max_chars:
            return text
        cut = text[-max_chars:]
        space = cut.find(" ")
        return cut[space + 1 :] if 0 <= space < 40 else cut

    def _take(self) -> list[Block]:
        closed, self._closed = self._closed, []
        return closed

    def _emit(self, kind: str | None = None) -> None:
        source = "\n".join(self._lines)
        block_kind = kind or self._kind or "paragraph"
        self._closed.append(Block(source, block_kind, self._tight and block_kind == "list_item"))
        self._lines = []
        self._kind = None
        self._blanks = 0
        self._tight = False

    def _line(self, line: str) -> None:
        handler = {
            None: self._start,
            "paragraph": self._in_paragraph,
            "fence": self._in_fence,
            "list_item": self._in_list_item,
            "quote": self._in_quote,
            "table": self._in_table,
            "indented": self._in_indented,
        }[self._kind]
        handler(line)

    def _open(self, kind: str, line: str) -> None:
        self._kind = kind
        self._lines = [line]

    def _start(self, line: str) -> None:
        if _is_blank(line):
            return
        fence = _opens_fence(line)
        if fence is not None:
            self._fence = fence.group(1)
            self._open("fence", line)
        elif _ATX.match(line):
            self._single(line, "heading")
        elif _RULE.match(line):
            self._single(line, "rule")
        else:
            self._start_container(line)

    def _start_container(self, line: str) -> None:
        item = _ITEM.match(line)
        if _QUOTE.match(line):
            self._open("quote", line)
        elif item is not None:
            self._open_item(line, item, tight=False)
        elif _indent(line) >= 4:
            self._open("indented", line)
        else:
            self._open("paragraph", line)

    def _single(self, line: str, kind: str) -> None:
        self._lines = [line]
        self._emit(kind)

    def _open_item(self, line: str, item: re.Match[str], *, tight: bool) -> None:
        self._open("list_item", line)
        self._item_indent = _content_indent(item)
        self._list_key = _list_key(item)
        self._tight = tight

    def _in_paragraph(self, line: str) -> None:
        if _is_blank(line):
            self._emit()
        elif _SETEXT.match(line):
            self._lines.append(line)
            self._emit("heading")
        elif len(self._lines) == 1 and _DELIMITER.match(line) and "|" in self._lines[0] + line:
            self._lines.append(line)
            self._kind = "table"
        elif _interrupts(line) or _interrupting_item(line):
            self._emit()
            self._start(line)
        else:
            self._lines.append(line)

    def _in_fence(self, line: str) -> None:
        self._lines.append(line)
        closing = _FENCE.match(line)
        if closing is None or not _is_blank(closing.group(2)):
            return
        fence = closing.group(1)
        if fence[0] == self._fence[0] and len(fence) >= len(self._fence):
            self._emit()

    def _in_list_item(self, line: str) -> None:
        if _is_blank(line):
            self._blanks += 1
        elif _indent(line) >= self._item_indent:
            self._continue(line)
        elif (item := _ITEM.match(line)) is not None and not _RULE.match(line):
            key = self._list_key
            self._emit()
            self._open_item(line, item, tight=_list_key(item) == key)
        elif self._blanks == 0 and not _interrupts(line):
            self._lines.append(line)  # lazy continuation of the item's paragraph
        else:
            self._emit()
            self._start(line)

    def _continue(self, line: str) -> None:
        self._lines.extend([""] * self._blanks)
        self._blanks = 0
        self._lines.append(line)

    def _in_quote(self, line: str) -> None:
        if _is_blank(line):
            self._emit()
        elif _QUOTE.match(line) or not (_interrupts(line) or _ITEM.match(line)):
            self._lines.append(line)
        else:
            self._emit()
            self._start(line)

    def _in_table(self, line: str) -> None:
        if "|" in line and not _is_blank(line):
            self._lines.append(line)
            return
        self._emit()
        self._start(line)

    def _in_indented(self, line: str) -> None:
        if _is_blank(line):
            self._blanks += 1
        elif _indent(line) >= 4:
            self._continue(line)
        else:
            self._emit()
            self._start(line)
