"""`claudecli emulator serve`: the bundled offline Messages API emulator.

A bad flag value is one line on stderr and exit 2; an unset `--api-key-env` variable or a port
that cannot be listened on is exit 3; SIGINT / SIGTERM stop it cleanly with exit 130 / 143.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from typing import Annotated

import typer

from claudecli.cli.exits import EXIT_CODES_HELP, ExitStatus
from claudecli.cli.guard import guarded
from claudecli.cli.output import out
from claudecli.errors import ConfigError, InputError, UsageError

emulator_app = typer.Typer(help="The offline Messages API emulator (loopback only).")

SERVE_HELP = f"""Serve the emulator on 127.0.0.1: its URL is the first line of stdout; it runs
until Ctrl-C (exit 130) or SIGTERM (exit 143).

{EXIT_CODES_HELP}
"""

_SIGNAL_EXITS: dict[int, ExitStatus] = {
    signal.SIGINT: ExitStatus.SIGINT,
    signal.SIGTERM: ExitStatus.SIGTERM,
}


@dataclass(frozen=True)
class ServeArgs:
    """`serve`'s flags, checked."""

    port: int
    api_key: str | None
    auth: str
    prefix: str
    batch_delay: float


@emulator_app.command("serve", help=SERVE_HELP)
@guarded
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 0,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            "--api-key-env", metavar="VAR", help="Env var holding the only key to accept."
        ),
    ] = None,
    auth: Annotated[
        str, typer.Option(help="Accepted auth header: any, bearer or x-api-key.")
    ] = "any",
    prefix: Annotated[
        str, typer.Option(help="Mount the API under this path (e.g. /anthropic).")
    ] = "",
    batch_delay: Annotated[
        float, typer.Option(help="Seconds a message batch stays in_progress.")
    ] = 2.0,
) -> None:
    args = ServeArgs(
        port=_port(port),
        auth=_auth(auth),
        prefix=_prefix(prefix),
        batch_delay=_batch_delay(batch_delay),
        api_key=_api_key(api_key_env),
    )
    raise typer.Exit(_SIGNAL_EXITS.get(run_server(args), ExitStatus.OK))


def _port(port: int) -> int:
    from claudecli.emulator import MAX_PORT

    if not 0 <= port <= MAX_PORT:
        raise UsageError(f"--port {port}: must be 0-{MAX_PORT} (0 picks a free port)")
    return port


def _auth(auth: str) -> str:
    from claudecli.emulator import AUTH_MODES

    if auth not in AUTH_MODES:
        allowed = ", ".join(AUTH_MODES[:-1]) + " or " + AUTH_MODES[-1]
        raise UsageError(f"--auth {auth!r}: must be {allowed}")
    return auth


def _prefix(prefix: str) -> str:
    from claudecli.emulator import normalise_prefix

    try:
        return normalise_prefix(prefix)
    except ValueError as exc:
        raise UsageError(f"--prefix: {exc}") from None


def _batch_delay(seconds: float) -> float:
    from claudecli.emulator import MAX_BATCH_DELAY

    if not 0 <= seconds <= MAX_BATCH_DELAY:
        raise UsageError(f"--batch-delay {seconds:g}: must be 0-{MAX_BATCH_DELAY:g} seconds")
    return seconds


def _api_key(variable: str | None) -> str | None:
    """The key held in `--api-key-env VAR` (its name only is ever shown)."""
    if variable is None:
        return None
    key = os.environ.get(variable)
    if not key:
        state = "is empty" if key == "" else "is not set"
        raise ConfigError(f"--api-key-env {variable}: environment variable {variable} {state}")
    return key


def run_server(args: ServeArgs) -> int:
    """Serve until a signal; the signal's number, after a clean shutdown."""
    from claudecli.emulator import ListenError, serve

    try:
        return serve(
            port=args.port,
            api_key=args.api_key,
            auth=args.auth,
            prefix=args.prefix,
            batch_delay=args.batch_delay,
            on_ready=out,
        )
    except ListenError as exc:
        hint = "; --port 0 picks a free port" if args.port else ""
        raise InputError(f"--port {args.port}: {exc}{hint}") from None


def register(app: typer.Typer) -> None:
    app.add_typer(emulator_app, name="emulator")
