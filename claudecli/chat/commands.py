"""The slash commands: parsed and carried out on a `ChatSession`, answered as an `Outcome`.

What needs the terminal, the network or another program (`/edit`, `/copy`, `/tokens`,
`/retry`, `/quit`) comes back as an action for the caller; everything else is done here.
A line starting with `//` is a message that starts with `/` (the caller sends it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from claudecli.errors import ClaudecliError, UsageError

if TYPE_CHECKING:
    from .session import ChatSession

Action = Literal["none", "quit", "retry", "edit", "copy", "tokens"]


@dataclass(frozen=True)
class Outcome:
    text: str | None = None  # what to tell the user (one or a few lines)
    error: bool = False  # `text` is an error (one line)
    action: Action = "none"


Handler = Callable[["ChatSession", str], Outcome]


@dataclass(frozen=True)
class Command:
    usage: str
    help: str
    run: Handler


def command_names() -> list[str]:
    return sorted(COMMANDS)


def run_command(session: ChatSession, line: str) -> Outcome:
    """Carry out one `/command args` line (an unknown one is a one-line hint, never sent)."""
    name, _, args = line.strip().partition(" ")
    command = COMMANDS.get(name.lower())
    if command is None:
        return Outcome(unknown(name), error=True)
    try:
        return command.run(session, args.strip())
    except ClaudecliError as error:
        return Outcome(slash_message(name, str(error)), error=True)


def unknown(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name.lower(), list(COMMANDS), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown command {name}{hint}; /help lists the commands (// sends a line starting with /)"
    )


def slash_message(name: str, message: str) -> str:
    """`--effort: …` (the flag's words) -> `/effort: …` (what was typed)."""
    flag = "--" + name.removeprefix("/")
    if message.startswith(flag):
        return "/" + message.removeprefix("--")
    return message if message.startswith(name) else f"{name}: {message}"


def _info(text: str) -> Outcome:
    return Outcome(text)


# --- the commands -----------------------------------------------------------------------------


def _help(session: ChatSession, args: str) -> Outcome:
    width = max(len(c.usage) for c in COMMANDS.values())
    lines = [f"{c.usage.ljust(width)}  {c.help}" for _, c in sorted(COMMANDS.items())]
    keys = 'Enter sends · Alt-Enter or Esc Enter: new line · a """ line opens/closes a block'
    more = "Ctrl-R searches the input history · Ctrl-C stops an answer · Ctrl-D quits"
    return _info("\n".join([*lines, keys, more]))


def _quit(session: ChatSession, args: str) -> Outcome:
    return Outcome(action="quit")


def _model(session: ChatSession, args: str) -> Outcome:
    if args:
        session.base = dataclasses.replace(session.base, model=args)
        return _info(f"model: {args} (from the next turn)")
    return _info(f"model: {session.stats.model or session.base.model or '(default)'}")


def _system(session: ChatSession, args: str) -> Outcome:
    if not args:
        shown = " ".join(filter(None, (session.base.system_file_text, session.base.system)))
        return _info(f"system: {shown or '(none)'}  (/system off removes it)")
    text = None if args == "off" else args
    session.base = dataclasses.replace(
        session.base, system=text, system_file=None, system_file_text=None
    )
    return _info(
        "system prompt removed" if text is None else "system prompt set (from the next turn)"
    )


def _attach(session: ChatSession, args: str) -> Outcome:
    from claudecli.request import load_attachment

    if not args:
        raise UsageError("/attach: give a file (images and PDFs by content, or text)")
    path = str(Path(args).expanduser())
    item = load_attachment(path)  # the limits and one-line errors of `ask -a`
    session.attachments.append(path)
    kinds = {"pdf": "PDF", "image": "image"}
    pages = f", {item.pages} pages" if item.pages else ""
    what = f"{kinds.get(item.kind, 'text')}{pages}, {len(item.data):,} bytes"
    return _info(f"attached {item.name} ({what}) to the next message")


def _detach(session: ChatSession, args: str) -> Outcome:
    count = len(session.attachments)
    session.attachments.clear()
    return _info(f"detached {count} file{'s' * (count != 1)}" if count else "nothing attached")


def _prefill(session: ChatSession, args: str) -> Outcome:
    session.prefill = args or None
    return _info(f"the next answer starts with {args!r}" if args else "prefill removed")


def _thinking(session: ChatSession, args: str) -> Outcome:
    from claudecli.request import parse_thinking

    if not args:
        return _info(f"thinking: {session.base.thinking or '(the settings)'}")
    parse_thinking(args)
    session.base = dataclasses.replace(session.base, thinking=args)
    return _info(f"thinking: {args}")


def _effort(session: ChatSession, args: str) -> Outcome:
    from claudecli.request import parse_effort

    if not args:
        return _info(f"effort: {session.base.effort or '(the model default)'}")
    parse_effort(args)
    session.base = dataclasses.replace(session.base, effort=args)
    return _info(f"effort: {args}")


def _cache(session: ChatSession, args: str) -> Outcome:
    from claudecli.request import parse_cache_modes

    if not args:
        return _info(f"cache: {', '.join(session.base.cache) or 'auto (the settings)'}")
    modes = tuple(args.replace(",", " ").split())
    parse_cache_modes(modes)
    session.base = dataclasses.replace(session.base, cache=modes)
    return _info(f"cache: {', '.join(modes)}")


def _retry(session: ChatSession, args: str) -> Outcome:
    if not session.can_retry():
        return Outcome("nothing to retry yet", error=True)
    return Outcome(action="retry")


def _undo(session: ChatSession, args: str) -> Outcome:
    marked = session.undo()
    if not marked:
        return _info("nothing to undo")
    return _info("the last exchange is undone (kept in the history, no longer sent)")


def _edit(session: ChatSession, args: str) -> Outcome:
    return Outcome(action="edit")


def _copy(session: ChatSession, args: str) -> Outcome:
    if session.last_answer() is None:
        return Outcome("no answer to copy yet", error=True)
    return Outcome(action="copy")


def _tokens(session: ChatSession, args: str) -> Outcome:
    return Outcome(action="tokens")


def _title(session: ChatSession, args: str) -> Outcome:
    if not args:
        raise UsageError("/title: give the new title")
    session.rename(args)
    return _info(f"title: {args}")


def _export(session: ChatSession, args: str) -> Outcome:
    from .export import export_conversation

    if not args:
        raise UsageError("/export: give a file (.md for Markdown, .jsonl for JSON lines)")
    path = Path(args).expanduser()
    count = export_conversation(session, path)
    return _info(f"exported {count} turn{'s' * (count != 1)} to {path}")


def _new(session: ChatSession, args: str) -> Outcome:
    session.new()
    return _info("a new conversation starts with your next message")


def _role(session: ChatSession, args: str) -> Outcome:
    if not args:
        names = ", ".join(sorted(session.roles)) or "none (add `roles:` to config.yaml)"
        return _info(f"roles: {names}")
    role = session.roles.get(args)
    if role is None:
        names = ", ".join(sorted(session.roles)) or "none (add `roles:` to config.yaml)"
        raise UsageError(f"/role: unknown role {args!r}; defined: {names}")
    session.base = with_role(session.base, role)
    return _info(f"role {args}: {', '.join(sorted(role)) or 'nothing to change'}")


def with_role(options: Any, role: Mapping[str, Any]) -> Any:
    """The options with a role's settings in place (a role's system replaces the current)."""
    changes: dict[str, Any] = {}
    if "system" in role:
        changes |= {"system": role["system"], "system_file": None, "system_file_text": None}
    for key in ("model", "effort", "cache_ttl"):
        if key in role:
            changes[key] = role[key]
    if "thinking" in role:
        changes["thinking"] = str(role["thinking"])
    if "cache" in role:
        changes["cache"] = tuple(role["cache"])
    return dataclasses.replace(options, **changes)


COMMANDS: Final[Mapping[str, Command]] = {
    "/help": Command("/help", "this list", _help),
    "/quit": Command("/quit", "leave (so do Ctrl-D and /exit)", _quit),
    "/exit": Command("/exit", "leave", _quit),
    "/model": Command("/model [ID]", "show or change the model", _model),
    "/system": Command("/system [TEXT|off]", "show, set or remove the system prompt", _system),
    "/attach": Command("/attach PATH", "attach a file to the next message", _attach),
    "/detach": Command("/detach", "drop the files attached to the next message", _detach),
    "/prefill": Command("/prefill TEXT", "start the next answer with TEXT", _prefill),
    "/thinking": Command("/thinking adaptive|off|N", "extended thinking", _thinking),
    "/effort": Command("/effort low|medium|high|xhigh|max", "how much effort", _effort),
    "/cache": Command("/cache MODES", "prompt-cache breakpoints (auto, off, …)", _cache),
    "/retry": Command("/retry", "ask again for the last answer (the old one is undone)", _retry),
    "/undo": Command("/undo", "drop the last exchange from what is sent", _undo),
    "/edit": Command("/edit", "write the next message in $EDITOR", _edit),
    "/copy": Command("/copy", "copy the last answer to the clipboard", _copy),
    "/tokens": Command("/tokens", "count the conversation's tokens; its cost so far", _tokens),
    "/title": Command("/title TEXT", "rename the conversation", _title),
    "/export": Command("/export PATH", "write the conversation to PATH (.md or .jsonl)", _export),
    "/new": Command("/new", "start a new conversation", _new),
    "/role": Command("/role [NAME]", "list the roles, or use one from config.yaml", _role),
}
