"""Key bindings: Enter sends (unless a \"\"\" block is open), Alt-Enter / Esc Enter / Ctrl-J
insert a newline, Ctrl-C clears a non-empty line and leaves an empty one."""

from __future__ import annotations

from typing import Final

from prompt_toolkit.filters import is_searching
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

FENCE: Final = '"""'


def open_block(text: str) -> bool:
    """A \"\"\" block was opened and is not closed yet (Enter goes on inserting lines)."""
    lines = text.split("\n")
    if lines[0].strip() != FENCE:
        return False
    return len(lines) == 1 or lines[-1].strip() != FENCE


def unfence(text: str) -> str:
    """The text of a \"\"\" block without its fences (other text unchanged)."""
    lines = text.split("\n")
    if len(lines) >= 2 and lines[0].strip() == FENCE and lines[-1].strip() == FENCE:
        return "\n".join(lines[1:-1])
    return text


def chat_bindings() -> KeyBindings:
    bindings = KeyBindings()

    typing = ~is_searching  # Ctrl-R's search field keeps its own Enter and Ctrl-C

    @bindings.add("enter", filter=typing)
    def _send(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if open_block(buffer.text):
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @bindings.add("escape", "enter")
    @bindings.add("c-j")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @bindings.add("c-c", filter=typing)
    def _interrupt(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.text:
            buffer.reset()
        else:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings
