"""Tab completion of slash commands and their arguments (paths for /attach and /export, model
ids from the models cache, the values of /thinking, /effort, /cache and /role)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

Words = Callable[[], Iterable[str]]
CHOICES: Mapping[str, Sequence[str]] = {
    "/thinking": ("adaptive", "off"),
    "/effort": ("low", "medium", "high", "xhigh", "max"),
    "/cache": ("auto", "system", "attachments", "prompt", "off"),
    "/system": ("off",),
}


class SlashCompleter(Completer):
    """The command name while there is no space; after it, that command's argument.

    (prompt_toolkit's NestedCompleter splits `/` from the word, so `/mo` completes nothing.)
    """

    def __init__(self, commands: Sequence[str], *, models: Words, roles: Words) -> None:
        self.commands = commands
        self.paths = PathCompleter(expanduser=True)
        self.words: dict[str, Words] = {"/model": models, "/role": roles}
        self.words |= {name: _fixed(values) for name, values in CHOICES.items()}

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        if " " not in text:
            yield from (Completion(n, -len(text)) for n in self.commands if n.startswith(text))
            return
        head, rest = text.split(" ", 1)
        if head in ("/attach", "/export"):
            yield from self.paths.get_completions(Document(rest, len(rest)), event)
        elif head in self.words:
            word = rest.split(" ")[-1]
            for value in self.words[head]():
                if value.startswith(word):
                    yield Completion(value, -len(word))


def _fixed(values: Sequence[str]) -> Words:
    return lambda: values
