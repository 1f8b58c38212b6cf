"""Approval rules: deny > ask > allow, by name and argv prefix; the defaults per kind."""

from __future__ import annotations

import pytest

from claudecli.tools.builtin import builtin_tool
from claudecli.tools.rules import Policy, parse_rule, parse_rules
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
    policy = Policy(allow=parse_rules(["run_command(git status)", "run_command(git log *)"]))
    assert policy.decide(RUN, ["git", "status", "-s"]) == "allow"
    assert policy.decide(RUN, ["git", "log", "-1"]) == "allow"
    assert policy.decide(RUN, ["git", "push"]) == "ask"
    assert policy.decide(RUN, ["git"]) == "ask"


def test_deny_then_ask_then_allow() -> None:
    policy = Policy(
        allow=parse_rules(["*"]), ask=parse_rules(["write_file"]), deny=parse_rules(["read_*"])
    )
    assert policy.decide(READ, None) == "deny"
    assert policy.decide(WRITE, None) == "ask"
    assert policy.decide(RUN, ["ls"]) == "allow"


def test_yes_and_always_approve_what_would_ask_never_what_is_denied() -> None:
    policy = Policy(deny=parse_rules(["run_command(rm *)"]), yes=True)
    assert policy.decide(WRITE, None) == "allow"
    assert policy.decide(RUN, ["rm", "x"]) == "deny"
    policy = Policy(always={"write_file"})
    assert policy.decide(WRITE, None) == "allow"
    assert policy.decide(command_tool("d", ["d"], permission="deny"), ["d"]) == "deny"


@pytest.mark.parametrize("text", ["", "(ls)", "run_command(", "run_command()", "x('a)"])
def test_bad_rules(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text)
