"""The chat workflow: one conversation held open across turns, and the slash commands.

Workflow layer (beside `turn` and `conversations`): it never prints, reads stdin or exits.
`claudecli chat` (cli/chat.py) reads lines with `claudecli.repl`, hands commands to
`run_command()` and turns to the turn engine with `session.next_options(prompt)`, then reports
each finished (or interrupted) turn back with `session.after_turn(...)`.

    session = ChatSession(base=options, store=store)        # or resume_session(store, id, …)
    outcome = run_command(session, "/model opus")           # Outcome(text=…, action=…)
    options = session.next_options("hello")                 # history + attachments + prefill
    …plan, stream, record…
    session.after_turn(plan, message, status="complete", conversation_id=…)
"""

from __future__ import annotations

from .commands import COMMANDS, Outcome, command_names, run_command
from .session import ChatSession, Stats, resume_session

__all__ = [
    "COMMANDS",
    "ChatSession",
    "Outcome",
    "Stats",
    "command_names",
    "resume_session",
    "run_command",
]
