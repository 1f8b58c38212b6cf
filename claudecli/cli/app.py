"""The Typer application: the root callback and the command tree.

Command modules import only typer and the standard library at module level, so `--help` and
shell completion stay fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from claudecli.cli import (
    ask,
    auth,
    batch,
    chat,
    config,
    count_tokens,
    emulator,
    history,
    models,
    tools,
)
from claudecli.cli.completion import complete_profile
from claudecli.cli.context import AppContext, Environment
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.help import DEBUG_HELP, Group, use_classes

HELP = f"""claudecli: a fast, pipeline-safe terminal client for Claude.

{EXIT_CODES_HELP}
"""


def _version(value: bool) -> None:
    if value:
        from claudecli import __version__

        typer.echo(f"claudecli {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar="CLAUDECLI_PROFILE",
            metavar="NAME",
            help="Settings profile to use.",
            autocompletion=complete_profile,
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            metavar="anthropic|bedrock|vertex",
            help="Where requests go: the Anthropic API (or a gateway), Amazon Bedrock or Google "
            "Vertex AI (setting: provider).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=DEBUG_HELP)] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    environment = ctx.obj if isinstance(ctx.obj, Environment) else Environment()
    ctx.obj = AppContext(profile=profile, debug=debug, environment=environment, provider=provider)


COMPLETION_HELP = """Print the shell completion script for bash, zsh or fish.

Save it where your shell loads completions (see the examples), or source it from your shell's
rc file: `source <(claudecli completion bash)`. At <TAB> the script runs claudecli again, which
completes commands, options, model ids and profile names.
"""


def completion(
    shell: Annotated[
        Literal["bash", "zsh", "fish"], typer.Argument(metavar="bash|zsh|fish", help="The shell.")
    ],
) -> None:
    from claudecli.cli.completion import completion_script

    sys.stdout.write(completion_script(shell))


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="claudecli",
        cls=Group,
        help=HELP,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    ask.register(app)
    chat.register(app)
    count_tokens.register(app)
    models.register(app)
    emulator.register(app)
    config.register(app)
    auth.register(app)
    history.register(app)
    batch.register(app)
    tools.register(app)
    app.command("completion", help=COMPLETION_HELP)(completion)
    use_classes(app)
    return app


def run(args: list[str], environment: Environment | None = None) -> None:
    from claudecli.cli.signals import install_handlers

    if environment is None:  # a real process (an injected one is a test's, in-process)
        install_handlers()
    build_app()(args=args, prog_name="claudecli", obj=environment)
