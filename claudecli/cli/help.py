"""The click classes behind every command: grouped `--help`, examples, one-line usage errors.

* Options are listed in sections named by their `rich_help_panel` (read here, never by Rich:
  `--help` imports no rich); options without one go under "Options", after the named sections.
* Each command's help ends with the examples in `EXAMPLES` (keyed by the command path without
  the program name); the command list shows whole first sentences, never cut with "…".
* A usage error is one line on stderr, `claudecli: error: <message> (see '<command> --help')`,
  and exit 2 (`claudecli.cli.exits.usage_error_line`).
* `--debug` is accepted after the subcommand as well: every command gets the root's flag.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import typer
from typer._click import Context, HelpFormatter, Parameter
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption

from claudecli.cli.exits import ExitStatus, usage_error_line

__all__ = ["DEBUG_HELP", "EXAMPLES", "Command", "Group", "enable_debug"]

DEBUG_HELP: Final = "Log requests (auth redacted); show tracebacks."
DEFAULT_PANEL: Final = "Options"
COLUMN_MAX: Final = 26  # a longer option name puts its help on the next line
SHORT_HELP_LIMIT: Final = 200  # a whole first sentence; the formatter wraps it

EXAMPLES: Final[dict[str, tuple[str, ...]]] = {
    "": (
        'claudecli ask "Explain SIGPIPE in one paragraph"',
        'git diff | claudecli ask -s "You are a terse reviewer" "Review this diff"',
        'claudecli count-tokens -a report.pdf "summarize"',
    ),
    "ask": (
        'claudecli ask "Explain SIGPIPE in one paragraph"',
        'cat report.pdf | claudecli ask --citations "What are the three main findings?"',
        'claudecli ask -c "and now in French"        # continue the last conversation',
    ),
    "count-tokens": (
        'claudecli count-tokens -a report.pdf "summarize"',
        'git diff | claudecli count-tokens -m opus "Review this diff"',
        "claudecli count-tokens --each -a chart.png -a notes.md",
    ),
    "models": (
        "claudecli models",
        "claudecli models opus",
        "claudecli models --all --json | jq '.[].id'",
    ),
    "emulator": ("claudecli emulator serve --port 0",),
    "emulator serve": (
        "claudecli emulator serve --port 0",
        "claudecli emulator serve --port 8080 --prefix /anthropic --auth bearer",
    ),
    "config": ("claudecli config show", "claudecli config path"),
    "config show": ("claudecli config show", "claudecli --profile litellm config show --json"),
    "config path": ("claudecli config path", '"$EDITOR" "$(claudecli config path)"'),
    "config edit": ("claudecli config edit", "EDITOR=nano claudecli config edit"),
    "auth": ("claudecli auth login", "claudecli auth status"),
    "auth login": ("claudecli auth login", "pass show anthropic | claudecli auth login --stdin"),
    "auth logout": ("claudecli auth logout", "claudecli auth logout --profile work"),
    "auth status": ("claudecli auth status", "claudecli auth status --json"),
    "batch": (
        'claudecli batch submit --prompt "Summarize" --out ~/summaries ~/inbox/',
        "claudecli batch status --wait --timeout 3600",
        "claudecli batch collect                     # from cron: every ended batch",
    ),
    "batch submit": (
        'claudecli batch submit --prompt "Summarize" --out ~/summaries ~/inbox/',
        "claudecli batch submit requests.jsonl --job nightly --max-cost 5",
        'claudecli batch submit --template "Classify: {text}" --records tickets.jsonl --dry-run',
    ),
    "batch collect": (
        "claudecli batch collect --job nightly",
        "claudecli history usage                     # what the batches cost",
    ),
    "completion": (
        "claudecli completion bash > ~/.local/share/bash-completion/completions/claudecli",
        "claudecli completion zsh > ~/.zfunc/_claudecli",
        "claudecli completion fish > ~/.config/fish/completions/claudecli.fish",
    ),
}


# --- --debug after the subcommand -----------------------------------------------------------


def enable_debug(ctx: Context, _param: Parameter, value: bool) -> None:
    """`claudecli ask --debug`: the same as `claudecli --debug ask` (a fresh AppContext)."""
    from claudecli.cli.context import AppContext

    if value and isinstance(ctx.obj, AppContext) and not ctx.obj.debug:
        ctx.obj = dataclasses.replace(ctx.obj, debug=True)


def _debug_option() -> TyperOption:
    return TyperOption(
        param_decls=["--debug"],
        is_flag=True,
        default=False,
        expose_value=False,
        callback=enable_debug,
        help=DEBUG_HELP,
    )


# --- help formatting ------------------------------------------------------------------------


def _examples_key(ctx: Context) -> str:
    return ctx.command_path.partition(" ")[2]


def format_examples(ctx: Context, formatter: HelpFormatter) -> None:
    examples = EXAMPLES.get(_examples_key(ctx), ())
    if not examples:
        return
    with formatter.section("Examples"):
        for line in examples:
            formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


def panels(params: Sequence[Parameter], ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """Help rows by section: Arguments, the named panels in order, then the rest as Options."""
    sections: dict[str, list[tuple[str, str]]] = {"Arguments": []}
    rest: list[tuple[str, str]] = []
    for param in params:
        row = param.get_help_record(ctx)
        if row is None:
            continue
        if param.param_type_name == "argument":
            sections["Arguments"].append(row)
            continue
        panel = getattr(param, "rich_help_panel", None)
        (sections.setdefault(panel, []) if panel else rest).append(row)
    sections.setdefault(DEFAULT_PANEL, []).extend(rest)
    return {name: rows for name, rows in sections.items() if rows}


def format_panels(command: Any, ctx: Context, formatter: HelpFormatter) -> None:
    """Every section in one column layout (click sizes each list on its own)."""
    sections = panels(command.get_params(ctx), ctx)
    width = min(
        COLUMN_MAX, max((len(row[0]) for rows in sections.values() for row in rows), default=0)
    )
    for name, rows in sections.items():
        with formatter.section(name):
            formatter.write_dl([(first.ljust(width), text) for first, text in rows], COLUMN_MAX)


def name_metavars(params: Sequence[Parameter]) -> None:
    """Options without a metavar show their name (`--port PORT`), not the type (`<integer>`)."""
    for param in params:
        flag = getattr(param, "is_flag", False) or getattr(param, "count", False)
        if param.param_type_name == "option" and param.metavar is None and not flag:
            param.metavar = (param.name or "value").upper()


class Command(TyperCommand):
    """A leaf command: grouped options, examples, and its own `--debug`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_debug_option())
        name_metavars(self.params)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        format_panels(self, ctx, formatter)

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        format_examples(ctx, formatter)


# --- usage errors ---------------------------------------------------------------------------


@contextmanager
def one_line_usage_errors() -> Iterator[None]:
    """Turn click's usage block into one line on stderr and exit 2 (help for no args stays)."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageError as error:
        sys.stderr.write(usage_error_line(error) + "\n")
        raise typer.Exit(ExitStatus.USAGE) from None


class Group(TyperGroup):
    """A command group: one-line usage errors, whole summaries in the command list, examples."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_metavars(self.params)

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        with one_line_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with one_line_usage_errors():
            return super().invoke(ctx)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        format_panels(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(SHORT_HELP_LIMIT))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        format_examples(ctx, formatter)


def use_classes(app: typer.Typer) -> None:
    """Build every command of `app` (and its sub-apps) with `Command` and `Group`."""
    for command in app.registered_commands:
        if not command.cls or command.cls is TyperCommand:
            command.cls = Command
    for group in app.registered_groups:
        if not group.cls or group.cls is TyperGroup:
            group.cls = Group
        if group.typer_instance is not None:
            use_classes(group.typer_instance)
