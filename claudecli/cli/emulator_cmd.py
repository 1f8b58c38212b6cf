"""`claudecli emulator serve`: the bundled offline Messages API emulator."""

from __future__ import annotations

from typing import Annotated

import typer

emulator_app = typer.Typer(help="The offline Messages API emulator (loopback only).")


@emulator_app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 0,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key-env", help="Env var holding the only key to accept."),
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
    """Serve the emulator; prints its URL as the first line of stdout, then runs until Ctrl-C."""
    import os

    from claudecli.emulator import serve as run_server

    key = os.environ.get(api_key) if api_key else None

    def ready(url: str) -> None:
        typer.echo(url)

    try:
        run_server(
            port=port,
            api_key=key,
            auth=auth,
            prefix=prefix,
            batch_delay=batch_delay,
            on_ready=ready,
        )
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def register(app: typer.Typer) -> None:
    app.add_typer(emulator_app, name="emulator")
