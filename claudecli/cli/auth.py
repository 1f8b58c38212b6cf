"""`claudecli auth login | logout | status`: the key in the OS keyring, and where keys come from.

There is deliberately no `--api-key VALUE` option (it would leak into `ps` and shell history):
`login` reads the key with hidden input from a terminal, or the first line of stdin otherwise,
and never echoes it; messages show at most its last four characters. Without a usable keyring
(no backend, no D-Bus, locked, hanging) every command ends with one line naming the other
sources (ANTHROPIC_API_KEY, api_key_cmd) and exit status 4.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from claudecli.cli.completion import complete_profile
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.output import err, format_table, out

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.credentials import CredentialStatus

HELP = f"""Store, remove and inspect the API key.

Sources, first found wins: ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, api_key_cmd (config), the
OS keyring (one key per profile), the Anthropic SDK's profile files.

{EXIT_CODES_HELP}
"""

LOGIN_HELP = """Store an API key (or a gateway's virtual key) in the OS keyring for a profile.

The key is read with hidden input from a terminal, or as the first line of stdin:
`pass show anthropic | claudecli auth login --profile work`. It is never echoed."""

LOGOUT_HELP = "Remove a profile's key from the OS keyring."

STATUS_HELP = """Which credential source wins (at most the key's last 4 characters are shown),
and what every source gave. Exit status 0 if a key was found, else 4."""

ALTERNATIVES: Final = "set ANTHROPIC_API_KEY or api_key_cmd in config.yaml instead"
MAX_KEY_LINE: Final = 64 * 1024  # keys are short; never read an endless stdin into memory

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Profile (default: the active one, as for the root --profile).",
        autocompletion=complete_profile,
    ),
]

auth_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)


@auth_app.command("login", help=LOGIN_HELP)
@guarded
def login(
    ctx: typer.Context,
    profile: ProfileOption = None,
    from_stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the key from stdin even on a terminal.")
    ] = False,
) -> None:
    app: AppContext = ctx.obj
    name, settings = target_profile(app, profile)
    key = read_key(name, from_stdin=from_stdin)
    store(name, key)
    out(f"stored the key {masked(key)} for profile {name} in the OS keyring")
    for note in shadowing_notes(app, settings):
        err(f"claudecli: note: {note}")


@auth_app.command("logout", help=LOGOUT_HELP)
@guarded
def logout(ctx: typer.Context, profile: ProfileOption = None) -> None:
    from claudecli.credentials import delete_key

    name, _ = target_profile(ctx.obj, profile)
    if delete_key(name):
        out(f"removed the key for profile {name} from the OS keyring")
    else:
        out(f"no key stored for profile {name}; nothing to remove")


@auth_app.command("status", help=STATUS_HELP)
@guarded
def status(
    ctx: typer.Context,
    profile: ProfileOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from claudecli.errors import CredentialsError

    app: AppContext = ctx.obj
    if profile is not None:
        app.profile = profile  # same as the root --profile
    resolved = app.resolve()
    found = probe(app, resolved.settings)
    backend = backend_line(found, resolved.settings)
    if json_out:
        out(status_json(resolved, found, backend))
    else:
        out(status_text(resolved, found, backend))
    if found.credential is None:
        raise CredentialsError(found.error or "no API key")


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth")


# --- login / logout -------------------------------------------------------------------------


def target_profile(app: AppContext, option: str | None) -> tuple[str, Settings | None]:
    """`--profile` here, else the root `--profile`/CLAUDECLI_PROFILE, else the config's choice.

    A profile named on the command line needs no config file (it may not be defined yet);
    the settings are read when they can be, for the notes after `login`.
    """
    from claudecli.config import load_settings
    from claudecli.errors import ClaudecliError, UsageError

    wanted = option if option is not None else app.profile
    if wanted is not None and not wanted.strip():
        raise UsageError("--profile: must be a non-empty profile name")
    try:
        resolved = load_settings(profile=wanted, env=app.env, allow_undefined_profile=True)
    except ClaudecliError:
        if wanted is None:
            raise  # the config file decides the profile, and it is broken
        return wanted, None
    return resolved.settings.profile, resolved.settings


def read_key(profile: str, *, from_stdin: bool) -> str:
    """Hidden input on a terminal, else the first line of stdin; empty is a usage error."""
    from claudecli.errors import InputError, UsageError

    if from_stdin or sys.stdin is None or not sys.stdin.isatty():
        key = _first_stdin_line()
    else:
        key = _prompt_hidden(f"API key for profile {profile} (input hidden): ")
    if not key:
        raise UsageError("no key given (empty input); nothing was stored")
    if not all(33 <= ord(char) <= 126 for char in key):
        raise InputError("the key contains spaces, control or non-ASCII characters; not stored")
    return key


def _first_stdin_line() -> str:
    if sys.stdin is None:
        return ""
    data = sys.stdin.buffer.readline(MAX_KEY_LINE)
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        from claudecli.errors import InputError

        raise InputError("the key on stdin is not UTF-8 text; not stored") from None


def _prompt_hidden(prompt: str) -> str:
    import getpass

    try:
        return getpass.getpass(prompt).strip()
    except EOFError:
        return ""


def store(profile: str, key: str) -> None:
    """`store_key`, its one-line error naming the alternatives (never the key)."""
    from claudecli.credentials import store_key
    from claudecli.errors import CredentialsError

    try:
        store_key(profile, key)
    except CredentialsError as error:
        reason = str(error).replace(key, "***")
        if "ANTHROPIC_API_KEY" not in reason:
            reason = f"{reason}; {ALTERNATIVES}"
        raise CredentialsError(f"cannot store the key in the OS keyring: {reason}") from None


def masked(key: str) -> str:
    """`…abcd`: the last four characters, or none for a short key (like `Credential.masked`)."""
    from claudecli.render.settings_view import mask_secret

    return mask_secret(key)


def shadowing_notes(app: AppContext, settings: Settings | None) -> list[str]:
    """Why the stored key might not be the one used."""
    notes = [
        f"{var} is set and wins over the keyring"
        for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
        if app.env.get(var, "").strip()
    ]
    if settings is not None and settings.api_key_cmd is not None:
        notes.append("api_key_cmd is configured and wins over the keyring")
    if settings is not None and not settings.use_keyring:
        notes.append("use_keyring is false: the keyring is not read until it is true")
    return notes


# --- status ---------------------------------------------------------------------------------


def probe(app: AppContext, settings: Settings) -> CredentialStatus:
    from claudecli.credentials import credential_status

    return credential_status(settings, app.env, profile=settings.profile)


def backend_line(found: CredentialStatus, settings: Settings) -> str:
    """The keyring backend, unless the keyring check already said why it is unusable."""
    from claudecli.credentials import keyring_backend

    keyring_check = next((c for c in found.checks if c.source.startswith("keyring")), None)
    if not settings.use_keyring:
        return "not used (use_keyring: false)"
    if keyring_check is not None and keyring_check.result == "failed":
        return f"unavailable: {keyring_check.detail}"
    return keyring_backend()


def sent_as(found: CredentialStatus, settings: Settings) -> str:
    credential = found.credential
    if credential is None:
        return "-"
    if credential.kind == "aws_sigv4":
        return "SigV4 signature (Authorization: AWS4-HMAC-SHA256), per request"
    if credential.kind == "google_adc":
        return "Authorization: Bearer (an OAuth access token, refreshed before expiry)"
    if credential.kind in ("auth_token", "aws_api_key") or settings.auth_header == "bearer":
        return "Authorization: Bearer"
    return "x-api-key"


def endpoint(resolved: ResolvedSettings, found: CredentialStatus) -> str:
    """Where requests go: the base URL, or the cloud's endpoint for its region."""
    from claudecli.client import default_base_url

    settings = resolved.settings
    cloud = found.credential.cloud if found.credential else None
    if settings.provider == "bedrock":
        region = cloud.region if cloud else None
        return settings.bedrock_base_url or default_base_url("bedrock", region)
    if settings.provider == "vertex" and settings.vertex_region:
        return settings.vertex_base_url or default_base_url("vertex", settings.vertex_region)
    return f"{shown_base_url(resolved)} ({resolved.source('base_url')})"


def shown_base_url(resolved: ResolvedSettings) -> str:
    """The base URL as `config show` prints it (a password in it masked)."""
    from claudecli.render.settings_view import config_show_rows

    shown = {key: value for key, value, _ in config_show_rows(resolved)}
    return shown.get("base_url", resolved.settings.base_url)


def status_text(resolved: ResolvedSettings, found: CredentialStatus, backend: str) -> str:
    from claudecli.render.sanitize import visible

    settings = resolved.settings
    credential = found.credential
    winner = f"{credential.masked()} from {credential.source}" if credential else "none found"
    summary = [
        ("profile", f"{settings.profile} ({resolved.source('profile')})"),
        ("key", winner),
        ("sent as", sent_as(found, settings)),
        ("endpoint", endpoint(resolved, found)),
        ("keyring", backend),
    ]
    width = max(len(label) for label, _ in summary) + 1
    lines = [f"{label + ':':<{width}} {value}" for label, value in summary]
    rows = [[c.source, c.result, c.detail] for c in found.checks]
    table = format_table(("source", "result", "detail"), rows, right_aligned=set())
    return visible("\n".join([*lines, "", table]))


def status_json(resolved: ResolvedSettings, found: CredentialStatus, backend: str) -> str:
    import json

    settings = resolved.settings
    document: dict[str, Any] = {
        "profile": settings.profile,
        "profile_source": resolved.source("profile"),
        **found.as_dict(),
        "sent_as": sent_as(found, settings) if found.credential else None,
        "base_url": shown_base_url(resolved),
        "keyring_backend": backend,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
