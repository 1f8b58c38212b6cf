"""Finding the API key, and storing it in the OS keyring.

Sources, first found wins (`resolve_credentials`):

1. `ANTHROPIC_API_KEY` (kind "api_key"; sent as the `auth_header` setting says).
2. `ANTHROPIC_AUTH_TOKEN` (kind "auth_token"; always `Authorization: Bearer`).
3. `api_key_cmd` from the settings: run without a shell, stdin closed, time-limited (10 s); the
   first line of its stdout is the key. A failure, timeout or empty output is an error that names
   the command (any `sk-ant-…` argument masked) but never shows what it printed.
4. The OS keyring: service "claudecli", user name = profile ("default"). Every keyring call runs
   in a daemon thread with a time limit (3 s for reads), because a locked keyring can block on an
   unlock prompt. A missing backend, no D-Bus, a locked keyring or a timeout never raises: the
   source is skipped and the reason is kept (`Credential.notes`, `CredentialStatus.checks`, and
   the no-key error message).
5. The Anthropic SDK's profile files: profile `ANTHROPIC_PROFILE`, else the name in
   `<dir>/active_config`, else "default"; `<dir>` is `ANTHROPIC_CONFIG_DIR` or
   `~/.config/anthropic`. `configs/<profile>.json` must have `authentication.type: user_oauth`;
   the token is `access_token` in `credentials/<profile>.json` (or `authentication.
   credentials_path`), a 0600 file that is not a symlink. It is sent as a Bearer token with
   `anthropic-beta: oauth-2025-04-20` (and `anthropic-workspace-id` when the profile sets
   `workspace_id`). The SDK layout has no `api_key` field. Expired tokens are reported, not
   refreshed; `oidc_federation` profiles are reported as unsupported.

No value ever appears in a message, `repr()` or status: keys are wrapped in `Secret`, and
`Credential.masked()` shows at most the last four characters.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

from claudecli.client import Secret
from claudecli.config import DEFAULT_PROFILE, Settings
from claudecli.errors import ConfigError, CredentialsError

__all__ = [
    "KEYRING_SERVICE",
    "Credential",
    "CredentialStatus",
    "Secret",
    "SourceCheck",
    "credential_status",
    "delete_key",
    "env_without_credentials",
    "keyring_backend",
    "resolve_credentials",
    "store_key",
]

KEYRING_SERVICE: Final = "claudecli"
CMD_TIMEOUT: Final = 10.0
KEYRING_TIMEOUT: Final = 3.0
KEYRING_WRITE_TIMEOUT: Final = 30.0  # writes may wait for the user to unlock the keyring
OAUTH_BETA: Final = "oauth-2025-04-20"
CREDENTIAL_ENV: Final = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")

Kind = Literal["api_key", "auth_token", "aws_api_key", "aws_sigv4", "google_adc"]
CheckResult = Literal["found", "absent", "failed", "skipped", "not checked"]
_T = TypeVar("_T")


_CLOUD_USE: Final[Mapping[str, str]] = MappingProxyType(
    {"aws_sigv4": "SigV4-signed", "google_adc": "OAuth access token"}
)


def _no_headers() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Credential:
    """The credential to send, where it came from, and extras it needs on each request."""

    value: Secret
    source: str  # "environment ANTHROPIC_API_KEY", "keyring (profile default)", ...
    kind: Kind = "api_key"
    betas: tuple[str, ...] = ()  # anthropic-beta values this credential requires
    headers: Mapping[str, str] = field(default_factory=_no_headers, hash=False)
    base_url: str | None = None  # an SDK profile's base_url (use only if none was configured)
    notes: tuple[str, ...] = ()  # sources that failed or were shadowed, one line each
    cloud: Any = field(default=None, hash=False, repr=False)  # AwsSetup / GoogleSetup

    def masked(self) -> str:
        """At most the last four characters: `…a1b2` (cloud credentials: how they are used)."""
        return _CLOUD_USE.get(self.kind) or self.value.masked()


@dataclass(frozen=True)
class SourceCheck:
    """What one credential source gave: found / absent / failed / skipped / not checked."""

    source: str
    result: CheckResult
    detail: str = ""  # one line, never a value ("no key stored", "timed out after 3 s", "…a1b2")


@dataclass(frozen=True)
class CredentialStatus:
    """Data for `auth status`: the winner (if any), every source in order, and the error."""

    credential: Credential | None
    checks: tuple[SourceCheck, ...]
    error: str | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        """Failed sources as "source: reason" lines."""
        return tuple(f"{c.source}: {c.detail}" for c in self.checks if c.result == "failed")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary without any secret."""
        found = self.credential
        return {
            "source": found.source if found else None,
            "kind": found.kind if found else None,
            "key": found.masked() if found else None,
            "checks": [
                {"source": c.source, "result": c.result, "detail": c.detail} for c in self.checks
            ],
            "error": self.error,
        }


class _Miss:
    """A source that gave nothing; `fatal` stops the search (a configured source broke)."""

    __slots__ = ("detail", "fatal", "result")

    def __init__(self, result: CheckResult, detail: str, *, fatal: bool = False) -> None:
        self.result: CheckResult = result
        self.detail = detail
        self.fatal = fatal


class _Context:
    __slots__ = ("cmd_timeout", "env", "keyring_timeout", "profile", "settings")

    def __init__(
        self,
        settings: Settings,
        env: Mapping[str, str],
        profile: str,
        cmd_timeout: float,
        keyring_timeout: float,
    ) -> None:
        self.settings = settings
        self.env = env
        self.profile = profile
        self.cmd_timeout = cmd_timeout
        self.keyring_timeout = keyring_timeout


_Outcome = Credential | _Miss
_Source = Callable[[_Context, str], _Outcome]


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


def resolve_credentials(
    settings: Settings,
    env: Mapping[str, str] | None = None,
    *,
    profile: str | None = None,
    cmd_timeout: float | None = None,
    keyring_timeout: float = KEYRING_TIMEOUT,
) -> Credential:
    """The first credential found (see the module docstring); raises `CredentialsError`.

    `env` defaults to `os.environ`; `profile` defaults to `settings.profile`.
    """
    status = credential_status(
        settings, env, profile=profile, cmd_timeout=cmd_timeout, keyring_timeout=keyring_timeout
    )
    if status.credential is None:
        raise CredentialsError(status.error or "no API key")
    return status.credential


def credential_status(
    settings: Settings,
    env: Mapping[str, str] | None = None,
    *,
    profile: str | None = None,
    cmd_timeout: float | None = None,
    keyring_timeout: float = KEYRING_TIMEOUT,
) -> CredentialStatus:
    """Try the sources in order without raising; for `auth status` (and `resolve_credentials`)."""
    environ = os.environ if env is None else env
    name = profile or settings.profile or DEFAULT_PROFILE
    timeout = settings.api_key_cmd_timeout if cmd_timeout is None else cmd_timeout
    context = _Context(settings, environ, name, timeout, keyring_timeout)
    return _probe(context, _sources(context))


def _sources(context: _Context) -> list[tuple[str, _Source]]:
    if context.settings.provider == "bedrock":
        return [
            ("environment AWS_BEARER_TOKEN_BEDROCK", _from_bedrock_key),
            (_aws_label(context.settings), _from_aws_chain),
        ]
    if context.settings.provider == "vertex":
        return [("Google Application Default Credentials", _from_google_adc)]
    return [
        ("environment ANTHROPIC_API_KEY", _from_env_api_key),
        ("environment ANTHROPIC_AUTH_TOKEN", _from_env_auth_token),
        (_command_label(context.settings.api_key_cmd), _from_command),
        (f"keyring (profile {context.profile})", _from_keyring),
        (_sdk_label(context.env), _from_sdk_profile),
    ]


def _probe(context: _Context, sources: list[tuple[str, _Source]]) -> CredentialStatus:
    checks: list[SourceCheck] = []
    for index, (label, source) in enumerate(sources):
        outcome = source(context, label)
        rest = tuple(SourceCheck(later, "not checked") for later, _ in sources[index + 1 :])
        if isinstance(outcome, Credential):
            checks.append(SourceCheck(label, "found", outcome.masked()))
            return _found(outcome, checks, rest)
        checks.append(SourceCheck(label, outcome.result, outcome.detail))
        if outcome.fatal:
            return CredentialStatus(None, (*checks, *rest), outcome.detail)
    return CredentialStatus(None, tuple(checks), _no_key_message(context, checks))


def _found(
    credential: Credential, checks: list[SourceCheck], rest: tuple[SourceCheck, ...]
) -> CredentialStatus:
    failures = tuple(f"{c.source}: {c.detail}" for c in checks if c.result == "failed")
    winner = replace(credential, notes=(*failures, *credential.notes))
    return CredentialStatus(winner, (*checks, *rest))


def _no_key_message(context: _Context, checks: list[SourceCheck]) -> str:
    if context.settings.provider != "anthropic":
        return _no_cloud_message(context.settings)
    login = "claudecli auth login"
    if context.profile != DEFAULT_PROFILE:
        login += f" --profile {context.profile}"
    message = f"no API key: set ANTHROPIC_API_KEY, run `{login}`, or set api_key_cmd in config.yaml"
    failures = [f"{c.source}: {c.detail}" for c in checks if c.result == "failed"]
    return message + (f" ({'; '.join(failures)})" if failures else "")


def _clean_key(text: str, label: str) -> str | _Miss:
    """The key without surrounding whitespace, or a fatal miss if it cannot go in a header."""
    key = text.strip()
    if not key:
        return _Miss("absent", "empty")
    if not all(33 <= ord(char) <= 126 for char in key):
        detail = f"{label}: the key contains spaces, control or non-ASCII characters"
        return _Miss("failed", detail, fatal=True)
    return key


def _static(text: str | None, label: str, kind: Kind, notes: tuple[str, ...] = ()) -> _Outcome:
    if text is None:
        return _Miss("absent", "not set")
    key = _clean_key(text, label)
    if isinstance(key, _Miss):
        return key
    return Credential(Secret(key), label, kind, notes=notes)


def _from_env_api_key(context: _Context, label: str) -> _Outcome:
    shadowed: tuple[str, ...] = ()
    if context.env.get("ANTHROPIC_AUTH_TOKEN", "").strip():
        shadowed = ("ANTHROPIC_AUTH_TOKEN is also set and ignored (ANTHROPIC_API_KEY wins)",)
    return _static(context.env.get("ANTHROPIC_API_KEY"), label, "api_key", shadowed)


def _from_env_auth_token(context: _Context, label: str) -> _Outcome:
    return _static(context.env.get("ANTHROPIC_AUTH_TOKEN"), label, "auth_token")


# --------------------------------------------------------------------------------------------
# Cloud providers: a Bedrock API key, the AWS chain (botocore), Google ADC (google-auth)
# --------------------------------------------------------------------------------------------


def _aws_label(settings: Settings) -> str:
    profile = f" (profile {settings.aws_profile})" if settings.aws_profile else ""
    return f"AWS credential chain{profile}"


def _no_cloud_message(settings: Settings) -> str:
    from claudecli.client import AWS_LOOKED_FOR, GOOGLE_LOOKED_FOR

    if settings.provider == "bedrock":
        profile = f" for profile {settings.aws_profile}" if settings.aws_profile else ""
        return (
            f"no AWS credentials for Bedrock: looked for AWS_BEARER_TOKEN_BEDROCK, "
            f"then{profile} {AWS_LOOKED_FOR}"
        )
    return f"no Google credentials for Vertex AI: looked for {GOOGLE_LOOKED_FOR}"


def _aws_region(settings: Settings) -> str:
    from claudecli.client import MissingDependency, profile_region

    try:
        region = settings.aws_region or profile_region(settings.aws_profile)
    except (ValueError, MissingDependency) as error:
        raise ConfigError(f"AWS profile: {error}") from None
    if not region:
        raise ConfigError(
            "no AWS region for Bedrock: set AWS_REGION, aws_region in config.yaml, "
            "or a region in your AWS profile"
        )
    return region


def _from_bedrock_key(context: _Context, label: str) -> _Outcome:
    outcome = _static(context.env.get("AWS_BEARER_TOKEN_BEDROCK"), label, "aws_api_key")
    if not isinstance(outcome, Credential):
        return outcome
    from claudecli.client import AwsSetup

    setup = AwsSetup(None, "Bedrock API key", _aws_region(context.settings))
    return replace(outcome, cloud=setup)


def _from_aws_chain(context: _Context, label: str) -> _Outcome:
    from claudecli.client import MissingDependency, load_aws

    settings = context.settings
    try:
        setup = load_aws(settings.aws_profile, settings.aws_region)
    except MissingDependency as error:
        raise ConfigError(str(error)) from None
    except ValueError as error:
        where = f"AWS profile {settings.aws_profile!r}" if settings.aws_profile else "AWS"
        return _Miss("failed", f"{where}: {error}", fatal=True)
    if setup is None:
        return _Miss("absent", "no credentials found")
    if not setup.region:
        _aws_region(settings)  # raises the one-line "no AWS region" error
    return Credential(Secret(""), f"{label}: {setup.method}", "aws_sigv4", cloud=setup)


def _from_google_adc(context: _Context, label: str) -> _Outcome:
    from claudecli.client import MissingDependency, load_google

    try:
        setup = load_google(context.env.get("GOOGLE_APPLICATION_CREDENTIALS"))
    except MissingDependency as error:
        raise ConfigError(str(error)) from None
    except ValueError as error:
        return _Miss("failed", str(error), fatal=True)
    if setup is None:
        return _Miss("absent", "none found")
    return Credential(Secret(""), f"{label}: {setup.source}", "google_adc", cloud=setup)


# --------------------------------------------------------------------------------------------
# api_key_cmd
# --------------------------------------------------------------------------------------------


def _command_label(argv: tuple[str, ...] | None) -> str:
    return "api_key_cmd" if argv is None else f"api_key_cmd `{_show_command(argv)}`"


def _show_command(argv: tuple[str, ...]) -> str:
    """The command for messages: shell-quoted, `sk-ant-…` arguments masked, at most 80 chars."""
    import re
    import shlex

    shown = re.sub(r"sk-ant-\S+", "sk-ant-…", shlex.join(argv))
    return shown if len(shown) <= 80 else shown[:79] + "…"


def _from_command(context: _Context, label: str) -> _Outcome:
    argv = context.settings.api_key_cmd
    if argv is None:
        return _Miss("skipped", "not configured")
    try:
        output = _run_key_command(argv, context.cmd_timeout, context.env)
    except CredentialsError as error:
        return _Miss("failed", str(error), fatal=True)
    key = _clean_key(output, label)
    if isinstance(key, _Miss):
        return (
            _Miss("failed", f"{label} printed nothing", fatal=True)
            if key.result == "absent"
            else key
        )
    return Credential(Secret(key), label, "api_key")


def _run_key_command(argv: tuple[str, ...], timeout: float, env: Mapping[str, str]) -> str:
    """Run `argv` (no shell, environment `env`) and return its first stdout line.

    Raises `CredentialsError` naming the command, never quoting its output.
    """
    import subprocess

    name = f"api_key_cmd `{_show_command(argv)}`"
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=dict(env),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CredentialsError(f"{name} timed out after {timeout:g} s") from None
    except FileNotFoundError:
        raise CredentialsError(f"{name}: command not found") from None
    except OSError as error:
        raise CredentialsError(f"{name} could not run: {error.strerror or 'OS error'}") from None
    if done.returncode != 0:
        raise CredentialsError(f"{name} {_exit_text(done.returncode)} (its output is not shown)")
    return _first_line(done.stdout, name)


def _exit_text(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


def _first_line(stdout: bytes, name: str) -> str:
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialsError(f"{name} printed something that is not UTF-8") from None
    lines = text.splitlines()
    return lines[0] if lines else ""


# --------------------------------------------------------------------------------------------
# Keyring (every call in a daemon thread with a time limit)
# --------------------------------------------------------------------------------------------


class _KeyringFailure(Exception):
    """A keyring call failed or timed out; `str()` is a one-line reason without secrets."""


def _call_keyring(action: Callable[[Any], _T], timeout: float) -> _T:
    """Run `action(keyring_module)` in a daemon thread; raise `_KeyringFailure` on any problem."""
    import threading

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            import keyring

            box["value"] = action(keyring)
        except BaseException as error:  # reported to the caller, never raised in the thread
            box["error"] = error

    thread = threading.Thread(target=work, name="claudecli-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _KeyringFailure(
            f"timed out after {timeout:g} s (locked, or waiting for an unlock prompt?)"
        )
    if "error" in box:
        raise _KeyringFailure(_keyring_reason(box["error"]))
    result: _T = box["value"]
    return result


_KEYRING_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "NoKeyringError": "no keyring backend available",
        "KeyringLocked": "the keyring is locked",
        "InitError": "the keyring backend failed to start",
        "ModuleNotFoundError": "the keyring package is not installed",
    }
)


def _keyring_reason(error: BaseException) -> str:
    known = _KEYRING_REASONS.get(type(error).__name__)
    if known is not None:
        return known
    first_line = (str(error).strip().splitlines() or [""])[0]
    text = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def _from_keyring(context: _Context, label: str) -> _Outcome:
    if not context.settings.use_keyring:
        return _Miss("skipped", "disabled (use_keyring: false)")
    user = context.profile
    try:
        value = _call_keyring(
            lambda keyring: keyring.get_password(KEYRING_SERVICE, user), context.keyring_timeout
        )
    except _KeyringFailure as failure:
        return _Miss("failed", str(failure))
    if value is None:
        return _Miss("absent", "no key stored")
    return _static(str(value), label, "api_key")


def store_key(
    profile: str | None, key: str | Secret, *, timeout: float = KEYRING_WRITE_TIMEOUT
) -> None:
    """Save `key` in the keyring for `profile` (`auth login`); raises `CredentialsError`."""
    secret = key.reveal() if isinstance(key, Secret) else key
    cleaned = _clean_key(secret, "the key")
    if isinstance(cleaned, _Miss):
        raise CredentialsError("empty key" if cleaned.result == "absent" else cleaned.detail)
    user = profile or DEFAULT_PROFILE
    try:
        _call_keyring(lambda keyring: keyring.set_password(KEYRING_SERVICE, user, cleaned), timeout)
    except _KeyringFailure as failure:
        reason = str(failure).replace(cleaned, "***")
        raise CredentialsError(f"{reason}; set ANTHROPIC_API_KEY or api_key_cmd instead") from None


def delete_key(profile: str | None, *, timeout: float = KEYRING_WRITE_TIMEOUT) -> bool:
    """Remove the keyring entry for `profile` (`auth logout`); False if none was stored."""
    user = profile or DEFAULT_PROFILE

    def delete(keyring: Any) -> bool:
        if keyring.get_password(KEYRING_SERVICE, user) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, user)
        return True

    try:
        return _call_keyring(delete, timeout)
    except _KeyringFailure as failure:
        raise CredentialsError(f"cannot delete the key from the keyring: {failure}") from None


def keyring_backend(*, timeout: float = KEYRING_TIMEOUT) -> str:
    """The active keyring backend's name, or why there is none (for `auth status`)."""
    try:
        backend = _call_keyring(lambda keyring: keyring.get_keyring(), timeout)
    except _KeyringFailure as failure:
        return f"unavailable: {failure}"
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "unavailable: no keyring backend available"
    if module == "keyring.backends.null":
        return "disabled (keyring.backends.null)"
    return str(backend)


# --------------------------------------------------------------------------------------------
# Anthropic SDK profile files
# --------------------------------------------------------------------------------------------


class _ProfileProblem(Exception):
    """A broken SDK profile; `str()` is the one-line reason."""


def _sdk_dir(env: Mapping[str, str]) -> Path:
    explicit = env.get("ANTHROPIC_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".config" / "anthropic"


def _sdk_profile_name(env: Mapping[str, str]) -> tuple[str, bool]:
    """(profile, explicit): ANTHROPIC_PROFILE, else the `active_config` pointer, else default."""
    named = env.get("ANTHROPIC_PROFILE")
    if named:
        return named, True
    try:
        pointer = (_sdk_dir(env) / "active_config").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        pointer = ""
    if pointer:
        return pointer, True
    return DEFAULT_PROFILE, bool(env.get("ANTHROPIC_CONFIG_DIR"))


def _sdk_label(env: Mapping[str, str]) -> str:
    return f"Anthropic SDK profile {_sdk_profile_name(env)[0]!r}"


def _from_sdk_profile(context: _Context, label: str) -> _Outcome:
    name, explicit = _sdk_profile_name(context.env)
    base = _sdk_dir(context.env)
    try:
        _check_profile_name(name)
        config_path = base / "configs" / f"{name}.json"
        if not config_path.is_file():
            if explicit:
                raise _ProfileProblem(f"{config_path} not found")
            return _Miss("absent", "no profile files")
        return _profile_credential(name, base, config_path, label)
    except _ProfileProblem as problem:
        return _Miss("failed", str(problem))


def _check_profile_name(name: str) -> None:
    if name != name.strip() or name.startswith(".") or any(c in name for c in "/\\\0"):
        raise _ProfileProblem(f"invalid profile name {name!r}")


def _profile_credential(name: str, base: Path, config_path: Path, label: str) -> _Outcome:
    config = _read_json(config_path, private=False)
    auth = config.get("authentication")
    if not isinstance(auth, dict):
        raise _ProfileProblem(f"{config_path} has no 'authentication' object")
    kind = auth.get("type")
    if kind == "oidc_federation":
        return _Miss("skipped", "workload identity federation is not supported by claudecli")
    if kind != "user_oauth":
        raise _ProfileProblem(f"{config_path}: unknown authentication.type {kind!r}")
    override = auth.get("credentials_path")
    creds_path = (
        Path(str(override)).expanduser() if override else base / "credentials" / f"{name}.json"
    )
    token = _access_token(creds_path)
    return Credential(
        Secret(token),
        f"{label} ({creds_path})",
        "auth_token",
        betas=(OAUTH_BETA,),
        headers=_profile_headers(config),
        base_url=_profile_base_url(config),
    )


def _profile_headers(config: Mapping[str, Any]) -> Mapping[str, str]:
    workspace = config.get("workspace_id")
    return MappingProxyType({"anthropic-workspace-id": str(workspace)} if workspace else {})


def _profile_base_url(config: Mapping[str, Any]) -> str | None:
    raw = config.get("base_url")
    return str(raw).rstrip("/") if raw else None


def _access_token(creds_path: Path) -> str:
    import time

    creds = _read_json(creds_path, private=True)
    if creds.get("type") not in (None, "oauth_token"):
        raise _ProfileProblem(f"{creds_path}: unexpected type {creds.get('type')!r}")
    token = creds.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise _ProfileProblem(f"{creds_path} has no access_token")
    expires_at = creds.get("expires_at")
    if isinstance(expires_at, int | float) and expires_at <= time.time():
        raise _ProfileProblem(
            f"the access token in {creds_path} has expired; log in again with the SDK's tool"
        )
    return token.strip()


def _read_json(path: Path, *, private: bool) -> dict[str, Any]:
    """Read a JSON object, refusing loose permissions the way the SDK does."""
    import json

    _check_file_mode(path, private=private)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _ProfileProblem(f"{path} not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = "is not valid JSON" if isinstance(error, ValueError) else "cannot be read"
        raise _ProfileProblem(f"{path} {reason}") from None
    if not isinstance(data, dict):
        raise _ProfileProblem(f"{path} must contain a JSON object")
    return data


def _check_file_mode(path: Path, *, private: bool) -> None:
    import stat

    if os.name != "posix":
        return
    try:
        info = os.lstat(path) if private else os.stat(path)
    except FileNotFoundError:
        raise _ProfileProblem(f"{path} not found") from None
    except OSError:
        raise _ProfileProblem(f"{path} cannot be read") from None
    mode = stat.S_IMODE(info.st_mode)
    if private and stat.S_ISLNK(info.st_mode):
        raise _ProfileProblem(f"{path} is a symlink; refusing to follow it")
    if private and mode & 0o077:
        raise _ProfileProblem(
            f"{path} is accessible by others ({mode:04o}); run `chmod 600 {path}`"
        )
    if not private and mode & 0o022:
        raise _ProfileProblem(f"{path} is writable by others ({mode:04o}); run `chmod go-w {path}`")


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------


def env_without_credentials(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of `env` (default `os.environ`) without ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN."""
    source = os.environ if env is None else env
    return {name: value for name, value in source.items() if name not in CREDENTIAL_ENV}
