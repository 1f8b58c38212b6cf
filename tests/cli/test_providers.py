"""The installed binary on Bedrock and Vertex AI against the emulator: `ask`, `count-tokens`,
errors to the common exit codes with the provider's request id, batches refused in one line,
missing credentials or region in one line, no secret on stderr (even with --debug), and
`config show` naming the provider settings and where they came from. AWS credentials are fake
keys in the environment; Vertex uses a service-account file whose token endpoint is the emulator,
so google-auth's real refresh runs offline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli import cloud_env
from tests.cli.cloud_env import AWS_SECRET, SESSION, clean_env
from tests.cli.helpers import Result, cli_env, run
from tests.client.test_providers_live import LOCATION, PROJECT, service_account_file

aws, gcp = cloud_env.aws, cloud_env.gcp  # the fixtures


def cli(provider: str, env: dict[str, str], *args: str) -> Result:
    return run(["--provider", provider, *args], url=None, env=env)


def test_ask_on_bedrock_streams_the_echo_over_event_stream(
    emulator: Emulator, aws: dict[str, str]
) -> None:
    result = cli("bedrock", aws, "ask", "-m", "sonnet", "hello from the cloud")
    assert result.rc == 0, result
    assert result.text == "Echo: hello from the cloud\n"
    [sent] = emulator.requests
    assert sent["path"] == "/model/us.anthropic.claude-sonnet-5-5-v1/invoke-with-response-stream"
    assert sent["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert sent["body"]["anthropic_version"] == "2026-10-21"


def test_ask_on_vertex_refreshes_a_token_and_streams(
    emulator: Emulator, gcp: dict[str, str]
) -> None:
    result = cli("vertex", gcp, "ask", "-m", "claude-sonnet-4-5", "hello vertex")
    assert result.rc == 0, result
    assert result.text == "Echo: hello vertex\n"
    [token] = emulator.issued_tokens
    calls = [sent for sent in emulator.requests if sent["path"] != "/token"]
    assert calls[-1]["path"] == (
        f"/v1/projects/{PROJECT}/locations/{LOCATION}/publishers/anthropic/models/"
        "claude-sonnet-4-5@20250929:streamRawPredict"
    )
    assert calls[-1]["headers"]["authorization"] == f"Bearer {token}"


def test_count_tokens_on_both(emulator: Emulator, aws: dict[str, str], gcp: dict[str, str]) -> None:
    on_bedrock = cli("bedrock", aws, "count-tokens", "--json", "-m", "claude-sonnet-4-5", "count")
    on_vertex = cli("vertex", gcp, "count-tokens", "--json", "-m", "claude-sonnet-4-5", "count")
    assert on_bedrock.rc == on_vertex.rc == 0, (on_bedrock, on_vertex)
    assert json.loads(on_bedrock.text)["input_tokens"] == json.loads(on_vertex.text)["input_tokens"]
    paths = [sent["path"] for sent in emulator.requests]
    assert "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/count-tokens" in paths
    assert any(p.endswith("/models/count-tokens:rawPredict") for p in paths)


@pytest.mark.parametrize(
    ("status", "rc", "name"),
    [
        (403, 4, "AccessDeniedException"),
        (400, 5, "ValidationException"),
        (429, 6, "ThrottlingException"),
        (503, 6, "ServiceUnavailableException"),
    ],
)
def test_bedrock_errors_map_to_the_common_exit_codes(
    emulator: Emulator, aws: dict[str, str], status: int, rc: int, name: str
) -> None:
    result = cli(
        "bedrock", aws, "ask", "--max-retries", "1", "-m", "claude-sonnet-4-5",
        f"hi\n#emu status={status} message=emulated",
    )  # fmt: skip
    assert result.rc == rc, result
    line = result.err.strip().splitlines()[-1]
    assert line.startswith("claudecli: error: ") and f"{name}: emulated" in line
    assert "(request-id req_emu_" in line
    assert len(emulator.requests) == (2 if rc == 6 else 1)


def test_throttling_inside_the_stream_is_retried_then_exits_6(
    emulator: Emulator, aws: dict[str, str]
) -> None:
    for _ in range(2):
        emulator.enqueue({"fault": "error", "error_type": "rate_limit_error", "after": 0})
    result = cli("bedrock", aws, "ask", "--max-retries", "1", "-m", "claude-sonnet-4-5", "hi")
    assert result.rc == 6, result
    assert "retrying" in result.err and "ThrottlingException" in result.err


@pytest.mark.parametrize(("status", "rc"), [(401, 4), (403, 4), (429, 6)])
def test_vertex_errors(emulator: Emulator, gcp: dict[str, str], status: int, rc: int) -> None:
    result = cli(
        "vertex", gcp, "ask", "--max-retries", "0", "-m", "claude-sonnet-4-5",
        f"hi\n#emu status={status} message=emulated",
    )  # fmt: skip
    assert result.rc == rc, result
    assert "emulated" in result.err


def test_batches_and_models_are_refused_in_one_line(aws: dict[str, str]) -> None:
    result = cli("bedrock", aws, "models")
    assert result.rc == 2, result
    assert result.err.strip().splitlines() == [
        "claudecli: error: the models listing is not available on Amazon Bedrock: it is an "
        "Anthropic API feature (use --provider anthropic)"
    ]


def test_no_aws_credentials_is_one_line_naming_what_was_looked_for(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = clean_env(
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        ANTHROPIC_BEDROCK_BASE_URL=emulator.url,
    )
    result = cli("bedrock", env, "ask", "hi")
    assert result.rc == 4, result
    [line] = result.err.strip().splitlines()
    assert line.startswith("claudecli: error: no AWS credentials for Bedrock: looked for ")
    assert "AWS_BEARER_TOKEN_BEDROCK" in line and "SSO" in line and "instance metadata" in line
    assert emulator.requests == []


def test_no_region_and_no_project_are_config_errors(tmp_path: Path, emulator: Emulator) -> None:
    bedrock = clean_env(
        AWS_BEARER_TOKEN_BEDROCK="bedrock-key-SECRET",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    result = cli("bedrock", bedrock, "ask", "hi")
    assert result.rc == 3, result
    assert "no AWS region for Bedrock: set AWS_REGION" in result.err
    adc = service_account_file(tmp_path / "sa.json", emulator.url + "/token")
    vertex = clean_env(GOOGLE_APPLICATION_CREDENTIALS=str(adc))
    result = cli("vertex", vertex, "ask", "hi")
    assert result.rc == 3, result
    assert "no Vertex AI region: set CLOUD_ML_REGION" in result.err


def test_a_bedrock_api_key_is_sent_as_bearer(emulator: Emulator, aws: dict[str, str]) -> None:
    env = {**aws, "AWS_BEARER_TOKEN_BEDROCK": "bedrock-key-SECRET-42"}
    result = cli("bedrock", env, "--debug", "ask", "-m", "claude-sonnet-4-5", "hi")
    assert result.rc == 0, result
    assert emulator.requests[-1]["headers"]["authorization"] == "Bearer bedrock-key-SECRET-42"
    assert "bedrock-key-SECRET-42" not in result.err


def test_secrets_and_signatures_never_on_stderr(emulator: Emulator, aws: dict[str, str]) -> None:
    result = cli("bedrock", aws, "--debug", "ask", "-m", "claude-sonnet-4-5", "hi\n#emu status=403")
    assert result.rc == 4, result
    signature = emulator.requests[0]["headers"]["authorization"].rsplit("Signature=", 1)[1]
    assert "request POST" in result.err
    for secret in (AWS_SECRET, SESSION, signature):
        assert secret not in result.err


def test_config_show_names_the_provider_and_its_sources(aws: dict[str, str]) -> None:
    result = run(["--provider", "bedrock", "config", "show", "--json"], url=None, env=aws)
    assert result.rc == 0, result
    shown = json.loads(result.text)
    assert shown["provider"] == {"value": "bedrock", "source": "flag --provider"}
    assert shown["aws_region"] == {"value": "us-east-1", "source": "env AWS_REGION"}


def test_a_bad_provider_is_a_usage_error() -> None:
    result = run(["--provider", "azure", "ask", "hi"], url=None, env=clean_env())
    assert result.rc == 2, result
    assert "--provider: provider must be one of anthropic, bedrock, vertex" in result.err


def test_a_profile_chooses_the_provider(
    emulator: Emulator, aws: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "profiles:\n  aws:\n    provider: bedrock\n    bedrock_inference_profile: global\n"
    )
    os.chmod(config, 0o600)
    env = {**aws, "CLAUDECLI_CONFIG": str(config)}
    result = run(["--profile", "aws", "ask", "-m", "claude-haiku-4-5", "hi"], url=None, env=env)
    assert result.rc == 0, result
    assert emulator.requests[-1]["path"].startswith(
        "/model/global.anthropic.claude-haiku-4-5-20251001-v1:0/"
    )


def test_a_gateway_serving_messages_at_its_own_path(tmp_path: Path) -> None:
    with Emulator(prefix="/gw") as emu:
        env = cli_env(emu.url.removesuffix("/gw"), CLAUDECLI_MESSAGES_PATH="/gw/v1/messages")
        result = run(["ask", "hi"], url=None, env=env)
        assert result.rc == 0, result
        assert emu.requests[0]["path"] == "/gw/v1/messages"
