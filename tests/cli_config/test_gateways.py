"""Gateways through config profiles: a LiteLLM proxy (Bearer virtual key under /anthropic) and
an Anthropic-compatible gateway with its own prefix and `x-api-key`, for ask, count-tokens and
models. (`batch` does not exist yet.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claudecli.emulator import Emulator
from tests.cli_config.conftest import Run, one_error_line

pytestmark = pytest.mark.slow

VIRTUAL_KEY = "sk-litellm-virtual-key-0000-9f3e"
COMMANDS = (["ask", "hello"], ["count-tokens", "hello"], ["models"])
ENDPOINTS = ("/v1/messages", "/v1/messages/count_tokens", "/v1/models")


@pytest.fixture
def litellm() -> Iterator[Emulator]:
    with Emulator(auth="bearer", prefix="/anthropic", api_key=VIRTUAL_KEY) as emu:
        yield emu


@pytest.fixture
def gateway() -> Iterator[Emulator]:
    with Emulator(auth="x-api-key", prefix="/gw/v2", api_key=VIRTUAL_KEY) as emu:
        yield emu


def profiles(**named: tuple[Emulator, str]) -> str:
    lines = ["profiles:"]
    for name, (emu, style) in named.items():
        lines += [f"  {name}:", f"    base_url: {emu.url}", f"    auth_header: {style}"]
    return "\n".join(lines) + "\n"


def auth_headers(request: dict[str, Any]) -> dict[str, str]:
    headers = request["headers"]
    return {name: headers[name] for name in ("authorization", "x-api-key") if name in headers}


def paths(emu: Emulator) -> set[str]:
    return {str(request["path"]).split("?")[0] for request in emu.requests}


def run_all(
    cli: Run, selector: list[str], env: dict[str, str], commands: tuple[list[str], ...] = COMMANDS
) -> None:
    for command in commands:
        done = cli(*selector, *command, env={"ANTHROPIC_API_KEY": VIRTUAL_KEY, **env})
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip()


def test_litellm_proxy_gets_a_bearer_virtual_key_under_its_prefix(
    cli: Run, write_config: Callable[[str], Path], litellm: Emulator, gateway: Emulator
) -> None:
    write_config(profiles(litellm=(litellm, "bearer"), gw=(gateway, "x-api-key")))
    run_all(cli, ["--profile", "litellm"], {})
    assert {f"/anthropic{endpoint}" for endpoint in ENDPOINTS} <= paths(litellm)
    litellm.reset()
    run_all(cli, [], {"CLAUDECLI_PROFILE": "litellm"}, commands=(["ask", "again"],))
    assert paths(litellm) >= {"/anthropic/v1/messages"}
    assert all(
        auth_headers(request) == {"authorization": f"Bearer {VIRTUAL_KEY}"}
        for request in litellm.requests
    )
    assert gateway.requests == []


def test_gateway_with_its_own_prefix_gets_x_api_key(
    cli: Run, write_config: Callable[[str], Path], gateway: Emulator
) -> None:
    write_config(profiles(gw=(gateway, "x-api-key")))
    run_all(cli, ["--profile", "gw"], {})
    assert {f"/gw/v2{endpoint}" for endpoint in ENDPOINTS} <= paths(gateway)
    assert all(auth_headers(r) == {"x-api-key": VIRTUAL_KEY} for r in gateway.requests)


def test_a_key_stored_for_the_profile_is_used(
    cli: Run, write_config: Callable[[str], Path], litellm: Emulator, file_keyring: Path
) -> None:
    write_config(profiles(litellm=(litellm, "bearer")))
    login = cli("auth", "login", "--profile", "litellm", input=VIRTUAL_KEY)
    assert login.returncode == 0, login.stderr
    done = cli("--profile", "litellm", "ask", "hello")
    assert done.returncode == 0, done.stderr
    assert auth_headers(litellm.requests[-1]) == {"authorization": f"Bearer {VIRTUAL_KEY}"}


@pytest.mark.parametrize(
    ("emulator_name", "wrong_style", "command"),
    [
        ("litellm", "x-api-key", ["ask", "hello"]),
        ("gateway", "bearer", ["count-tokens", "hello"]),
        ("gateway", "bearer", ["models"]),
    ],
)
def test_the_wrong_auth_style_is_exit_4(
    cli: Run,
    write_config: Callable[[str], Path],
    request: pytest.FixtureRequest,
    emulator_name: str,
    wrong_style: str,
    command: list[str],
) -> None:
    emu: Emulator = request.getfixturevalue(emulator_name)
    write_config(profiles(wrong=(emu, wrong_style)))
    done = cli(
        "--profile",
        "wrong",
        *command,
        env={"ANTHROPIC_API_KEY": VIRTUAL_KEY, "CLAUDECLI_MAX_RETRIES": "0"},
    )
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert "401" in one_error_line(done.stderr)
    assert VIRTUAL_KEY not in done.stderr
