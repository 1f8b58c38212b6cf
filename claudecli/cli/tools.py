"""`claudecli tools run`: the tool-use loop, with local tools gated by approval."""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Annotated, Any, Final, TextIO, cast

import typer

from claudecli.cli import options as o, turns
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded

if TYPE_CHECKING:
    from pathlib import Path

    from claudecli.cli.context import AppContext, Environment
    from claudecli.client import JSON
    from claudecli.render import Renderer
    from claudecli.tools.loop import Approval, Approve, LoopEvent, ToolLoop
    from claudecli.tools.mcp_servers import McpHub
    from claudecli.tools.rules import Policy
    from claudecli.tools.spec import ToolDef, ToolsFile
    from claudecli.tools.toolbox import Call, Toolbox
    from claudecli.turn import TurnOptions, TurnPlan

TOOLS: Final = "Tools and approval"
BUILTINS: Final = "read_file,list_dir,search_files,write_file,run_command"
RULE_KEYS: Final = ("allow", "ask", "deny")

HELP = f"""Let Claude use tools: run the calls you allow and send the results back until it is done.

Tools come from --tools FILE (YAML or JSON: commands run without a shell, MCP servers) and
--builtin names. Read-only built-ins run inside --root unasked; write_file, run_command, command
and MCP tools ask on the terminal (yes / no / always / a reason to refuse). Without a terminal,
whatever would ask is denied and the model is told how to allow it: allow with --allow NAME,
--allow 'run_command(git status)', or --yes; --deny always wins. Rules also come from the tools
file and from `tools: {{allow: [...], ask: [...], deny: [...]}}` in config.yaml (flags first, then
the file, then the settings; a deny rule wins wherever it is). On a terminal every turn shows
as it streams; a piped stdout gets only the final answer (written when its turn ends), the text
of the turns before it goes to stderr. Tool panels and prompts go to stderr; --json prints the
whole transcript.

{EXIT_CODES_HELP}
"""

run_app = typer.Typer(help="Run a prompt with tools (see `claudecli tools run --help`).")


@run_app.command("run", help=HELP)
@guarded
@o.request_flags(without=("role",))
def run(
    ctx: typer.Context,
    prompt: o.Prompt = None,
    tools_file: Annotated[
        str | None,
        typer.Option(
            "--tools", metavar="FILE", help="Tools file (YAML or JSON).", rich_help_panel=TOOLS
        ),
    ] = None,
    builtin: Annotated[
        list[str] | None,
        typer.Option(
            "--builtin",
            metavar=BUILTINS,
            help="Built-in tools to enable (comma list, repeatable).",
            rich_help_panel=TOOLS,
        ),
    ] = None,
    root: Annotated[
        str | None,
        typer.Option(
            "--root",
            metavar="DIR",
            help="Where the file tools may read and write (default: the working directory).",
            rich_help_panel=TOOLS,
        ),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            metavar="RULE",
            help="Run without asking: NAME or NAME(argv prefix). Repeatable.",
            rich_help_panel=TOOLS,
        ),
    ] = None,
    deny: Annotated[
        list[str] | None,
        typer.Option(
            "--deny",
            metavar="RULE",
            help="Never run (wins over everything). Repeatable.",
            rich_help_panel=TOOLS,
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Approve every call that would ask (not denied ones).",
            rich_help_panel=TOOLS,
        ),
    ] = False,
    max_turns: Annotated[
        int,
        typer.Option(
            "--max-turns",
            min=1,
            metavar="N",
            help="At most N requests (default 10); exit 9 if the model still wants tools.",
            rich_help_panel=TOOLS,
        ),
    ] = 10,
    tool_choice: Annotated[
        str | None,
        typer.Option(
            "--tool-choice",
            metavar="auto|any|none|NAME",
            help="Whether (and which) tool the model must use.",
            rich_help_panel=TOOLS,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the first request JSON and exit.", rich_help_panel=o.OUTPUT
        ),
    ] = False,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the whole transcript as JSON at the end.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    stream_json: Annotated[
        bool,
        typer.Option(
            "--stream-json",
            help="Print each stream event and tool result as one JSON line.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    usage: Annotated[
        bool,
        typer.Option(
            "--usage",
            help="Tokens and estimated cost of the run on stderr.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    **flags: Any,
) -> None:
    run_tools(ctx.obj, o.all_flags(locals(), flags))


def register(app: typer.Typer) -> None:
    app.add_typer(run_app, name="tools")


# --- the run --------------------------------------------------------------------------------


def run_tools(app: AppContext, flags: dict[str, Any]) -> None:
    """Flags -> the tools, the policy and the first plan -> the loop -> the renderer."""
    from claudecli.cli.stdin import read_turn_input

    stdin = read_turn_input(app.environment, flags["prompt"], flags["attach"])
    resolved = app.resolve(o.setting_flags(flags))
    loaded = load_file(flags["tools_file"])
    policy = make_policy(loaded, flags, resolved.settings.tools)
    with open_toolbox(app, loaded, flags) as toolbox:
        options = with_tools(o.turn_options(flags, stdin), toolbox, flags["tool_choice"])
        run_with(app, flags, options, toolbox, policy, resolved)


def run_with(
    app: AppContext,
    flags: dict[str, Any],
    options: TurnOptions,
    toolbox: Toolbox,
    policy: Policy,
    resolved: Any,
) -> None:
    from claudecli.tools.loop import ToolLoop, make_replan
    from claudecli.turn.record import continued

    with turns.open_store(app, flags, resolved.settings) as store:
        conversation_id = turns.continued_id(store, flags)
        if store is not None and conversation_id is not None:
            options = continued(store, conversation_id, options)
        plan = turns.make_plan(app, flags, options, resolved)
        if flags["dry_run"]:
            from claudecli.request import dry_run_json

            app.environment.stdout.write(dry_run_json(plan.body) + "\n")
            return
        transcript = make_transcript(app, store, plan, conversation_id, flags)
        split = turn_split(app, flags, plan)
        out = cast(TextIO, split) if split is not None else app.environment.stdout
        shown = dataclasses.replace(app.environment, stdout=out)
        renderer = turns.make_output(shown, flags, plan)
        replan = make_replan(options, plan, resolved, today=app.today())
        with app.client(plan.settings, on_retry=renderer.on_retry) as client:
            loop = ToolLoop(
                client, plan, replan, toolbox, policy, make_approver(app.environment, renderer),
                max_turns=flags["max_turns"], transcript=transcript, on_wait=renderer.flush,
                quiet=bool(flags["json_out"]),
            )  # fmt: skip
            drive(app, flags, loop, renderer, split)
        finish(app, flags, loop)


def load_file(path: str | None) -> ToolsFile:
    from claudecli.tools.files import read_tools_file
    from claudecli.tools.spec import ToolsFile

    return read_tools_file(path) if path else ToolsFile()


def make_policy(
    loaded: ToolsFile, flags: dict[str, Any], settings: Mapping[str, Sequence[str]]
) -> Policy:
    """Three layers, highest first: the flags, the tools file, the settings (`tools:`)."""
    from claudecli.tools.rules import Layer, Policy, parse_rules

    given = Layer(allow=flag_rules(flags, "allow"), deny=flag_rules(flags, "deny"))
    file = Layer(parse_rules(loaded.allow), parse_rules(loaded.ask), parse_rules(loaded.deny), True)
    listed = [parse_rules(settings.get(key, ())) for key in RULE_KEYS]
    configured = Layer(allow=listed[0], ask=listed[1], deny=listed[2])
    return Policy((given, file, configured), yes=bool(flags["yes"]))


def flag_rules(flags: dict[str, Any], key: str) -> Any:
    from claudecli.errors import UsageError
    from claudecli.tools.rules import parse_rules

    try:
        return parse_rules(flags[key] or ())
    except ValueError as error:
        raise UsageError(f"--{key} {error}") from None


@contextmanager
def open_toolbox(app: AppContext, loaded: ToolsFile, flags: dict[str, Any]) -> Iterator[Toolbox]:
    """Every tool of the run (the MCP servers started, and stopped at the end)."""
    from claudecli.tools.toolbox import Toolbox

    root = root_of(flags["root"])
    base = tools_dir(flags["tools_file"]) or root.path  # where relative `cwd:` values start
    hub = make_hub(loaded, base, root)
    try:
        tools = [*loaded.tools, *builtin_tools(loaded, flags["builtin"])]
        tools += hub.start() if hub is not None else []
        check_unique(tools)
        yield Toolbox(tools, root=root, env=app.env, base_dir=base, mcp=hub)
    finally:
        if hub is not None:
            hub.close()


def root_of(given: str | None) -> Any:
    from claudecli.errors import InputError
    from claudecli.tools.builtin import Root

    path = given or os.getcwd()
    if not os.path.isdir(path):
        raise InputError(f"--root {path}: not a directory")
    return Root.of(path)


def tools_dir(path: str | None) -> Any:
    from claudecli.tools.files import tools_file_dir

    return tools_file_dir(path) if path else None


def make_hub(loaded: ToolsFile, base: Path, root: Any) -> McpHub | None:
    if not loaded.mcp_servers:
        return None
    from claudecli.tools.mcp_servers import McpHub

    return McpHub(loaded.mcp_servers, base_dir=base, root=root.path)


def builtin_tools(loaded: ToolsFile, given: Sequence[str] | None) -> list[ToolDef]:
    from claudecli.errors import UsageError
    from claudecli.tools.builtin import builtin_tool
    from claudecli.tools.spec import BUILTIN_NAMES, DEFAULT_TIMEOUT

    names = [n.strip() for value in given or () for n in value.split(",") if n.strip()]
    for name in names:
        if name not in BUILTIN_NAMES:
            raise UsageError(
                f"--builtin {name}: not a built-in; choose from {', '.join(BUILTIN_NAMES)}"
            )
    wanted = dict.fromkeys([*loaded.builtins, *names])
    return [builtin_tool(name, DEFAULT_TIMEOUT) for name in wanted]


def check_unique(tools: Sequence[ToolDef]) -> None:
    from claudecli.errors import ConfigError

    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            raise ConfigError(f"two tools are named {tool.name!r}; tool names must be unique")
        seen.add(tool.name)


def with_tools(options: TurnOptions, toolbox: Toolbox, choice: str | None) -> TurnOptions:
    from claudecli.errors import UsageError

    definitions = toolbox.definitions()
    if not definitions:
        raise UsageError("no tools: give --tools FILE or --builtin NAMES")
    return dataclasses.replace(
        options, tools=definitions, tool_choice=parse_choice(choice, toolbox)
    )


def parse_choice(choice: str | None, toolbox: Toolbox) -> JSON | None:
    from claudecli.errors import UsageError

    if choice is None:
        return None
    if choice in ("auto", "any", "none"):
        return {"type": choice}
    if choice in toolbox.tools:
        return {"type": "tool", "name": choice}
    raise UsageError(
        f"--tool-choice {choice}: use auto, any, none or a tool name ({', '.join(toolbox.tools)})"
    )


def make_transcript(
    app: AppContext, store: Any, plan: TurnPlan, conversation_id: str | None, flags: dict[str, Any]
) -> Any:
    from claudecli.cli.turns import records_turn

    if store is None or store.read_only or not records_turn(flags, plan.settings):
        return None
    from claudecli.conversations import make_title
    from claudecli.tools.transcript import Transcript

    title = make_title(plan.spec.prompt or plan.spec.system or "")
    return Transcript(store, conversation_id=conversation_id, profile=app.profile, title=title)


# --- showing the loop -----------------------------------------------------------------------


def drive(
    app: AppContext,
    flags: dict[str, Any],
    loop: ToolLoop,
    renderer: Renderer,
    split: TurnSplit | None = None,
) -> None:
    events_out = app.environment.stdout if flags["stream_json"] else None
    try:
        for event in loop:
            if split is not None:
                split.before(event)
            show(app, event, renderer, events_out)
            if split is not None:
                split.after(event)
    except BaseException:
        renderer.abort("")  # the one-line error comes from the guard
        if split is not None:
            with suppress(OSError):  # a closed pipe: the first error is the one to report
                split.settle(final=True)  # a partial answer is kept, as `ask` keeps it
        raise


def show(app: AppContext, event: LoopEvent, renderer: Renderer, events_out: Any) -> None:
    from claudecli.client import StreamEvent
    from claudecli.tools.loop import Note, RoundEnd, RoundStart, ToolAnswered

    if isinstance(event, RoundStart):
        renderer.start()
    elif isinstance(event, RoundEnd):
        renderer.finish(event.message)
    elif isinstance(event, ToolAnswered):
        renderer.on_tool_result(event.block)
        emit(events_out, {"type": "tool_result", "name": event.call.use.name, "block": event.block})
    elif isinstance(event, Note):
        app.warn(turns.sanitize_line(event.text))
    elif isinstance(event, StreamEvent):
        emit(events_out, event.data)
        renderer.on_event(event)


def emit(events_out: Any, data: JSON) -> None:
    if events_out is not None:
        events_out.write(json.dumps(data, ensure_ascii=False) + "\n")
        events_out.flush()


def finish(app: AppContext, flags: dict[str, Any], loop: ToolLoop) -> None:
    from claudecli.tools.loop import MaxTurnsReached
    from claudecli.turn import stop_notes

    final = loop.turns[-1].message
    if flags["usage"]:
        app.environment.stderr.write(usage_line(loop) + "\n")
    if loop.outcome == "done":
        for note in stop_notes(final, loop.first.spec):
            app.environment.stderr.write(f"claudecli: {turns.sanitize_line(note)}\n")
    if flags["json_out"]:
        app.environment.stdout.write(
            json.dumps(transcript_document(loop), ensure_ascii=False, indent=2) + "\n"
        )
    if loop.outcome == "max_turns":
        kept = conversation_note(loop)
        raise MaxTurnsReached(
            f"--max-turns {flags['max_turns']} reached and the model still asks for tools{kept}"
        )
    if loop.outcome == "paused":
        app.warn("the server paused the turn too many times in a row; ask again to go on")
    if loop.first.spec.schema is not None:
        from claudecli.answer import validate_json_answer

        validate_json_answer(final, loop.first.spec.schema)


def conversation_note(loop: ToolLoop) -> str:
    transcript = loop.transcript
    if transcript is None or transcript.conversation_id is None:
        return ""
    return f"; continue with --conversation {transcript.conversation_id}"


def summed_usage(loop: ToolLoop) -> JSON:
    total: dict[str, int] = {}
    for turn in loop.turns:
        for key, value in (turn.message.get("usage") or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return dict(total)


def usage_line(loop: ToolLoop) -> str:
    from claudecli.pricing import format_usage_line

    line = format_usage_line(summed_usage(loop), loop.first.spec.model)
    return f"{line} · {len(loop.turns)} request{'s' * (len(loop.turns) != 1)}"


def transcript_document(loop: ToolLoop) -> JSON:
    """The whole transcript: every message in API shape, the last stop reason, summed usage."""
    from claudecli.pricing import cost_of_usage

    usage = summed_usage(loop)
    cost = cost_of_usage(usage, loop.first.spec.model)
    transcript = loop.transcript
    return {
        "model": loop.first.spec.model,
        "messages": loop.messages,
        "stop_reason": loop.turns[-1].message.get("stop_reason"),
        "usage": usage,
        "claudecli": {
            "outcome": loop.outcome,
            "requests": len(loop.turns),
            "request_ids": [turn.request_id for turn in loop.turns],
            "cost_usd": cost.total if cost is not None else None,
            "conversation_id": transcript.conversation_id if transcript is not None else None,
        },
    }


# --- a piped stdout gets only the final answer -------------------------------------------------


def turn_split(app: AppContext, flags: dict[str, Any], plan: TurnPlan) -> TurnSplit | None:
    """On a pipe (not --json/--stream-json), the renderer's stdout is a `TurnSplit`; on a
    terminal stdout is the screen and every turn shows there live."""
    environment = app.environment
    if environment.stdout_isatty or flags["json_out"] or flags["stream_json"]:
        return None
    from claudecli.render.terminal import stream_wants_color

    dim = stream_wants_color(environment.stderr_isatty, plan.settings.color, app.env)
    return TurnSplit(environment.stdout, environment.stderr, dim=dim)


class TurnSplit(io.TextIOBase):
    """The answer text of each turn, held until it is known to be the final answer (then
    written to stdout) or an intermediate turn's, before its tool calls (then to stderr, dim on a
    terminal). Once a turn starts a tool_use block, the rest of its text goes to stderr live."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, dim: bool) -> None:
        super().__init__()
        self.stdout = stdout
        self.stderr = stderr
        self.dim = dim
        self.held: list[str] = []
        self.aside = False  # this turn calls tools: its text is not the answer

    def write(self, text: str) -> int:
        if self.aside:
            self._aside(text)
        else:
            self.held.append(text)
        return len(text)

    def flush(self) -> None:
        if self.aside:
            self.stderr.flush()

    def before(self, event: LoopEvent) -> None:
        """A tool_use block starts: what the turn said so far goes to stderr, before its panel.
        Tool results drawn between turns (on stdout by the rich renderer) stay aside too."""
        from claudecli.client import StreamEvent
        from claudecli.tools.loop import RoundStart

        if isinstance(event, RoundStart):
            self.aside = False
        elif isinstance(event, StreamEvent) and is_tool_use_start(event.data) and not self.aside:
            self.aside = True
            text, self.held = "".join(self.held), []
            self._aside(text + ("\n" if text and not text.endswith("\n") else ""))

    def after(self, event: LoopEvent) -> None:
        from claudecli.tools.loop import RoundEnd

        if isinstance(event, RoundEnd):  # the renderer has finished the turn's text
            self.settle(final=event.message.get("stop_reason") != "tool_use")

    def settle(self, *, final: bool) -> None:
        text, self.held = "".join(self.held), []
        if final:
            self.stdout.write(text)
            self.stdout.flush()
        elif text.strip():  # (a lone newline ends a line already ended before the tool panel)
            self._aside(text)
        self.aside = not final

    def _aside(self, text: str) -> None:
        if text:
            self.stderr.write(f"\x1b[2m{text}\x1b[0m" if self.dim else text)
            self.stderr.flush()


def is_tool_use_start(data: JSON) -> bool:
    block = data.get("content_block") if data.get("type") == "content_block_start" else None
    return isinstance(block, dict) and block.get("type") == "tool_use"


# --- approval -------------------------------------------------------------------------------

ANSWERS: Final = "[y]es · [n]o · [a]lways (this tool, this run) · or type a reason to refuse"


def make_approver(environment: Environment, renderer: Renderer) -> Approve:
    """Ask on the terminal; without one (stdin or stderr not a TTY) there is no one to ask."""
    stdin = environment.stdin
    if stdin is None or not (environment.stdin_isatty and environment.stderr_isatty):
        return lambda call: None

    def approve(call: Call) -> Approval:
        renderer.flush()
        environment.stderr.write(approval_prompt(call))
        environment.stderr.flush()
        return parse_answer(stdin.readline().decode("utf-8", "replace"))

    return approve


def approval_prompt(call: Call) -> str:
    """The exact call: the tool, the program and argv, the directory, the input (escapes shown)."""
    from claudecli.render.sanitize import visible

    lines = [f"claudecli: approve tool {visible(call.use.name, keep_newlines=False)}?"]
    if call.argv is not None:
        lines.append(f"  runs:  {call.executable}")
        lines.append(f"  argv:  {visible(json.dumps(list(call.argv), ensure_ascii=False))}")
        lines.append(f"  in:    {call.cwd}")
    text = json.dumps(call.use.input, ensure_ascii=False, indent=2)
    lines.append("  input: " + visible(text).replace("\n", "\n         "))
    lines.append(f"  {ANSWERS}: ")
    return "\n".join(lines)


def parse_answer(line: str) -> Approval:
    from claudecli.tools.loop import Approval

    answer = line.strip()
    if answer.lower() in ("y", "yes"):
        return Approval("yes")
    if answer.lower() in ("a", "always"):
        return Approval("always")
    if answer.lower() in ("", "n", "no"):
        return Approval("no")
    return Approval("no", reason=answer)
