"""Options shared by the commands that call a model (`ask`, `chat`, `tools run`, `count-tokens`,
`batch submit`): one place, one spelling.

Each option names its `--help` section (`rich_help_panel`, read by `claudecli.cli.help`, not by
Rich) and shows its accepted values as its metavar (`--effort low|medium|high|xhigh|max`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar

import typer
from typer._click.types import FloatRange

from claudecli.cli.completion import complete_model

if TYPE_CHECKING:
    from claudecli.turn import TurnOptions

INPUT: Final = "Input"
MODEL: Final = "Model and thinking"
OUTPUT: Final = "Output"
CACHING: Final = "Caching"
NETWORK: Final = "Network"
CONVERSATION: Final = "Conversation"
# Seconds > 0 (click's FloatRange: typer's `min=` cannot say "above"); help shows [x>0].
POSITIVE_SECONDS: Final = FloatRange(min=0.0, min_open=True)

Continue = Annotated[
    bool,
    typer.Option(
        "--continue",
        "-c",
        help="Continue the most recent conversation (its history, model and system prompt).",
        rich_help_panel=CONVERSATION,
    ),
]
ConversationId = Annotated[
    str | None,
    typer.Option(
        "--conversation",
        metavar="ID",
        help="Continue this conversation (an id from `claudecli history list`, or a prefix).",
        rich_help_panel=CONVERSATION,
    ),
]
NoHistory = Annotated[
    bool,
    typer.Option(
        "--no-history",
        help="Do not record this turn (setting: history: false).",
        rich_help_panel=CONVERSATION,
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Send even when the request is estimated over the model's context window.",
        rich_help_panel=INPUT,
    ),
]
Prompt = Annotated[
    list[str] | None,
    typer.Argument(help="Prompt words; `-` reads stdin explicitly. stdin content comes first."),
]
Attach = Annotated[
    list[str] | None,
    typer.Option(
        "--attach",
        "-a",
        metavar="FILE",
        help="Image, PDF or text file (by content); `-` = stdin. Repeatable.",
        rich_help_panel=INPUT,
    ),
]
System = Annotated[
    str | None,
    typer.Option("--system", "-s", metavar="TEXT", help="System prompt.", rich_help_panel=INPUT),
]
SystemFile = Annotated[
    str | None,
    typer.Option(
        "--system-file",
        metavar="FILE",
        help="Read the system prompt from a file.",
        rich_help_panel=INPUT,
    ),
]
Prefill = Annotated[
    str | None,
    typer.Option(
        "--prefill", metavar="TEXT", help="Start the answer with this text.", rich_help_panel=INPUT
    ),
]
Citations = Annotated[
    bool,
    typer.Option(
        "--citations", help="Let the model cite attached documents.", rich_help_panel=INPUT
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        metavar="MODEL",
        help="Model id or alias such as opus, sonnet, haiku (default from settings).",
        autocompletion=complete_model,
        rich_help_panel=MODEL,
    ),
]
MaxTokens = Annotated[
    int | None,
    typer.Option(
        "--max-tokens",
        min=1,
        metavar="N",
        help="Upper bound on the answer's tokens (default: the model's maximum).",
        rich_help_panel=MODEL,
    ),
]
Thinking = Annotated[
    str | None,
    typer.Option(
        "--thinking",
        metavar="adaptive|off|N",
        help="Extended thinking: adaptive, off, or a token budget N >= 1024.",
        rich_help_panel=MODEL,
    ),
]
Effort = Annotated[
    str | None,
    typer.Option(
        "--effort",
        metavar="low|medium|high|xhigh|max",
        help="How much effort the model spends.",
        rich_help_panel=MODEL,
    ),
]
ShowThinking = Annotated[
    bool,
    typer.Option(
        "--show-thinking",
        help="Show (summarized) thinking; on stderr if piped.",
        rich_help_panel=MODEL,
    ),
]
Stop = Annotated[
    list[str] | None,
    typer.Option(
        "--stop", metavar="SEQ", help="Stop sequence (repeatable).", rich_help_panel=MODEL
    ),
]
Schema = Annotated[
    str | None,
    typer.Option(
        "--schema",
        metavar="FILE",
        help="JSON Schema file: the answer is JSON matching it.",
        rich_help_panel=OUTPUT,
    ),
]
Cache = Annotated[
    list[str] | None,
    typer.Option(
        "--cache",
        metavar="system|attachments|prompt|auto|off",
        help="Prompt-cache breakpoints (repeatable).",
        rich_help_panel=CACHING,
    ),
]
CacheTtl = Annotated[
    str | None,
    typer.Option(
        "--cache-ttl", metavar="5m|1h", help="Cache lifetime (default 5m).", rich_help_panel=CACHING
    ),
]
Beta = Annotated[
    list[str] | None,
    typer.Option(
        "--beta",
        metavar="NAME",
        help="anthropic-beta feature name (repeatable).",
        rich_help_panel=NETWORK,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Role = Annotated[
    str | None,
    typer.Option(
        "--role",
        metavar="NAME",
        help="A saved role from config.yaml (system prompt, model, thinking, effort, cache); "
        "flags win over it.",
        rich_help_panel=INPUT,
    ),
]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colours.", rich_help_panel=OUTPUT)]
MaxRetries = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        min=0,
        metavar="N",
        help="Retries on transient errors, before anything is shown (default 2).",
        rich_help_panel=NETWORK,
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        click_type=POSITIVE_SECONDS,
        metavar="SECONDS",
        help="Total time limit for each answer.",
        rich_help_panel=NETWORK,
    ),
]

# Every flag a model-calling command may take, in help order: (parameter, declaration, default).
# `request_flags` adds them to a command's signature, so each is declared here only.
REQUEST_FLAGS: Final[tuple[tuple[str, Any, Any], ...]] = (
    ("attach", Attach, None),
    ("system", System, None),
    ("system_file", SystemFile, None),
    ("prefill", Prefill, None),
    ("model", Model, None),
    ("max_tokens", MaxTokens, None),
    ("thinking", Thinking, None),
    ("effort", Effort, None),
    ("show_thinking", ShowThinking, False),
    ("stop", Stop, None),
    ("schema", Schema, None),
    ("cache", Cache, None),
    ("cache_ttl", CacheTtl, None),
    ("citations", Citations, False),
    ("beta", Beta, None),
    ("force", Force, False),
    ("role", Role, None),
    ("continue_", Continue, False),
    ("conversation", ConversationId, None),
    ("no_history", NoHistory, False),
    ("no_color", NoColor, False),
    ("max_retries", MaxRetries, None),
    ("timeout", Timeout, None),
)

Command = TypeVar("Command", bound=Callable[..., Any])


def request_flags(*, without: Collection[str] = ()) -> Callable[[Command], Command]:
    """Give a Typer command the shared request flags (all but `without`) after its arguments.

    The command takes them as keyword arguments (`**flags`); a flag it declares itself keeps its
    own declaration. Typer reads the signature set here (`__signature__`).
    """

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)  # real annotations for Typer
        own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        names = {p.name for p in own} | set(without)
        added = [_flag(*flag) for flag in REQUEST_FLAGS if flag[0] not in names]
        head = [p for p in own if p.default is p.empty or _is_argument(p)]
        rest = [p for p in own if p not in head]
        parameters = [*head, *added, *rest]
        command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return command

    return decorate


def _flag(name: str, declared: Any, default: Any) -> inspect.Parameter:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Parameter(name, kind, default=default, annotation=declared)


def _is_argument(parameter: inspect.Parameter) -> bool:
    """A positional argument (`Prompt`): it stays before the flags."""
    return parameter.annotation is Prompt


def all_flags(values: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """A command's own parameters (`values`, from `locals()`) and its shared `flags`, as one
    mapping by parameter name (the Typer context is left out)."""
    own = {name: value for name, value in values.items() if name not in ("ctx", "flags")}
    return {**flags, **own}


def chosen_role(name: str | None, roles: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    """The settings of role `name` (empty for none); UsageError naming the defined roles."""
    from claudecli.errors import UsageError

    if name is None:
        return {}
    if name in roles:
        return roles[name]
    defined = ", ".join(sorted(roles)) or "none (add `roles:` to config.yaml)"
    raise UsageError(f"--role: unknown role {name!r}; defined: {defined}")


def _typed(value: Any) -> Any:
    """A role's value as the flag would have been typed (thinking 2048 -> "2048")."""
    return None if value is None else str(value)


def turn_options(
    flags: Mapping[str, Any],
    stdin: bytes | None,
    roles: Mapping[str, Mapping[str, Any]] | None = None,
) -> TurnOptions:
    """The request flags a command was given (its parameters, by the names above) as options.

    Every model-calling command gets the flags from `request_flags` and passes them here, so a
    flag is mapped to the turn engine in one place only.
    `--role NAME` fills what the flags leave unset from `roles` (the settings' saved roles).
    """
    from claudecli.turn import TurnOptions

    role = chosen_role(flags.get("role"), roles or {})
    words = [word for word in flags.get("prompt") or () if word != "-"]
    given_system = flags.get("system") is not None or flags.get("system_file") is not None
    return TurnOptions(
        prompt=" ".join(words) or None,
        stdin=stdin,
        attach=tuple(flags.get("attach") or ()),
        system=flags.get("system") if given_system else role.get("system"),
        system_file=flags.get("system_file"),
        prefill=flags.get("prefill"),
        model=flags.get("model") or role.get("model"),
        max_tokens=flags.get("max_tokens"),
        thinking=flags.get("thinking") or _typed(role.get("thinking")),
        effort=flags.get("effort") or role.get("effort"),
        show_thinking=bool(flags.get("show_thinking")),
        stop=tuple(flags.get("stop") or ()),
        schema=flags.get("schema"),
        cache=tuple(flags.get("cache") or role.get("cache") or ()),
        cache_ttl=flags.get("cache_ttl") or role.get("cache_ttl"),
        citations=bool(flags.get("citations")),
        betas=tuple(flags.get("beta") or ()),
        force=bool(flags.get("force")),
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
