"""Usage errors are one line on stderr, name the flag the user typed, and exit 2; `--debug` is
accepted after the subcommand too. Each case runs the installed binary (no emulator: nothing is
sent, so the URL points nowhere).
"""

from __future__ import annotations

import subprocess

import pytest

from tests.cli.helpers import cli_env, command

NOWHERE = "http://127.0.0.1:9"


def claudecli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=cli_env(NOWHERE),
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("ask", "--max-tokens", "x", "hi"),
            "invalid value for --max-tokens: 'x' is not a whole number "
            "(see 'claudecli ask --help')",
        ),
        (("ask", "--bogus", "hi"), "No such option: --bogus (see 'claudecli ask --help')"),
        (
            ("ask", "--max-token", "5", "hi"),
            "No such option: --max-token; did you mean --max-tokens? (see 'claudecli ask --help')",
        ),
        (("nope",), "No such command 'nope' (see 'claudecli --help')"),
        (("ask", "-m"), "Option -m requires an argument"),
        (
            ("completion",),
            "Missing argument 'bash|zsh|fish'. Choose from: bash, zsh, fish "
            "(see 'claudecli completion --help')",
        ),
        (
            ("config", "show", "--nope"),
            "No such option: --nope (see 'claudecli config show --help')",
        ),
    ],
    ids=[
        "bad-value",
        "unknown-option",
        "typo",
        "unknown-command",
        "missing-value",
        "missing-arg",
        "nested",
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(args: tuple[str, ...], line: str) -> None:
    done = claudecli(*args)
    assert done.returncode == 2, done
    assert done.stderr.lower() == f"claudecli: error: {line}\n".lower()
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "flag", "shown"),
    [
        (("ask", "--timeout", "0", "hi"), "--timeout", "x>0"),
        (("ask", "--max-tokens", "0", "hi"), "--max-tokens", "x>=1"),
        (("count-tokens", "--max-tokens", "0", "hi"), "--max-tokens", "x>=1"),
        (("ask", "--max-retries", "-1", "hi"), "--max-retries", "x>=0"),
    ],
)
def test_a_refused_value_names_the_typed_flag_and_its_range(
    args: tuple[str, ...], flag: str, shown: str
) -> None:
    done = claudecli(*args)
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1
    assert f"Invalid value for {flag}: " in done.stderr
    assert "total-timeout" not in done.stderr and "total_timeout" not in done.stderr
    help_text = claudecli(args[0], "--help").stdout
    assert f"[{shown}" in help_text


def test_max_retries_zero_is_accepted() -> None:
    done = claudecli("ask", "--max-retries", "0", "--dry-run", "hi")
    assert done.returncode == 0, done


def test_a_settings_error_from_a_flag_names_that_flag() -> None:
    from claudecli.cli.exits import error_line
    from claudecli.errors import UsageError

    message = "--total-timeout: total_timeout must be a number > 0, got 0"
    assert error_line(UsageError(message)).startswith("claudecli: error: --timeout: ")


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "--debug", "--dry-run", "hi"),
        ("ask", "--dry-run", "hi", "--debug"),
        ("--debug", "ask", "--dry-run", "hi"),
    ],
    ids=["after", "at-the-end", "before"],
)
def test_debug_works_before_and_after_the_subcommand(args: tuple[str, ...]) -> None:
    done = claudecli(*args)
    assert done.returncode == 0, done
    assert '"model"' in done.stdout


def test_debug_after_the_subcommand_shows_the_traceback() -> None:
    done = claudecli("ask", "--debug", "--schema", "/nonexistent/schema.json", "hi")
    assert done.returncode == 3, done
    assert done.stderr.splitlines()[-1].startswith("claudecli: error: ")
    assert "Traceback (most recent call last)" in done.stderr


@pytest.mark.parametrize(
    "args", [("models", "--help"), ("config", "show", "--help"), ("auth", "status", "--help")]
)
def test_every_command_takes_debug(args: tuple[str, ...]) -> None:
    assert "--debug" in claudecli(*args).stdout
