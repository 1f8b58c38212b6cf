"""The tool-use loop, as an event iterator: stream a turn, answer its tool calls, repeat.

    loop = ToolLoop(client, plan, replan, toolbox, policy, approve, max_turns=10)
    for event in loop:            # StreamEvents of each turn, then Round/Tool events
        ...
    loop.messages                 # the whole transcript, in API shape
    loop.outcome                  # "done" | "max_turns" | "paused"

Each assistant message is sent back exactly as received (thinking blocks with their signatures
included); every tool_use of a turn is answered in one user message, results in the order of
the calls (approved calls may run in parallel). A call is first checked (known tool, input valid
under its schema), then decided by the policy (deny > ask > allow); `approve(call)` asks the
user and returns None when there is no one to ask: the call is then denied, with a result
that says how to allow it. `pause_turn` is continued (at most MAX_PAUSES times in a row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from claudecli.client import JSON, MessageView, StreamEvent, ToolUseBlock
from claudecli.errors import ClaudecliError
from claudecli.tools.process import Processes
from claudecli.tools.toolbox import Call, Outcome, Toolbox, result_block

if TYPE_CHECKING:
    from claudecli.client import Client
    from claudecli.config import ResolvedSettings
    from claudecli.tools.rules import Policy
    from claudecli.tools.transcript import Transcript
    from claudecli.turn import Turn, TurnOptions, TurnPlan
    from claudecli.turn.record import Recording

MAX_PAUSES: Final = 5
MAX_PARALLEL: Final = 4
CONTINUING: Final = frozenset({"tool_use", "pause_turn"})


class MaxTurnsReached(ClaudecliError):
    """The model still asked for tools when --max-turns requests had been made."""

    exit_code = 9


@dataclass(frozen=True)
class RoundStart:
    number: int
    plan: TurnPlan


@dataclass(frozen=True)
class RoundEnd:
    number: int
    message: JSON
    turn: Turn


@dataclass(frozen=True)
class ToolAnswered:
    call: Call
    block: JSON  # the tool_result


@dataclass(frozen=True)
class Note:
    text: str


LoopEvent: TypeAlias = StreamEvent | RoundStart | RoundEnd | ToolAnswered | Note
Outcome_: TypeAlias = Literal["done", "max_turns", "paused"]


@dataclass(frozen=True)
class Approval:
    answer: Literal["yes", "no", "always"]
    reason: str | None = None


Approve: TypeAlias = Callable[[Call], Approval | None]
Replan: TypeAlias = Callable[[Sequence[JSON]], "TurnPlan"]


class ToolLoop:
    def __init__(
        self,
        client: Client,
        plan: TurnPlan,
        replan: Replan,
        toolbox: Toolbox,
        policy: Policy,
        approve: Approve,
        *,
        max_turns: int = 10,
        transcript: Transcript | None = None,
        on_wait: Callable[[], None] | None = None,
        quiet: bool = False,
    ) -> None:
        self.client = client
        self.first = plan
        self.replan = replan
        self.toolbox = toolbox
        self.policy = policy
        self.approve = approve
        self.max_turns = max_turns
        self.transcript = transcript
        self.on_wait = on_wait
        self.quiet = quiet
        self.messages: list[JSON] = sent_messages(plan)
        self.turns: list[Turn] = []
        self.outcome: Outcome_ = "done"
        self.processes = Processes()

    def __iter__(self) -> Iterator[LoopEvent]:
        plan, pauses = self.first, 0
        for number in range(1, self.max_turns + 1):
            yield RoundStart(number, plan)
            message = yield from self._round(plan)
            yield RoundEnd(number, message, self.turns[-1])
            yield from self._notes()
            view = MessageView.of(message)
            if view.stop_reason not in CONTINUING:
                return
            pauses = pauses + 1 if view.stop_reason == "pause_turn" else 0
            if pauses > MAX_PAUSES:
                self.outcome = "paused"
                return
            if number == self.max_turns:
                break
            if view.tool_uses:
                yield from self._answer(view.tool_uses)
            plan = self.replan(self.messages)
        self.outcome = "max_turns"

    def _round(self, plan: TurnPlan) -> Generator[LoopEvent, None, JSON]:
        from claudecli.turn import start_turn
        from claudecli.turn.record import recorded, reply_message

        recording = self.transcript.begin(plan) if self.transcript else None
        turn = start_turn(
            self.client, plan, on_wait=self.on_wait, shows_nothing_until_the_end=self.quiet
        )
        self.turns.append(turn)
        try:
            yield from recorded(turn, recording)
        except BaseException as error:
            self._settle(recording, turn, error)
            raise
        self._settle(recording, turn, None)
        message = reply_message(turn)
        self.messages.append({"role": "assistant", "content": message.get("content") or []})
        return message

    def _settle(self, recording: Recording | None, turn: Turn, error: BaseException | None) -> None:
        if self.transcript is not None:
            self.transcript.settle(recording, turn, error)

    def _notes(self) -> Iterator[Note]:
        if self.transcript is not None:
            while self.transcript.warnings:
                yield Note(self.transcript.warnings.pop(0))

    # --- answering the tool calls ---------------------------------------------------------

    def _answer(self, uses: Sequence[ToolUseBlock]) -> Iterator[LoopEvent]:
        calls = [self.toolbox.prepare(use) for use in uses]
        decided = [self._decide(call) for call in calls]
        blocks: list[JSON] = []
        for call, outcome in zip(calls, self._run(calls, decided), strict=True):
            block = result_block(call.use.id, outcome)
            blocks.append(block)
            yield ToolAnswered(call, block)
        self.messages.append({"role": "user", "content": blocks})
        if self.transcript is not None:
            self.transcript.results(blocks)
            yield from self._notes()

    def _decide(self, call: Call) -> Outcome | None:
        """An outcome when the call must not run (invalid, denied, declined); None to run it."""
        if call.problem is not None or call.tool is None:
            return Outcome(call.problem or "unknown tool", is_error=True)
        verdict = self.policy.decide(call.tool, call.argv)
        if verdict == "deny":
            return Outcome(f"{describe(call)} is denied by the user's rules; do not retry it", True)
        if verdict == "allow":
            return None
        approval = self.approve(call)
        if approval is None:
            return Outcome(no_terminal(call), is_error=True)
        if approval.answer == "always":
            self.policy.always.add(call.tool.name)
        if approval.answer == "no":
            reason = f": {approval.reason}" if approval.reason else ""
            return Outcome(f"the user declined to run {describe(call)}{reason}", is_error=True)
        return None

    def _run(self, calls: Sequence[Call], decided: Sequence[Outcome | None]) -> Iterator[Outcome]:
        runnable = [call for call, outcome in zip(calls, decided, strict=True) if outcome is None]
        if len(runnable) <= 1:
            for call, outcome in zip(calls, decided, strict=True):
                yield outcome or self._guarded_run(call)
            return
        pool = ThreadPoolExecutor(min(len(runnable), MAX_PARALLEL))
        try:
            futures = [
                None if o else pool.submit(self._guarded_run, c)
                for c, o in zip(calls, decided, strict=True)
            ]
            for outcome, future in zip(decided, futures, strict=True):
                yield outcome or _result(future)
        finally:
            self.processes.kill_all()
            pool.shutdown(wait=False, cancel_futures=True)

    def _guarded_run(self, call: Call) -> Outcome:
        try:
            return self.toolbox.run(call, self.processes)
        except BaseException:
            self.processes.kill_all()
            raise


def _result(future: Future[Outcome] | None) -> Outcome:
    assert future is not None
    return future.result()


def describe(call: Call) -> str:
    """`read_file` or `run_command git status` (the tool, and its command line if any)."""
    name = call.tool.name if call.tool is not None else call.use.name
    if call.argv is None:
        return f"`{name}`"
    import shlex

    return f"`{name}` ({shlex.join(call.argv)})"


def no_terminal(call: Call) -> str:
    name = call.use.name
    return (
        f"not run: {describe(call)} needs the user's approval and there is no terminal to ask "
        f"on. The user can allow it with --allow {name} (or --allow '{name}(PREFIX)' for a "
        "command line), --yes, `permission: allow` in the tools file, or `tools: {allow: "
        f"[{name}]}}` in config.yaml"
    )


def sent_messages(plan: TurnPlan) -> list[JSON]:
    """The messages the first request sent (a prefill is part of the reply, not of these)."""
    messages = [dict(message) for message in plan.body["messages"]]
    return messages[:-1] if plan.spec.prefill else messages


def make_replan(
    options: TurnOptions, first: TurnPlan, resolved: ResolvedSettings, *, today: date
) -> Replan:
    """The plan of each next request: the same options, the transcript as the history (the
    first request's attachments and prompt are in it already), no prefill."""
    from claudecli.turn import plan_turn

    later = dataclasses.replace(
        options,
        prompt=None,
        stdin=None,
        attach=(),
        prefill=None,
        system_file=None,
        system_file_text=first.spec.system_file,
        cache=tuple(mode for mode in first.spec.cache if mode in ("system", "auto")) or ("off",),
    )

    def replan(messages: Sequence[JSON]) -> TurnPlan:
        return plan_turn(dataclasses.replace(later, history=list(messages)), resolved, today=today)

    return replan
