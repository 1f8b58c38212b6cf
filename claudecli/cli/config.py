"""`claudecli config show | path | edit`: the effective settings, where each came from, the file.

`config path` never parses the file, so it works while the file is broken; `config edit` keeps
whatever the editor saved, even when it is invalid, and says what is wrong (exit 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.output import err, format_table, out

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.config import ResolvedSettings

HEADERS: Final = ("key", "value", "source")
DEFAULT_EDITOR: Final = "vi"

HELP = f"""Show the effective settings, the config file's path, or edit it.

Precedence: flag > environment > profile > config.yaml > default. Keys never live in the
config file: use `claudecli auth login`, ANTHROPIC_API_KEY or api_key_cmd.

{EXIT_CODES_HELP}
"""

SHOW_HELP = """Every setting, its value (secrets masked) and where it came from
("flag --profile", "env ANTHROPIC_BASE_URL", "profile work (config.yaml:12)", "config.yaml:3",
"default"). Warnings go to stderr."""

PATH_HELP = """Print the config file's path (the file is not read, so this works when it is
broken); `store` prints the conversation store's, `all` both."""

EDIT_HELP = """Open the config file in $VISUAL or $EDITOR (default vi), creating it from a
commented template (mode 0600) if it does not exist; then check it. An invalid file is kept and
reported (exit 3)."""

config_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)


@config_app.command("show", help=SHOW_HELP)
@guarded
def show(
    ctx: typer.Context,
    json_out: Annotated[
        bool, typer.Option("--json", help='Print {key: {"value": …, "source": …}}.')
    ] = False,
) -> None:
    app: AppContext = ctx.obj
    resolved = app.resolve()
    if json_out:
        out(show_json(resolved))
        return
    out(show_table(resolved))
    err(f"claudecli: config file: {_describe_file(resolved.config_path)}")
    err(f"claudecli: provider {resolved.settings.provider}, key from {key_source(app, resolved)}")


@config_app.command("path", help=PATH_HELP)
@guarded
def path(
    ctx: typer.Context,
    which: Annotated[
        str,
        typer.Argument(
            metavar="[config|store|all]",
            help="config (default): the settings file; store: the conversation store; all: both, "
            "labelled.",
        ),
    ] = "config",
) -> None:
    from claudecli.conversations import store_path
    from claudecli.errors import UsageError

    paths = {"config": config_path(ctx.obj), "store": store_path(ctx.obj.env)}
    if which == "all":
        out("\n".join(f"{name}: {where}" for name, where in paths.items()))
    elif which in paths:
        out(str(paths[which]))
    else:
        raise UsageError(f"config path {which}: choose config, store or all")


@config_app.command("edit", help=EDIT_HELP)
@guarded
def edit(ctx: typer.Context) -> None:
    app: AppContext = ctx.obj
    target = config_path(app)
    if not target.exists():
        create_template(target)
    run_editor(editor_command(app.env), target)
    check_file(target)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


# --- show -----------------------------------------------------------------------------------


def key_source(app: AppContext, resolved: ResolvedSettings) -> str:
    """Which credential source wins for these settings (its name, never the secret)."""
    from claudecli.credentials import credential_status
    from claudecli.errors import ClaudecliError
    from claudecli.render.sanitize import visible

    try:
        status = credential_status(resolved.settings, app.env, profile=resolved.settings.profile)
    except ClaudecliError as error:  # e.g. a cloud provider without its region: show, not fail
        return "nowhere: " + visible(str(error), keep_newlines=False)
    if status.credential is None:
        return "nowhere: " + visible(status.error or "no credential found", keep_newlines=False)
    return visible(status.credential.source, keep_newlines=False)


def show_table(resolved: ResolvedSettings) -> str:
    from claudecli.render.sanitize import visible
    from claudecli.render.settings_view import config_show_rows

    rows = [
        [visible(cell, keep_newlines=False) for cell in row] for row in config_show_rows(resolved)
    ]
    return format_table(HEADERS, rows, right_aligned=set())


def show_json(resolved: ResolvedSettings) -> str:
    from claudecli.render.settings_view import config_show_json

    return config_show_json(resolved)


def _describe_file(file: Path | None) -> str:
    if file is None:
        return "(none)"
    return str(file) if file.exists() else f"{file} (not found; defaults apply)"


# --- path and edit --------------------------------------------------------------------------


def config_path(app: AppContext) -> Path:
    from claudecli.paths import config_file

    return config_file(app.env)


def create_template(target: Path) -> None:
    """Write the commented template, 0600 inside 0700 directories (missing ones are created)."""
    from claudecli.config import default_config_text
    from claudecli.errors import InputError
    from claudecli.paths import atomic_write

    try:
        atomic_write(target, default_config_text())
    except OSError as error:
        raise InputError(f"cannot create {target}: {error.strerror or error}") from None
    out(f"created {target} from the template")


def editor_command(env: Mapping[str, str]) -> list[str]:
    """`$VISUAL`, else `$EDITOR`, else vi; shell-split (no shell runs it)."""
    import shlex

    from claudecli.errors import ConfigError

    for var in ("VISUAL", "EDITOR"):
        text = env.get(var, "").strip()
        if text:
            try:
                argv = shlex.split(text)
            except ValueError as error:
                raise ConfigError(f"${var} is not a valid command line ({error})") from None
            if argv:
                return argv
    return [DEFAULT_EDITOR]


def run_editor(argv: list[str], target: Path) -> None:
    import subprocess

    from claudecli.errors import ClaudecliError, ConfigError

    name = argv[0]
    try:
        done = subprocess.run([*argv, str(target)], check=False)
    except FileNotFoundError:
        raise ConfigError(f"editor {name!r} not found; set $VISUAL or $EDITOR") from None
    except OSError as error:
        raise ConfigError(f"cannot run editor {name!r}: {error.strerror or error}") from None
    if done.returncode != 0:
        raise ClaudecliError(
            f"editor {name!r} exited with status {done.returncode}; {target} was not checked"
        )


def check_file(target: Path) -> None:
    """Validate the saved file; warnings on stderr; raise `ConfigError` (exit 3) if invalid."""
    from claudecli.config import load_config
    from claudecli.errors import ConfigError
    from claudecli.render.sanitize import visible

    try:
        config = load_config(target)
    except ConfigError as error:
        message = f"{error}; the file was kept: fix it with `claudecli config edit`"
        raise ConfigError(message) from None
    for warning in config.warnings:
        err(f"claudecli: warning: {visible(warning, keep_newlines=False)}")
    count = len(config.profiles)
    out(f"{target}: valid ({count} profile{'' if count == 1 else 's'})")
