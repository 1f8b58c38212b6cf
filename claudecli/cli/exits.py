"""The one table from exceptions to exit codes and one-line error messages.

0 ok · 1 internal error · 2 usage · 3 bad input or config · 4 auth or permission · 5 request
rejected by the API (400, 404, 413, 422) · 6 service unavailable after retries (network, 408,
409, 429, 5xx, 529) · 7 partial answer (the stream broke after text was shown) · 8 the answer
failed its check (JSON not matching --schema; a batch with errored, canceled or expired
items) · 124 batch --wait timed out · 130 SIGINT · 143 SIGTERM.
"""

from __future__ import annotations

import errno
import re
from enum import IntEnum
from typing import TYPE_CHECKING, Final

from claudecli.client import (
    APIConnectionError,
    APIStatusError,
    ClaudeError,
    ProtocolError,
    RequestValidationError,
    StreamInterruptedError,
)
from claudecli.errors import (
    ClaudecliError,
    UsageError,
)
from claudecli.render.sanitize import sanitize

if TYPE_CHECKING:
    from typer._click.exceptions import UsageError as ClickUsageError

EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input or config, 4 auth or permission, "
    "5 request rejected by the API, 6 service unavailable after retries, 7 partial answer, "
    "8 the answer failed its check (--schema; batch: items errored, canceled or expired), "
    "9 --max-turns reached (tools run), "
    "124 timed out (batch --wait), 129 hung up (SIGHUP), 130 interrupted (SIGINT), "
    "143 terminated (SIGTERM)."
)


class ExitStatus(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    BAD_INPUT = 3
    AUTH = 4
    REJECTED = 5
    UNAVAILABLE = 6
    PARTIAL = 7
    BAD_ANSWER = 8  # also: a batch ended with errored, canceled or expired items
    MAX_TURNS = 9  # tools run: the model still asked for tools after --max-turns requests
    TIMED_OUT = 124  # batch --wait gave up (as timeout(1) exits)
    SIGHUP = 129
    SIGINT = 130
    SIGTERM = 143


class Terminated(BaseException):
    """Raised from the SIGTERM handler so that `finally` blocks run (atexit would not)."""


class HungUp(Terminated):
    """Raised from the SIGHUP handler (the terminal went away, e.g. a dropped SSH session)."""


def exit_status(exc: BaseException) -> ExitStatus:
    """Which exit code an exception ends the process with."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitStatus.SIGINT
    if isinstance(exc, HungUp):
        return ExitStatus.SIGHUP
    if isinstance(exc, Terminated):
        return ExitStatus.SIGTERM
    if isinstance(exc, StreamInterruptedError):
        return _interrupted_status(exc)
    if isinstance(exc, APIStatusError):
        return _status_exit(exc.status_code)
    if isinstance(exc, APIConnectionError | ProtocolError):
        return ExitStatus.UNAVAILABLE
    return _domain_status(exc)


def _interrupted_status(exc: StreamInterruptedError) -> ExitStatus:
    if exc.content_delivered or exc.cause is None:
        return ExitStatus.PARTIAL
    return exit_status(exc.cause)


def _status_exit(status: int) -> ExitStatus:
    if status in (401, 403):
        return ExitStatus.AUTH
    if status in (408, 409, 429) or status >= 500:
        return ExitStatus.UNAVAILABLE
    return ExitStatus.REJECTED


def _domain_status(exc: BaseException) -> ExitStatus:
    """Domain errors carry their code (`claudecli.errors`); anything else is internal."""
    if isinstance(exc, RequestValidationError):
        return ExitStatus.USAGE
    if isinstance(exc, ClaudecliError):
        return ExitStatus(exc.exit_code)
    return ExitStatus.INTERNAL


def error_line(exc: BaseException, *, key_source: str | None = None) -> str:
    """The one line printed on stderr for an error (sanitized: server text is untrusted)."""
    if isinstance(exc, KeyboardInterrupt):
        return "claudecli: interrupted"
    if isinstance(exc, HungUp):
        return "claudecli: hung up"
    if isinstance(exc, Terminated):
        return "claudecli: terminated"
    text = _describe(exc)
    if key_source and exit_status(exc) == ExitStatus.AUTH and isinstance(exc, APIStatusError):
        text += f" (key from {key_source})"
    request_id = getattr(exc, "request_id", None)
    if request_id and request_id not in text:
        text += f" (request-id {request_id})"
    return "claudecli: error: " + " ".join(sanitize(text).split())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UsageError):
        return typed_flag(str(exc))
    if isinstance(exc, StreamInterruptedError):
        return _describe_interrupted(exc)
    if isinstance(exc, APIStatusError):
        return _describe_status(exc)
    if isinstance(exc, ClaudecliError | ClaudeError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
        return f"cannot write output: {exc.strerror}"
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _describe_interrupted(exc: StreamInterruptedError) -> str:
    cause = exc.cause
    reason = _describe_status(cause) if isinstance(cause, APIStatusError) else str(cause or exc)
    if not exc.content_delivered:
        return reason
    return f"the answer was cut short: {reason}; the partial answer is above"


_STATUS_HINTS = {
    401: "API key rejected (401)",
    403: "permission denied (403)",
    413: "request too large (413); the limit is 32 MB for Messages, 256 MB for Batches",
    429: "rate limited (429)",
    529: "the API is overloaded (529); try again later",
}


def _describe_status(exc: APIStatusError) -> str:
    message = exc.message
    if exc.status_code == 404 and exc.error_type == "not_found_error" and "model" in message:
        return f"{message}; `claudecli models` lists the available models"
    if exc.status_code == 400 and "prefill" in message.lower():
        return f"{message}; this model does not accept --prefill (use --schema for JSON output)"
    hint = _STATUS_HINTS.get(exc.status_code)
    if hint is None:
        return f"{message} (HTTP {exc.status_code})"
    if exc.error_type is None:
        return hint
    return f"{hint}: {message}"


# --- usage errors ---------------------------------------------------------------------------

# Settings that a flag of another name sets: a settings error names the flag the user typed.
FLAG_FOR_SETTING: Final = {"--total-timeout": "--timeout"}
_CLICK_WORDING: Final = tuple(
    (f"is not a valid {name}", ours)
    for names, ours in (
        (("integer range", "int range", "integer", "int"), "is not a whole number"),
        (("float range", "float"), "is not a number"),
    )
    for name in names
)


def typed_flag(message: str) -> str:
    """`--total-timeout: …` (the setting's name) -> `--timeout: …` (the flag's)."""
    option, colon, rest = message.partition(":")
    if colon and option in FLAG_FOR_SETTING:
        return f"{FLAG_FOR_SETTING[option]}:{rest}"
    return message


def usage_error_line(error: ClickUsageError) -> str:
    """A click usage error as one line: `claudecli: error: <message> (see '… --help')`."""
    text = _click_message(error)
    if error.ctx is not None:
        text += see_help(error.ctx.command_path)
    return "claudecli: error: " + " ".join(sanitize(text).split())


def see_help(command: str) -> str:
    return f" (see '{command} --help')"


def _click_message(error: ClickUsageError) -> str:
    possibilities = getattr(error, "possibilities", None)
    message = error.message if possibilities else error.format_message()
    for click_words, ours in _CLICK_WORDING:
        message = message.replace(click_words, ours)
    message = re.sub(r"'(-[^']*)'", r"\1", message.rstrip("."))
    if possibilities:
        message += f"; did you mean {' or '.join(sorted(possibilities))}?"
    return message
