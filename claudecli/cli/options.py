"""Options shared by `ask`, `count-tokens` and (later) `chat`: one place, one spelling."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from claudecli.cli.completion import complete_model

if TYPE_CHECKING:
    from claudecli.turn import TurnOptions

Prompt = Annotated[
    list[str] | None,
    typer.Argument(help="Prompt words; `-` reads stdin explicitly. stdin content comes first."),
]
Attach = Annotated[
    list[str] | None,
    typer.Option("--attach", "-a", help="Image, PDF or text file (by content); `-` = stdin."),
]
System = Annotated[str | None, typer.Option("--system", "-s", help="System prompt text.")]
SystemFile = Annotated[
    str | None, typer.Option("--system-file", help="Read the system prompt from a file.")
]
Prefill = Annotated[str | None, typer.Option("--prefill", help="Start the answer with this text.")]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model id or alias (default from settings).",
        autocompletion=complete_model,
    ),
]
MaxTokens = Annotated[
    int | None, typer.Option("--max-tokens", min=0, help="Upper bound on the answer's tokens.")
]
Thinking = Annotated[
    str | None, typer.Option("--thinking", help="adaptive, off, or a token budget (>= 1024).")
]
Effort = Annotated[str | None, typer.Option("--effort", help="low, medium, high, xhigh or max.")]
ShowThinking = Annotated[
    bool, typer.Option("--show-thinking", help="Show (summarized) thinking; on stderr if piped.")
]
Stop = Annotated[list[str] | None, typer.Option("--stop", help="Stop sequence (repeatable).")]
Schema = Annotated[
    str | None, typer.Option("--schema", help="JSON Schema file: the answer is JSON matching it.")
]
Cache = Annotated[
    list[str] | None,
    typer.Option("--cache", help="Cache breakpoints: system, attachments, prompt or auto."),
]
CacheTtl = Annotated[str | None, typer.Option("--cache-ttl", help="5m (default) or 1h.")]
Citations = Annotated[
    bool, typer.Option("--citations", help="Let the model cite attached documents.")
]
Beta = Annotated[
    list[str] | None, typer.Option("--beta", help="anthropic-beta feature name (repeatable).")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def turn_options(flags: Mapping[str, Any], stdin: bytes | None) -> TurnOptions:
    """The request flags a command was given (its parameters, by the names above) as options.

    `ask`, `count-tokens` and later `chat` and `batch` declare the flags with the types above
    and pass their parameters here, so a flag is mapped to the turn engine in one place only.
    """
    from claudecli.turn import TurnOptions

    words = [word for word in flags.get("prompt") or () if word != "-"]
    return TurnOptions(
        prompt=" ".join(words) or None,
        stdin=stdin,
        attach=tuple(flags.get("attach") or ()),
        system=flags.get("system"),
        system_file=flags.get("system_file"),
        prefill=flags.get("prefill"),
        max_tokens=flags.get("max_tokens"),
        thinking=flags.get("thinking"),
        effort=flags.get("effort"),
        show_thinking=bool(flags.get("show_thinking")),
        stop=tuple(flags.get("stop") or ()),
        schema=flags.get("schema"),
        cache=tuple(flags.get("cache") or ()),
        cache_ttl=flags.get("cache_ttl"),
        citations=bool(flags.get("citations")),
        betas=tuple(flags.get("beta") or ()),
    )


def setting_flags(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The flags that are settings too (flag > env > profile > file > default applies)."""
    return {
        "model": flags.get("model"),
        "max_tokens": flags.get("max_tokens"),
        "max_retries": flags.get("max_retries"),
        "total_timeout": flags.get("timeout"),
        "color": "never" if flags.get("no_color") else None,
    }
