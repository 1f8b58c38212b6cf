"""claudecli.credentials: source order, api_key_cmd, keyring failures, SDK profile files.

Every test that finds or fails to find a key also checks that the key never shows up in an
exception message, a repr or status output.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from claudecli.config import Settings
from claudecli.credentials import (
    KEYRING_SERVICE,
    Credential,
    CredentialStatus,
    Secret,
    credential_status,
    delete_key,
    env_without_credentials,
    keyring_backend,
    resolve_credentials,
    store_key,
)
from claudecli.errors import CredentialsError

KEY = "sk-ant-api03-test-KEY-0123456789abcdefghij-a1b2"
OTHER = "sk-ant-api03-test-OTHER-9876543210zyxw-c3d4"
TOKEN = "sk-ant-oat01-test-TOKEN-555555555555-e5f6"
PY = sys.executable


def no_leak(*things: object, secret: str = KEY) -> None:
    for thing in things:
        assert secret not in str(thing)
        assert secret not in repr(thing)


def python_cmd(code: str) -> tuple[str, ...]:
    return (PY, "-c", code)


def print_env_cmd(var: str = "TEST_SECRET") -> tuple[str, ...]:
    """A command that prints a key it reads from the environment (so argv holds no key)."""
    return python_cmd(f"import os; print(os.environ[{var!r}]); print('second line')")


def fast(settings: Settings, env: dict[str, str], **kwargs: object) -> Credential:
    return resolve_credentials(settings, env, cmd_timeout=5.0, keyring_timeout=1.0, **kwargs)  # type: ignore[arg-type]


def error_of(settings: Settings, env: dict[str, str], **kwargs: object) -> str:
    with pytest.raises(CredentialsError) as caught:
        fast(settings, env, **kwargs)
    no_leak(caught.value, caught.value.args, secret=KEY)
    return str(caught.value)


# -- test keyring backends -------------------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class BrokenKeyring(KeyringBackend):
    priority = 1

    def __init__(self, error: BaseException) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.error = error
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password} in collection")

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class HangingKeyring(KeyringBackend):
    """Blocks like a keyring waiting on an unlock prompt, until the test releases it."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return KEY

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(30)


for _backend in (MemoryKeyring, BrokenKeyring, HangingKeyring):
    KeyringBackend._classes.discard(_backend)  # never auto-selected


@pytest.fixture
def install_keyring() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    saved = keyring.core._keyring_backend
    installed: list[KeyringBackend] = []

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        installed.append(backend)
        return backend

    yield install
    for backend in installed:
        if isinstance(backend, HangingKeyring):
            backend.release.set()
    keyring.core._keyring_backend = saved


@pytest.fixture
def memory(install_keyring: Callable[[KeyringBackend], KeyringBackend]) -> MemoryKeyring:
    backend = install_keyring(MemoryKeyring())
    assert isinstance(backend, MemoryKeyring)
    return backend


# -- Secret and Credential -------------------------------------------------------------------


def test_secret_never_shows_its_value() -> None:
    secret = Secret(KEY)
    assert secret.reveal() == KEY
    assert str(secret) == "***" and f"{secret}" == "***"
    assert repr(secret) == "Secret('***')"
    assert secret == Secret(KEY) and secret != Secret(OTHER)
    assert hash(secret) == hash(Secret(KEY))


def test_credential_repr_and_mask() -> None:
    credential = Credential(Secret(KEY), "environment ANTHROPIC_API_KEY")
    assert credential.masked() == "…a1b2"
    assert Credential(Secret("short"), "x").masked() == "…"
    no_leak(credential)


# -- order -----------------------------------------------------------------------------------


def test_env_api_key_wins_over_everything(memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "default")] = OTHER
    settings = Settings(api_key_cmd=python_cmd("import sys; sys.exit(3)"))
    credential = fast(settings, {"ANTHROPIC_API_KEY": f"  {KEY}\n"})
    assert credential.value.reveal() == KEY
    assert (credential.source, credential.kind) == ("environment ANTHROPIC_API_KEY", "api_key")
    assert credential.notes == ()


def test_api_key_shadows_auth_token_with_a_note() -> None:
    credential = fast(Settings(), {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_AUTH_TOKEN": TOKEN})
    assert credential.value.reveal() == KEY
    assert credential.notes == (
        "ANTHROPIC_AUTH_TOKEN is also set and ignored (ANTHROPIC_API_KEY wins)",
    )


def test_auth_token_is_a_bearer_token() -> None:
    credential = fast(Settings(), {"ANTHROPIC_AUTH_TOKEN": TOKEN})
    assert credential.kind == "auth_token"
    assert credential.source == "environment ANTHROPIC_AUTH_TOKEN"


def test_command_comes_before_the_keyring(memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "default")] = OTHER
    credential = fast(Settings(api_key_cmd=print_env_cmd()), {"TEST_SECRET": KEY})
    assert credential.value.reveal() == KEY
    assert credential.source.startswith("api_key_cmd `")


def test_keyring_comes_before_the_sdk_profile(memory: MemoryKeyring, tmp_path: Path) -> None:
    memory.store[(KEYRING_SERVICE, "work")] = KEY
    env = sdk_profile(tmp_path, "dev") | {"ANTHROPIC_PROFILE": "dev"}
    credential = fast(Settings(profile="work"), env)
    assert credential.value.reveal() == KEY
    assert (credential.source, credential.kind) == ("keyring (profile work)", "api_key")


def test_explicit_profile_argument_overrides_settings(memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "other")] = KEY
    credential = fast(Settings(profile="work"), {}, profile="other")
    assert credential.source == "keyring (profile other)"


def test_status_lists_every_source_in_order(memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "default")] = KEY
    status = credential_status(Settings(), {})
    assert [(c.source, c.result, c.detail) for c in status.checks] == [
        ("environment ANTHROPIC_API_KEY", "absent", "not set"),
        ("environment ANTHROPIC_AUTH_TOKEN", "absent", "not set"),
        ("api_key_cmd", "skipped", "not configured"),
        ("keyring (profile default)", "found", "…a1b2"),
        ("Anthropic SDK profile 'default'", "not checked", ""),
    ]
    assert status.error is None
    summary = status.as_dict()
    assert summary["source"] == "keyring (profile default)" and summary["key"] == "…a1b2"
    no_leak(status, summary, json.dumps(summary))


# -- no key anywhere -------------------------------------------------------------------------


def test_no_key_is_one_line_naming_every_source() -> None:
    message = error_of(Settings(), {})
    assert message == (
        "no API key: set ANTHROPIC_API_KEY, run `claudecli auth login`, or set api_key_cmd in "
        "config.yaml (keyring (profile default): no keyring backend available)"
    )


def test_no_key_for_a_profile_names_the_login_command() -> None:
    message = error_of(Settings(profile="work", use_keyring=False), {})
    assert "run `claudecli auth login --profile work`" in message
    assert "\n" not in message


def test_blank_env_values_are_not_keys() -> None:
    status = credential_status(Settings(use_keyring=False), {"ANTHROPIC_API_KEY": "  "})
    assert status.credential is None
    assert status.checks[0].detail == "empty"


def test_a_key_with_spaces_inside_is_refused() -> None:
    message = error_of(Settings(), {"ANTHROPIC_API_KEY": "sk-ant-abc def"})
    assert message == (
        "environment ANTHROPIC_API_KEY: the key contains spaces, control or non-ASCII characters"
    )


# -- api_key_cmd -----------------------------------------------------------------------------


def test_command_success_takes_the_first_line() -> None:
    settings = Settings(api_key_cmd=print_env_cmd())
    credential = fast(settings, {"TEST_SECRET": KEY})
    assert credential.value.reveal() == KEY
    assert credential.kind == "api_key"
    no_leak(credential, credential_status(settings, {"TEST_SECRET": KEY}, cmd_timeout=5))


def test_command_runs_without_a_shell() -> None:
    settings = Settings(api_key_cmd=(PY, "-c", "import sys; print(sys.argv[1])", "$(id)|;`x`"))
    assert fast(settings, {}).value.reveal() == "$(id)|;`x`"  # argv passed verbatim


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "import os, sys; print(os.environ['TEST_SECRET']); "
            "print(os.environ['TEST_SECRET'], file=sys.stderr); sys.exit(2)",
            "exited with status 2 (its output is not shown)",
        ),
        ("import os; os.kill(os.getpid(), 9)", "was killed by signal 9 (its output is not shown)"),
        ("pass", "printed nothing"),
        ("print('   ')", "printed nothing"),
        (
            "import sys; sys.stdout.buffer.write(b'\\xff\\xfe')",
            "printed something that is not UTF-8",
        ),
        ("print('two words')", "the key contains spaces, control or non-ASCII characters"),
    ],
)
def test_command_failures_name_the_command_not_its_output(code: str, expected: str) -> None:
    settings = Settings(api_key_cmd=python_cmd(code), use_keyring=False)
    message = error_of(settings, {"TEST_SECRET": KEY})
    assert message.startswith(f"api_key_cmd `{PY} -c ")
    assert message.endswith(expected)


def test_command_failure_stops_the_search(memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "default")] = OTHER
    settings = Settings(api_key_cmd=python_cmd("import sys; sys.exit(1)"))
    status = credential_status(settings, {})
    assert status.credential is None
    assert [c.result for c in status.checks][2:] == ["failed", "not checked", "not checked"]
    no_leak(status, secret=OTHER)


def test_command_not_found() -> None:
    settings = Settings(api_key_cmd=("/nonexistent/keytool", "get"))
    assert error_of(settings, {}) == "api_key_cmd `/nonexistent/keytool get`: command not found"


def test_command_not_executable(tmp_path: Path) -> None:
    script = tmp_path / "keytool"
    script.write_text("#!/bin/sh\necho key\n")
    script.chmod(0o600)
    if os.access(script, os.X_OK):
        pytest.skip("running as a user that may execute anything")
    message = error_of(Settings(api_key_cmd=(str(script),)), {})
    assert message.endswith("could not run: Permission denied")


def test_command_timeout_returns_quickly() -> None:
    settings = Settings(api_key_cmd=python_cmd("import time; time.sleep(30)"))
    started = time.monotonic()
    with pytest.raises(CredentialsError, match=r"timed out after 0\.5 s$"):
        resolve_credentials(settings, {}, cmd_timeout=0.5)
    assert time.monotonic() - started < 5


def test_key_like_arguments_are_masked_in_messages() -> None:
    settings = Settings(api_key_cmd=python_cmd(f"import sys; sys.exit(1) # {KEY}"))
    message = error_of(settings, {})
    assert "sk-ant-…" in message


# -- keyring failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            RuntimeError("/usr/bin/dbus-launch terminated abnormally"),
            "RuntimeError: /usr/bin/dbus-launch terminated abnormally",
        ),
        (KeyringLocked("Failed to unlock the collection!"), "the keyring is locked"),
        (OSError("secret service\nnot available"), "OSError: secret service"),
    ],
)
def test_a_raising_keyring_is_skipped_and_explained(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
    tmp_path: Path,
    error: Exception,
    reason: str,
) -> None:
    install_keyring(BrokenKeyring(error))
    env = sdk_profile(tmp_path, "dev") | {"ANTHROPIC_PROFILE": "dev"}
    credential = fast(Settings(), env)
    assert credential.kind == "auth_token"
    assert credential.notes == (f"keyring (profile default): {reason}",)
    assert reason in error_of(Settings(), {})


def test_a_hanging_keyring_times_out(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    install_keyring(HangingKeyring())
    started = time.monotonic()
    status = credential_status(Settings(), {}, keyring_timeout=0.3)
    assert time.monotonic() - started < 3
    assert status.credential is None
    keyring_check = status.checks[3]
    assert (keyring_check.result, keyring_check.detail) == (
        "failed",
        "timed out after 0.3 s (locked, or waiting for an unlock prompt?)",
    )
    assert "timed out after 0.3 s" in (status.error or "")


def test_the_default_fail_backend_is_reported() -> None:
    status = credential_status(Settings(), {})
    assert status.notes == ("keyring (profile default): no keyring backend available",)
    assert keyring_backend() == "unavailable: no keyring backend available"


def test_keyring_can_be_disabled(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    backend = install_keyring(BrokenKeyring(RuntimeError("boom")))
    assert isinstance(backend, BrokenKeyring)
    status = credential_status(Settings(use_keyring=False), {})
    assert status.checks[3].result == "skipped"
    assert backend.calls == 0
    assert "keyring" not in (status.error or "").split("(")[-1]


# -- store / delete --------------------------------------------------------------------------


def test_store_resolve_delete_round_trip(memory: MemoryKeyring) -> None:
    store_key("work", f" {KEY}\n")
    assert memory.store == {(KEYRING_SERVICE, "work"): KEY}
    credential = fast(Settings(profile="work"), {})
    assert credential.value.reveal() == KEY and credential.source == "keyring (profile work)"
    assert delete_key("work") is True
    assert delete_key("work") is False
    assert memory.store == {}


def test_store_accepts_a_secret_and_defaults_the_profile(memory: MemoryKeyring) -> None:
    store_key(None, Secret(KEY))
    assert memory.store == {(KEYRING_SERVICE, "default"): KEY}


def test_store_without_a_backend_explains() -> None:
    with pytest.raises(CredentialsError) as caught:
        store_key("default", KEY)
    assert str(caught.value) == (
        "no keyring backend available; set ANTHROPIC_API_KEY or api_key_cmd instead"
    )
    no_leak(caught.value)


def test_store_error_messages_never_echo_the_key(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    install_keyring(BrokenKeyring(RuntimeError("x")))
    with pytest.raises(CredentialsError) as caught:
        store_key("default", KEY)
    assert str(caught.value) == (
        "RuntimeError: could not store *** in collection; "
        "set ANTHROPIC_API_KEY or api_key_cmd instead"
    )


def test_store_refuses_an_empty_key(memory: MemoryKeyring) -> None:
    with pytest.raises(CredentialsError, match=r"^empty key$"):
        store_key("default", "  ")
    assert memory.store == {}


def test_store_times_out(install_keyring: Callable[[KeyringBackend], KeyringBackend]) -> None:
    install_keyring(HangingKeyring())
    with pytest.raises(CredentialsError, match=r"timed out after 0\.2 s"):
        store_key("default", KEY, timeout=0.2)


def test_delete_failure_is_a_credentials_error(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    install_keyring(BrokenKeyring(KeyringLocked("locked")))
    with pytest.raises(
        CredentialsError, match=r"^cannot delete the key from the keyring: the keyring is locked$"
    ):
        delete_key("default")


# -- Anthropic SDK profile files -------------------------------------------------------------


def sdk_profile(
    base: Path,
    name: str,
    *,
    auth: Mapping[str, object] | None = None,
    creds: Mapping[str, object] | None = None,
    creds_mode: int = 0o600,
    extra: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """Write `configs/<name>.json` + `credentials/<name>.json`; returns the env pointing at them."""
    root = base / "anthropic"
    (root / "configs").mkdir(parents=True, exist_ok=True)
    (root / "credentials").mkdir(parents=True, exist_ok=True)
    config = {"authentication": auth or {"type": "user_oauth"}, **(extra or {})}
    (root / "configs" / f"{name}.json").write_text(json.dumps(config))
    creds_path = root / "credentials" / f"{name}.json"
    body = creds if creds is not None else {"type": "oauth_token", "access_token": TOKEN}
    creds_path.write_text(json.dumps(body))
    creds_path.chmod(creds_mode)
    return {"ANTHROPIC_CONFIG_DIR": str(root)}


def sdk_error(env: dict[str, str]) -> str:
    status = credential_status(Settings(use_keyring=False), env)
    assert status.credential is None
    no_leak(status, secret=TOKEN)
    return status.checks[-1].detail


def test_sdk_profile_gives_a_bearer_token_with_its_extras(tmp_path: Path) -> None:
    extra = {"workspace_id": "wrkspc_01", "base_url": "https://eu.example.com/"}
    env = sdk_profile(tmp_path, "dev", extra=extra) | {"ANTHROPIC_PROFILE": "dev"}
    credential = fast(Settings(use_keyring=False), env)
    assert credential.value.reveal() == TOKEN
    assert credential.kind == "auth_token"
    assert credential.betas == ("oauth-2025-04-20",)
    assert dict(credential.headers) == {"anthropic-workspace-id": "wrkspc_01"}
    assert credential.base_url == "https://eu.example.com"
    creds_path = tmp_path / "anthropic" / "credentials" / "dev.json"
    assert credential.source == f"Anthropic SDK profile 'dev' ({creds_path})"
    no_leak(credential, secret=TOKEN)


def test_sdk_active_config_pointer_selects_the_profile(tmp_path: Path) -> None:
    env = sdk_profile(tmp_path, "team")
    (tmp_path / "anthropic" / "active_config").write_text("team\n")
    assert fast(Settings(use_keyring=False), env).source.startswith("Anthropic SDK profile 'team'")


def test_sdk_default_profile_under_home_is_discovered(hermetic_env: Path) -> None:
    sdk_profile(hermetic_env / ".config", "default")
    credential = fast(Settings(use_keyring=False), {"HOME": str(hermetic_env)})
    assert credential.value.reveal() == TOKEN


def test_sdk_credentials_path_override(tmp_path: Path) -> None:
    elsewhere = tmp_path / "tokens.json"
    elsewhere.write_text(json.dumps({"access_token": TOKEN}))
    elsewhere.chmod(0o600)
    auth = {"type": "user_oauth", "credentials_path": str(elsewhere)}
    env = sdk_profile(tmp_path, "dev", auth=auth) | {"ANTHROPIC_PROFILE": "dev"}
    assert fast(Settings(use_keyring=False), env).source.endswith(f"({elsewhere})")


def test_no_sdk_files_is_simply_absent(hermetic_env: Path) -> None:
    status = credential_status(Settings(use_keyring=False), {"HOME": str(hermetic_env)})
    assert (status.checks[-1].result, status.checks[-1].detail) == ("absent", "no profile files")


def test_sdk_explicit_profile_missing(tmp_path: Path) -> None:
    env = {"ANTHROPIC_CONFIG_DIR": str(tmp_path), "ANTHROPIC_PROFILE": "gone"}
    assert sdk_error(env) == f"{tmp_path / 'configs' / 'gone.json'} not found"


def test_sdk_loose_credentials_file_is_refused(tmp_path: Path) -> None:
    env = sdk_profile(tmp_path, "dev", creds_mode=0o644) | {"ANTHROPIC_PROFILE": "dev"}
    path = tmp_path / "anthropic" / "credentials" / "dev.json"
    assert sdk_error(env) == f"{path} is accessible by others (0644); run `chmod 600 {path}`"


def test_sdk_symlinked_credentials_file_is_refused(tmp_path: Path) -> None:
    env = sdk_profile(tmp_path, "dev") | {"ANTHROPIC_PROFILE": "dev"}
    path = tmp_path / "anthropic" / "credentials" / "dev.json"
    real = tmp_path / "real.json"
    path.rename(real)
    path.symlink_to(real)
    assert sdk_error(env) == f"{path} is a symlink; refusing to follow it"


def test_sdk_group_writable_config_is_refused(tmp_path: Path) -> None:
    env = sdk_profile(tmp_path, "dev") | {"ANTHROPIC_PROFILE": "dev"}
    path = tmp_path / "anthropic" / "configs" / "dev.json"
    path.chmod(0o664)
    assert sdk_error(env) == f"{path} is writable by others (0664); run `chmod go-w {path}`"


def test_sdk_expired_token_is_reported_not_used(tmp_path: Path) -> None:
    creds = {"access_token": TOKEN, "expires_at": int(time.time()) - 60}
    env = sdk_profile(tmp_path, "dev", creds=creds) | {"ANTHROPIC_PROFILE": "dev"}
    assert "has expired" in sdk_error(env)


def test_sdk_federation_is_skipped(tmp_path: Path) -> None:
    auth = {"type": "oidc_federation", "federation_rule_id": "fdrl_1"}
    env = sdk_profile(tmp_path, "ci", auth=auth) | {"ANTHROPIC_PROFILE": "ci"}
    status = credential_status(Settings(use_keyring=False), env)
    assert status.checks[-1].result == "skipped"
    assert "not supported" in status.checks[-1].detail


@pytest.mark.parametrize(
    ("config_text", "expected"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "must contain a JSON object"),
        ('{"authentication": 3}', "has no 'authentication' object"),
        ('{"authentication": {"type": "magic"}}', "unknown authentication.type 'magic'"),
    ],
)
def test_sdk_broken_config_files(tmp_path: Path, config_text: str, expected: str) -> None:
    env = sdk_profile(tmp_path, "dev") | {"ANTHROPIC_PROFILE": "dev"}
    (tmp_path / "anthropic" / "configs" / "dev.json").write_text(config_text)
    assert expected in sdk_error(env)


def test_sdk_credentials_without_a_token(tmp_path: Path) -> None:
    env = sdk_profile(tmp_path, "dev", creds={"type": "oauth_token"}) | {"ANTHROPIC_PROFILE": "dev"}
    assert sdk_error(env).endswith("has no access_token")


@pytest.mark.parametrize("name", ["../escape", ".hidden", " padded"])
def test_sdk_profile_names_cannot_escape(tmp_path: Path, name: str) -> None:
    env = {"ANTHROPIC_CONFIG_DIR": str(tmp_path), "ANTHROPIC_PROFILE": name}
    assert sdk_error(env) == f"invalid profile name {name!r}"


# -- misc ------------------------------------------------------------------------------------


def test_status_object_never_leaks(tmp_path: Path, memory: MemoryKeyring) -> None:
    memory.store[(KEYRING_SERVICE, "default")] = KEY
    for env in ({"ANTHROPIC_API_KEY": KEY}, {"ANTHROPIC_AUTH_TOKEN": KEY}, {}):
        status = credential_status(Settings(), env)
        assert isinstance(status, CredentialStatus) and status.credential is not None
        no_leak(status, status.credential, status.as_dict(), status.checks, status.notes)


def test_env_without_credentials() -> None:
    env = {
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_AUTH_TOKEN": TOKEN,
        "PATH": "/bin",
        "ANTHROPIC_MODEL": "m",
    }
    assert env_without_credentials(env) == {"PATH": "/bin", "ANTHROPIC_MODEL": "m"}
