"""Approval rules: deny > ask > allow, by name and argv prefix; the defaults per kind."""

from __future__ import annotations

import pytest

from claudecli.tools.builtin import builtin_tool
from claudecli.tools.rules import Layer, Policy, parse_rule, parse_rules
from tests.tools.helpers import command_tool

RUN = builtin_tool("run_command", 30)
READ = builtin_tool("read_file", 30)
WRITE = builtin_tool("write_file", 30)


def test_defaults_read_only_builtins_allowed_the_rest_asks() -> None:
    policy = Policy()
    assert policy.decide(READ, None) == "allow"
    assert policy.decide(WRITE, None) == "ask"
    assert policy.decide(RUN, ["ls"]) == "ask"
    assert policy.decide(command_tool("x", ["x"]), ["x"]) == "ask"


def test_argv_prefix_rules() -> None:
    policy = Policy.of(allow=parse_rules(["run_command(git status)", "run_command(git log *)"]))
    assert policy.decide(RUN, ["git", "status", "-s"]) == "allow"
    assert policy.decide(RUN, ["git", "log", "-1"]) == "allow"
    assert policy.decide(RUN, ["git", "push"]) == "ask"
    assert policy.decide(RUN, ["git"]) == "ask"


def test_deny_then_ask_then_allow() -> None:
    policy = Policy.of(
        allow=parse_rules(["*"]), ask=parse_rules(["write_file"]), deny=parse_rules(["read_*"])
    )
    assert policy.decide(READ, None) == "deny"
    assert policy.decide(WRITE, None) == "ask"
    assert policy.decide(RUN, ["ls"]) == "allow"


def test_yes_and_always_approve_what_would_ask_never_what_is_denied() -> None:
    policy = Policy.of(deny=parse_rules(["run_command(rm *)"]), yes=True)
    assert policy.decide(WRITE, None) == "allow"
    assert policy.decide(RUN, ["rm", "x"]) == "deny"
    policy = Policy(always={"write_file"})
    assert policy.decide(WRITE, None) == "allow"
    assert policy.decide(command_tool("d", ["d"], permission="deny"), ["d"]) == "deny"


@pytest.mark.parametrize("text", ["", "(ls)", "run_command(", "run_command()", "x('a)"])
def test_bad_rules(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text)


def test_layers_flags_over_the_tools_file_over_settings_and_deny_from_anywhere_wins() -> None:
    count = command_tool("count", ["wc"], permission="allow")
    flags = Layer(allow=parse_rules(["read_file", "write_file"]))
    tools_file = Layer(ask=parse_rules(["read_file", "run_command"]), permissions=True)
    settings = Layer(
        allow=parse_rules(["run_command(git status)", "write_file"]),
        ask=parse_rules(["count", "list_dir"]),
        deny=parse_rules(["run_command(rm *)"]),
    )
    policy = Policy((flags, tools_file, settings), yes=False)
    assert policy.decide(READ, None) == "allow"  # the flag beats the tools file's ask
    assert policy.decide(RUN, ["git", "status"]) == "ask"  # the tools file beats the settings
    assert policy.decide(count, ["wc"]) == "allow"  # its own permission beats the settings
    assert policy.decide(builtin_tool("list_dir", 30), None) == "ask"  # settings beat defaults
    policy = Policy((Layer(allow=parse_rules(["run_command"])), Layer(), settings), yes=True)
    assert policy.decide(RUN, ["rm", "-rf", "x"]) == "deny"  # a settings deny beats a flag
    assert Policy((Layer(), Layer(), settings)).decide(RUN, ["git", "status"]) == "allow"
