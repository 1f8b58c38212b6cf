"""Approval rules: deny, then ask, then allow; the tool's default when no rule matches.

A rule is a tool name (`read_file`, `mcp__files__*`) or, for `run_command` and command tools, a
name with an argv prefix: `run_command(git status)` matches `git status`, `git status -s`, …
Each word is a shell-style glob (`run_command(git log *)`); the prefix is matched on the parsed
argv, never on a shell string. `--yes` approves whatever would ask; `always` (an answer to an
approval prompt) approves that tool for the rest of the run.

Rules come in layers, highest first: the flags (`--allow`, `--deny`), the tools file, then the
settings (`tools:` in config.yaml). A deny rule of any layer always wins. Otherwise the highest
layer with a matching ask or allow rule decides (ask before allow within a layer); a tools
file's own `permission:` of a tool ranks right after that file's rules, above the settings.
"""

from __future__ import annotations

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
    from claudecli.config.schema import split_tool_rule

    name, argv = split_tool_rule(text)
    return Rule(name, argv)


def parse_rules(texts: Iterable[str]) -> tuple[Rule, ...]:
    return tuple(parse_rule(text) for text in texts)


@dataclass(frozen=True)
class Layer:
    """The rules of one source (the flags, the tools file or the settings)."""

    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()
    permissions: bool = False  # the tools file: its tools' own `permission:` ranks next

    def verdict(self, tool: ToolDef, argv: Sequence[str] | None) -> Permission | None:
        """ask or allow when one of this layer's rules (or the tool's own permission) says so."""
        if _any(self.ask, tool.name, argv):
            return "ask"
        if _any(self.allow, tool.name, argv):
            return "allow"
        return tool.permission if self.permissions else None


@dataclass
class Policy:
    """The run's rules, highest layer first; `always` grows as the user answers `always`."""

    layers: tuple[Layer, ...] = ()
    yes: bool = False
    always: set[str] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        *,
        allow: tuple[Rule, ...] = (),
        ask: tuple[Rule, ...] = (),
        deny: tuple[Rule, ...] = (),
        yes: bool = False,
    ) -> Policy:
        """A policy of one layer."""
        return cls((Layer(allow, ask, deny),), yes=yes)

    def decide(self, tool: ToolDef, argv: Sequence[str] | None) -> Permission:
        """allow, ask or deny for this call (argv: the command line it would run, if any)."""
        if tool.permission == "deny" or self.denies(tool.name, argv):
            return "deny"
        verdicts = (layer.verdict(tool, argv) for layer in self.layers)
        found = next((verdict for verdict in verdicts if verdict is not None), None)
        verdict: Permission = found or tool.permission or tool.default_permission()
        if verdict == "ask" and (self.yes or tool.name in self.always):
            return "allow"
        return verdict

    def denies(self, name: str, argv: Sequence[str] | None) -> bool:
        return any(_any(layer.deny, name, argv) for layer in self.layers)


def _any(rules: Iterable[Rule], name: str, argv: Sequence[str] | None) -> bool:
    return any(rule.matches(name, argv) for rule in rules)
