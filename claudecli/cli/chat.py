"""`claudecli chat`: the interactive REPL, on the conversation store and the turn engine.

Each turn goes the way `ask`'s does (plan, record, stream through the live renderer, settle),
with `ask`'s own helpers; a request error, an interrupt (Ctrl-C) or a bad command is one line
and the prompt comes back. SIGTERM / SIGHUP settle the reply in flight, then exit 143 / 129.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded

if TYPE_CHECKING:
    from claudecli.chat import ChatSession, Outcome
    from claudecli.cli.context import AppContext
    from claudecli.client import Client, RetryNotice
    from claudecli.config import ResolvedSettings
    from claudecli.conversations import Status, Store
    from claudecli.render import Renderer
    from claudecli.repl import ChatPrompt
    from claudecli.turn import TurnPlan
    from claudecli.turn.record import Recording

TOO_LONG_HINT = (
    "the conversation no longer fits the model's context window: /undo drops the last "
    "exchange, /new starts afresh (nothing is lost)"
)
HELP = f"""Talk with Claude: an interactive conversation, recorded as it happens.

Enter sends, Alt-Enter (or Esc Enter) starts a new line, a line of three double quotes opens
and closes a block; /help lists the slash commands. Ctrl-C stops an answer (what came is kept)
or clears the line; Ctrl-D quits. -c continues the last conversation, --conversation ID one
from `claudecli history list`. Needs a terminal: in a script, use `claudecli ask -c`.

{EXIT_CODES_HELP}
"""


@guarded
@o.request_flags(without=("schema",))
def chat(
    ctx: typer.Context,
    prompt: o.Prompt = None,
    new: Annotated[
        bool,
        typer.Option(
            "--new", help="Start a new conversation (the default).", rich_help_panel=o.CONVERSATION
        ),
    ] = False,
    **flags: Any,
) -> None:
    run_chat(ctx.obj, o.all_flags(locals(), flags))


def register(app: typer.Typer) -> None:
    app.command("chat", help=HELP)(chat)


def run_chat(app: AppContext, flags: dict[str, Any]) -> None:
    """Check the terminal and flags, open the store, then read and answer until the user quits."""
    from claudecli.cli.turns import open_store

    check_flags(app, flags)
    resolved = app.resolve(o.setting_flags(flags))
    options = o.turn_options(
        {**flags, "prompt": None, "attach": None}, None, resolved.settings.roles
    )
    flags |= {"dry_run": False, "json_out": False, "stream_json": False}
    with open_store(app, flags, resolved.settings) as store:
        session = make_session(app, store, flags, options, resolved)
        words = [word for word in flags["prompt"] or () if word != "-"]
        Chat(app, flags, resolved, session).run(" ".join(words) or None)


def check_flags(app: AppContext, flags: dict[str, Any]) -> None:
    from claudecli.errors import UsageError

    if not app.environment.stdin_isatty:
        raise UsageError(
            "chat needs a terminal on stdin; in a script or a pipe use "
            "`claudecli ask -c` (it continues the last conversation)"
        )
    if flags["new"] and (flags["continue_"] or flags["conversation"]):
        raise UsageError("--new starts a new conversation: leave out -c/--conversation")
    if "-" in (flags["attach"] or ()):
        raise UsageError("--attach -: stdin is the terminal in chat; attach a file")


def make_session(
    app: AppContext,
    store: Store | None,
    flags: dict[str, Any],
    options: Any,
    resolved: ResolvedSettings,
) -> ChatSession:
    from claudecli.chat import ChatSession, resume_session
    from claudecli.cli.turns import continued_id

    roles = dict(resolved.settings.roles)
    conversation_id = continued_id(store, flags)
    if store is not None and conversation_id is not None:
        session = resume_session(store, conversation_id, options, roles=roles)
        show_earlier(app, store, session)
    else:
        session = ChatSession(
            options, store=store if can_record(store, flags) else None, roles=roles
        )
    session.attachments.extend(flags["attach"] or ())
    session.prefill = flags["prefill"]
    session.refresh_model(resolved.settings)
    return session


def can_record(store: Store | None, flags: dict[str, Any]) -> bool:
    return store is not None and not store.read_only and not flags["no_history"]


def show_earlier(app: AppContext, store: Store, session: ChatSession) -> None:
    from claudecli.render.chat_view import compact_transcript

    assert session.conversation_id is not None
    title = store.conversation(session.conversation_id).title
    text = compact_transcript(title, session.conversation_id, session.messages)
    app.environment.stdout.write(text)
    app.environment.stdout.flush()


class Chat:
    """The loop: read a line, carry out a command or answer a message, until the user quits."""

    def __init__(
        self,
        app: AppContext,
        flags: dict[str, Any],
        resolved: ResolvedSettings,
        session: ChatSession,
    ) -> None:
        self.app = app
        self.flags = flags
        self.resolved = resolved
        self.session = session
        self.client: Client | None = None
        self.renderer: Renderer | None = None

    @property
    def out(self) -> Any:
        return self.app.environment.stdout

    def run(self, first: str | None) -> None:
        from claudecli.repl import PromptQuit

        prompt = self.make_prompt()
        try:
            if first:
                self.send(first)
            while self.handle(prompt.read(), prompt):
                pass
        except PromptQuit:
            pass
        finally:
            if self.client is not None:
                self.client.close()

    def make_prompt(self) -> ChatPrompt:
        from claudecli.chat import command_names
        from claudecli.repl import ChatPrompt

        store = self.session.store
        return ChatPrompt(
            history=store if store is not None and not store.read_only else None,
            commands=command_names(),
            toolbar=self.toolbar,
            models=self.model_ids,
            roles=lambda: sorted(self.session.roles),
        )

    def toolbar(self) -> str:
        from claudecli.render.chat_view import toolbar_text

        stats = self.session.stats
        return toolbar_text(
            stats.model,
            context_tokens=stats.context_tokens,
            window=stats.window,
            cost_usd=stats.cost_usd,
            usage=stats.last_usage,
        )

    def model_ids(self) -> list[str]:
        from claudecli.models import read_models_cache

        cached = read_models_cache(source=self.resolved.settings.base_url)
        ids = [str(m.get("id")) for m in cached.models] if cached else []
        return sorted({*ids, *self.resolved.settings.model_aliases})

    # --- lines ------------------------------------------------------------------------------

    def handle(self, line: str, prompt: ChatPrompt) -> bool:
        """Carry out one line; False when the user asked to quit."""
        from claudecli.chat import run_command

        if line.startswith("//"):
            self.send(line[1:])
        elif line.startswith("/"):
            return self.act(run_command(self.session, line), prompt)
        else:
            self.send(line)
        return True

    def act(self, outcome: Outcome, prompt: ChatPrompt) -> bool:
        if outcome.text:
            self.say(outcome.text, error=outcome.error)
        if outcome.action == "quit":
            return False
        if outcome.action == "retry":
            self.session.undo(keep_prompt=True)
            self.send(None)
        elif outcome.action == "edit":
            self.edit()
        elif outcome.action == "copy":
            self.copy()
        elif outcome.action == "tokens":
            self.count()
        self.session.refresh_model(self.resolved.settings)
        return True

    def say(self, text: str, *, error: bool = False) -> None:
        from claudecli.render.sanitize import visible

        shown = visible(text, keep_newlines=True)
        stream = self.app.environment.stderr if error else self.out
        stream.write((f"claudecli: {shown}" if error else shown) + "\n")
        stream.flush()

    def edit(self) -> None:
        from claudecli.repl import edit_text

        text = edit_text("", self.app.env)
        if text is None:
            self.say("/edit: the editor failed; nothing was sent", error=True)
        elif text.strip():
            self.send(text.strip("\n"))

    def copy(self) -> None:
        from claudecli.repl import ClipboardMissing, copy_text

        try:
            tool = copy_text(self.session.last_answer() or "", self.app.env)
        except ClipboardMissing as missing:
            self.say(str(missing), error=True)
        else:
            self.say(f"copied the last answer ({tool})")

    def count(self) -> None:
        import dataclasses

        from claudecli.pricing import format_usd
        from claudecli.request import build_count_tokens_body

        if not self.session.history():
            self.say(f"0 tokens: the conversation is empty · cost so far {format_usd(0)}")
            return
        # as the next request would be: a conversation ends with a user turn (one token here)
        options = dataclasses.replace(self.session.next_options("."), prefill=None)
        try:
            plan = self.plan(options)
            tokens = int(
                self.get_client(plan).count_tokens(build_count_tokens_body(plan.spec))[
                    "input_tokens"
                ]
            )
        except Exception as error:  # one line; the chat goes on
            self.fail(error)
            return
        self.say(self.tokens_line(tokens, plan))

    def tokens_line(self, tokens: int, plan: TurnPlan) -> str:
        from claudecli.models import context_window
        from claudecli.pricing import format_usd

        window = context_window(plan.model_info) or self.session.stats.window
        share = f" · {tokens / window:.1%} of {plan.spec.model}'s {window:,}" if window else ""
        return f"{tokens:,} tokens{share} · cost so far {format_usd(self.session.stats.cost_usd)}"

    # --- turns ------------------------------------------------------------------------------

    def plan(self, options: Any) -> TurnPlan:
        from claudecli.cli.turns import make_plan

        return make_plan(self.app, self.flags, options, self.resolved)

    def send(self, prompt: str | None) -> None:
        """One turn: plan, record the user turn, stream the answer, settle; errors are a line."""
        from claudecli.cli.turns import begin_recording, conversation_of

        try:
            plan = self.plan(self.session.next_options(prompt))
            client = self.get_client(plan)
        except Exception as error:  # a refused turn is one line
            self.fail(error)
            return
        warning = self.session.window_warning(plan)
        if warning:
            self.app.warn(warning)
        store, conversation_id = self.session.store, self.session.conversation_id
        recording = begin_recording(self.app, store, plan, conversation_id, self.flags)
        status, message = self.stream(client, plan, recording)
        self.session.after_turn(
            plan, message, status=status, conversation_id=conversation_of(recording)
        )

    def get_client(self, plan: TurnPlan) -> Client:
        if self.client is None:
            self.client = self.app.client(plan.settings, on_retry=self.on_retry)
        return self.client

    def on_retry(self, notice: RetryNotice) -> None:
        if self.renderer is not None:
            self.renderer.on_retry(notice)

    def stream(
        self, client: Client, plan: TurnPlan, recording: Recording | None
    ) -> tuple[Status, dict[str, Any]]:
        from claudecli.cli.turns import make_output, settle, show
        from claudecli.turn import start_turn

        renderer = self.renderer = make_output(self.app.environment, self.flags, plan)
        renderer.start()
        turn = start_turn(client, plan, on_wait=renderer.flush)
        try:
            show(turn, recording, renderer, None)
        except KeyboardInterrupt as stop:
            renderer.abort("(interrupted: the partial answer is kept)")
            settle(self.app, recording, turn, stop)
            return "interrupted", turn.message
        except Exception as error:  # the REPL never dies of a request
            renderer.abort("")
            settle(self.app, recording, turn, error)
            self.fail(error)
            return failed_status(error), turn.message
        except BaseException as signal:  # SIGTERM / SIGHUP: settle, then exit 143 / 129
            renderer.abort("")
            settle(self.app, recording, turn, signal)
            raise
        settle(self.app, recording, turn, None)
        self.finish(renderer, turn.message, plan)
        return "complete", turn.message

    def finish(self, renderer: Renderer, message: dict[str, Any], plan: TurnPlan) -> None:
        from claudecli.turn import stop_notes

        renderer.finish(message)
        for note in stop_notes(message, plan.spec):
            self.say(note, error=True)

    def fail(self, error: BaseException) -> None:
        """One error line (and what to do when the conversation no longer fits)."""
        from claudecli.cli.exits import error_line

        line = error_line(error, key_source=self.app.key_source)
        if too_long(error):
            line += f"; {TOO_LONG_HINT}"
        self.app.environment.stderr.write(line + "\n")
        self.app.environment.stderr.flush()


def failed_status(error: BaseException) -> Status:
    from claudecli.client import StreamInterruptedError

    return "interrupted" if isinstance(error, StreamInterruptedError) else "error"


def too_long(error: BaseException) -> bool:
    from claudecli.client import APIStatusError, StreamInterruptedError

    if isinstance(error, StreamInterruptedError) and error.cause is not None:
        error = error.cause
    return isinstance(error, APIStatusError) and "prompt is too long" in error.message.lower()
