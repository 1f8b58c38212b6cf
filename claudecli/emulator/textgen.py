"""Deterministic Markdown-ish filler text, sized in emulator tokens (4 ASCII characters each).

The corpus is generated once (and doubled on demand) from a fixed pseudo-random sequence, so a
100,000-token reply is a string slice, not a generation loop per request.
"""

from __future__ import annotations

import threading

__all__ = ["filler"]

_VOCABULARY = (
    "the emulator streams deterministic tokens for offline tests while the terminal renders "
    "markdown tables lists and code blocks with care each reply is reproducible byte for byte "
    "so scripts cron jobs and pipelines can depend on it without any network access or key "
    "latency retries backoff cache prompt model thinking tool batch citation document window"
)
_WORDS = tuple(_VOCABULARY.split(" "))
_lock = threading.Lock()
_corpus = ""


def filler(tokens: int) -> str:
    """Exactly `tokens` emulator tokens (4·tokens characters) of Markdown-ish prose."""
    global _corpus
    chars = max(0, tokens) * 4
    with _lock:
        if len(_corpus) < chars:
            _corpus = _build(max(chars, 2 * len(_corpus), 65_536))
        return _corpus[:chars]


def _build(chars: int) -> str:
    parts: list[str] = []
    size, state, section = 0, 12345, 0
    while size < chars:
        section += 1
        block, state = _section(section, state)
        parts.append(block)
        size += len(block)
    return "".join(parts)


def _section(number: int, state: int) -> tuple[str, int]:
    lines = [f"## Section {number}\n\n"]
    for kind in range(4):
        sentence, state = _sentence(state, 14 + kind * 3)
        lines.append(_decorate(kind, sentence, number))
    return "".join(lines), state


def _decorate(kind: int, sentence: str, number: int) -> str:
    if kind == 1:
        return f"- **Point {number}:** {sentence}\n- `item_{number}` {sentence}\n\n"
    if kind == 3:
        return f"> {sentence}\n\n"
    return sentence + "\n\n"


def _sentence(state: int, length: int) -> tuple[str, int]:
    words: list[str] = []
    for _ in range(length):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        words.append(_WORDS[state % len(_WORDS)])
    return words[0].capitalize() + " " + " ".join(words[1:]) + ".", state
