"""Approval rules: deny, then ask, then allow; the tool's default when no rule matches.

A rule is a tool name (`read_file`, `mcp__files__*`) or, for `run_command` and command tools, a
name with an argv prefix: `run_command(git status)` matches `git status`, `git status -s`, …
Each word is a shell-style glob (`run_command(git log *)`); the prefix is matched on the parsed
argv, never on a shell string. `--yes` approves whatever would ask; `always` (an answer to an
approval prompt) approves that tool for the rest of the run. A deny rule always wins.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudecli.tools.spec import Permission, ToolDef


@dataclass(frozen=True)
class Rule:
    name: str  # a glob over tool names
    argv: tuple[str, ...] | None = None  # globs over the first argv words

    def matches(self, name: str, argv: Sequence[str] | None) -> bool:
        if not fnmatchcase(name, self.name):
            return False
        if self.argv is None:
            return True
        if argv is None or len(argv) < len(self.argv):
            return False
        return all(
            fnmatchcase(word, pattern) for word, pattern in zip(argv, self.argv, strict=False)
        )


def parse_rule(text: str) -> Rule:
    """`NAME` or `NAME(argv prefix)`; ValueError with a one-line reason."""
    text = text.strip()
    name, paren, rest = text.partition("(")
    if not name.strip():
        raise ValueError(f"{text!r}: a rule is a tool name, or NAME(argv prefix)")
    if not paren:
        return Rule(name.strip())
    if not rest.endswith(")"):
        raise ValueError(f"{text!r}: the argv prefix must end with ')'")
    try:
        words = tuple(shlex.split(rest[:-1]))
    except ValueError as error:
        raise ValueError(f"{text!r}: {error}") from None
    if not words:
        raise ValueError(f"{text!r}: an empty argv prefix; write just {name.strip()}")
    return Rule(name.strip(), words)


def parse_rules(texts: Iterable[str]) -> tuple[Rule, ...]:
    return tuple(parse_rule(text) for text in texts)


@dataclass
class Policy:
    """The run's rules; `always` grows as the user answers `always`."""

    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()
    yes: bool = False
    always: set[str] = field(default_factory=set)

    def decide(self, tool: ToolDef, argv: Sequence[str] | None) -> Permission:
        """allow, ask or deny for this call (argv: the command line it would run, if any)."""
        if tool.permission == "deny" or _any(self.deny, tool.name, argv):
            return "deny"
        if _any(self.ask, tool.name, argv):
            verdict: Permission = "ask"
        elif _any(self.allow, tool.name, argv):
            verdict = "allow"
        else:
            verdict = tool.permission or tool.default_permission()
        if verdict == "ask" and (self.yes or tool.name in self.always):
            return "allow"
        return verdict


def _any(rules: Iterable[Rule], name: str, argv: Sequence[str] | None) -> bool:
    return any(rule.matches(name, argv) for rule in rules)
