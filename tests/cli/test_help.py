"""`--help`: options in sections, accepted values shown, examples last, summaries never cut."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.cli.helpers import cli_env, command


def help_of(*args: str) -> str:
    done = subprocess.run(
        [*command(), *args, "--help"],
        capture_output=True,
        text=True,
        env=cli_env(None),
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def sections(text: str) -> list[str]:
    return re.findall(r"^(\S[^:\n]*):$", text, flags=re.MULTILINE)


def test_ask_help_groups_its_options() -> None:
    text = help_of("ask")
    assert sections(text) == [
        "Arguments",
        "Input",
        "Model and thinking",
        "Output",
        "Caching",
        "Network",
        "Conversation",
        "Options",
        "Examples",
    ]
    caching = text.split("\nCaching:\n")[1].split("\n\n")[0]
    assert "--cache system|attachments|prompt|auto|off" in caching
    assert "--cache-ttl 5m|1h" in caching


@pytest.mark.parametrize(
    "shown",
    [
        "--thinking adaptive|off|N",
        "--effort low|medium|high|xhigh|max",
        "--max-tokens N",
        "--timeout SECONDS",
        "-a, --attach FILE",
        "-m, --model MODEL",
    ],
)
def test_ask_help_shows_accepted_values(shown: str) -> None:
    assert shown in help_of("ask")


def test_no_type_names_as_metavars() -> None:
    for args in [("ask",), ("count-tokens",), ("emulator", "serve"), ()]:
        text = help_of(*args)
        assert not re.search(r"<(str|int|float)[^>]*>|INTEGER|FLOAT", text), args


@pytest.mark.parametrize(
    "args",
    [(), ("ask",), ("count-tokens",), ("models",), ("config", "show"), ("auth", "login")],
)
def test_every_help_ends_with_examples(args: tuple[str, ...]) -> None:
    tail = help_of(*args).rstrip().split("\nExamples:\n")[-1]
    lines = tail.splitlines()
    assert 1 <= len(lines) <= 3
    assert all(line.strip().startswith(("claudecli", "cat ", "git ", "pass ")) for line in lines)


def test_command_summaries_are_never_cut() -> None:
    text = help_of()
    commands = text.split("\nCommands:\n")[1].split("\n\n")[0]
    assert "..." not in commands and "…" not in commands
    assert "without sending it." in " ".join(commands.split())
