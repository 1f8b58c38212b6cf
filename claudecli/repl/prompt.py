"""`ChatPrompt`: one PromptSession for the whole chat, read between answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from .completion import SlashCompleter, Words
from .history import InputLog, StoreHistory
from .keys import chat_bindings, unfence
from .tools import flush_typeahead

PROMPT: Final = "you> "
QUIT_HINT: Final = "(Ctrl-C again or Ctrl-D quits; /help lists the commands)"


class PromptQuit(Exception):
    """The user left: Ctrl-D, or Ctrl-C twice on an empty line."""


class ChatPrompt:
    """Reads messages and commands; `toolbar()` is called on every redraw (no I/O in it)."""

    def __init__(
        self,
        *,
        history: InputLog | None,
        commands: Sequence[str],
        toolbar: Callable[[], str],
        models: Words = lambda: (),
        roles: Words = lambda: (),
        terminal: bool = True,
        pt_input: Any = None,
        pt_output: Any = None,
    ) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
        from prompt_toolkit.history import InMemoryHistory

        self.terminal = terminal  # a real terminal: flush type-ahead before each prompt
        self._armed = False  # the last prompt ended with Ctrl-C on an empty line
        self.session: Any = PromptSession(
            PROMPT,
            multiline=True,
            key_bindings=chat_bindings(),
            history=StoreHistory(history) if history else InMemoryHistory(),
            completer=SlashCompleter(commands, models=models, roles=roles),
            complete_while_typing=True,
            auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=lambda: " " + toolbar(),
            prompt_continuation=lambda width, line, wrap: "." * (width - 1) + " ",
            input=pt_input,
            output=pt_output,
        )

    def read(self, default: str = "") -> str:
        """The next message or command, `\"\"\"` fences removed; PromptQuit when the user
        leaves. Ctrl-C clears a line; on an empty line it warns once, then leaves."""
        while True:
            if self.terminal:
                flush_typeahead()
            try:
                text: str = self.session.prompt(default=default)
            except EOFError:
                raise PromptQuit() from None
            except KeyboardInterrupt:
                if self._armed:
                    raise PromptQuit() from None
                self._armed = True
                self.say(QUIT_HINT)
                continue
            self._armed = False
            default = ""
            text = unfence(text)
            if text.strip():
                return text

    def say(self, text: str) -> None:
        from prompt_toolkit import print_formatted_text

        print_formatted_text(text, output=self.session.output)
