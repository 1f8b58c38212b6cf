"""The prompt in-process: prompt_toolkit's pipe input and DummyOutput, keys as bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from claudecli.chat import command_names
from claudecli.repl import ChatPrompt, PromptQuit
from claudecli.repl.completion import SlashCompleter
from claudecli.repl.history import StoreHistory
from claudecli.repl.keys import open_block, unfence

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


class Log:
    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines = list(lines or [])

    def add_input(self, text: str) -> None:
        self.lines.insert(0, text)

    def recent_inputs(self, *, limit: int = 1000) -> list[str]:
        return self.lines[:limit]


@pytest.fixture
def typed() -> Iterator[object]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def prompt(log: Log | None = None) -> ChatPrompt:
    return ChatPrompt(
        history=log, commands=command_names(), toolbar=lambda: "model", terminal=False
    )


def read(pipe: object, keys: str, log: Log | None = None) -> str:
    pipe.send_text(keys)  # type: ignore[attr-defined]
    return prompt(log).read()


def test_enter_sends(typed: object) -> None:
    assert read(typed, "hello\r") == "hello"


@pytest.mark.parametrize("newline", ["\x1b\r", "\n"], ids=["esc-enter", "ctrl-j"])
def test_alt_enter_and_ctrl_j_insert_a_newline(typed: object, newline: str) -> None:
    assert read(typed, f"one{newline}two\r") == "one\ntwo"


def test_a_multi_line_paste_never_sends_early(typed: object) -> None:
    pasted = f"{PASTE_START}line 1\r\nline 2\nline 3\r{PASTE_END}"
    assert read(typed, pasted + "end\r") == "line 1\nline 2\nline 3\nend"


def test_a_fenced_block_goes_on_until_it_is_closed(typed: object) -> None:
    assert read(typed, '"""\rfirst\r\rsecond\r"""\r') == "first\n\nsecond"


def test_ctrl_c_clears_the_line(typed: object) -> None:
    assert read(typed, "typo\x03fixed\r") == "fixed"


def test_ctrl_c_twice_on_an_empty_line_leaves(typed: object) -> None:
    with pytest.raises(PromptQuit):
        read(typed, "\x03\x03")


def test_ctrl_c_once_then_a_message(typed: object) -> None:
    assert read(typed, "\x03again\r") == "again"


def test_ctrl_d_leaves(typed: object) -> None:
    with pytest.raises(PromptQuit):
        read(typed, "\x04")


def test_empty_lines_are_not_sent(typed: object) -> None:
    assert read(typed, "\r   \rreal\r") == "real"


def test_history_comes_from_and_goes_to_the_store(typed: object) -> None:
    log = Log(["newest", "older"])
    assert read(typed, "\x1b[A\r", log) == "newest"  # up-arrow recalls the last line
    assert log.lines[0] == "newest"
    assert read(typed, "fresh\r", log) == "fresh"
    assert log.lines[0] == "fresh"


def test_ctrl_r_searches_the_history(typed: object) -> None:
    log = Log(["third thing", "second item", "first thing"])
    assert read(typed, "\x12item\r\r", log) == "second item"


def test_fences() -> None:
    assert open_block('"""') and open_block('"""\nabc')
    assert not open_block('"""\nabc\n"""') and not open_block("plain")
    assert unfence('"""\na\nb\n"""') == "a\nb" and unfence("a") == "a"


def completions(text: str, **words: list[str]) -> list[str]:
    completer = SlashCompleter(
        command_names(),
        models=lambda: words.get("models", []),
        roles=lambda: words.get("roles", []),
    )
    found = completer.get_completions(Document(text, len(text)), CompleteEvent())
    return [c.text for c in found]


def test_slash_commands_complete() -> None:
    assert completions("/mo") == ["/model"]
    assert "/retry" in completions("/re") and "/role" in completions("/r")
    assert completions("hello /mo") == []
    assert completions("/model claude-s", models=["claude-sonnet-5-5", "claude-opus-5-5"]) == [
        "claude-sonnet-5-5"
    ]
    assert completions("/effort h") == ["high"]
    assert completions("/role rev", roles=["reviewer"]) == ["reviewer"]


def test_attach_completes_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-")
    monkeypatch.chdir(tmp_path)
    assert completions("/attach rep") == ["ort.pdf"]


def test_store_history_survives_a_failing_store() -> None:
    class Broken:
        def add_input(self, text: str) -> None:
            raise OSError("full")

        def recent_inputs(self, *, limit: int = 1000) -> list[str]:
            raise OSError("locked")

    history = StoreHistory(Broken())
    assert list(history.load_history_strings()) == []
    history.store_string("still fine")
