"""Bedrock and Vertex over the wire: the official SDK's `AnthropicBedrock` / `AnthropicVertex` and
our client, pointed at the live emulator's cloud routes, accumulate the same final message; the
requests have the clouds' shape; errors map to the common statuses with the provider's request
id; secrets and signatures never reach a debug log or an error. Vertex auth goes through
google-auth's real refresh path: a service-account file whose `token_uri` is the emulator."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import anthropic
import pytest

from claudecli.client import APIStatusError, Client, ClientOptions, RequestValidationError
from claudecli.client.aws import load_aws
from claudecli.client.gcp import load_google
from claudecli.client.providers import bedrock_model_id, vertex_model_id
from claudecli.emulator import Emulator
from tests.client.test_fidelity_sdk import CASES, IDS, sdk_final
from tests.sdk_oracle import normalise

JSON = dict[str, Any]
REGION = "us-east-1"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
PROJECT = "emu-project"
LOCATION = "us-east5"


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake AWS keys in the environment; no host profile, SSO cache or instance metadata."""
    for name in ("AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def service_account_file(path: Path, token_uri: str) -> Path:
    """A service-account key file (fresh RSA key) whose token endpoint is `token_uri`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "emu",
        "private_key": pem,
        "client_email": "claudecli@emu-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def adc(tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = service_account_file(tmp_path / "sa.json", emulator.url + "/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path


def bedrock(emulator: Emulator, **extra: Any) -> Client:
    setup = load_aws(None, REGION)
    assert setup is not None and setup.method == "env"
    options = ClientOptions(
        provider="bedrock", base_url=emulator.url, region=REGION, cloud_credentials=setup, **extra
    )
    return Client(options, sleep=lambda _s: None)


def vertex(emulator: Emulator, **extra: Any) -> Client:
    setup = load_google(None)
    assert setup is not None
    options = ClientOptions(
        provider="vertex",
        base_url=emulator.url + "/v1",
        region=LOCATION,
        project=setup.project,
        cloud_credentials=setup,
        **extra,
    )
    return Client(options, sleep=lambda _s: None)


def our_final(client: Client, request: JSON) -> JSON:
    stream = client.stream_message(request)
    for _ in stream:
        pass
    assert stream.completed and stream.retries == 0
    return stream.message()


def fresh(emulator: Emulator, item: JSON | None) -> None:
    emulator.reset()
    if item is not None:
        emulator.enqueue(item)


@pytest.mark.parametrize(("name", "request_body", "item"), CASES, ids=IDS)
def test_bedrock_sdk_and_ours_accumulate_the_same_message(
    emulator: Emulator, name: str, request_body: JSON, item: JSON | None
) -> None:
    sdk = anthropic.AnthropicBedrock(aws_region=REGION, base_url=emulator.url, max_retries=0)
    sdk_request = {**request_body, "model": bedrock_model_id(request_body["model"], REGION)}
    fresh(emulator, item)
    expected = sdk_final(sdk, sdk_request)  # type: ignore[arg-type]
    fresh(emulator, item)
    with bedrock(emulator) as ours:
        got = our_final(ours, request_body)
    assert normalise(got) == expected
    [sent] = emulator.requests
    assert sent["path"].endswith("/invoke-with-response-stream")
    assert "model" not in sent["body"] and "stream" not in sent["body"]


@pytest.mark.parametrize(("name", "request_body", "item"), CASES[:6], ids=IDS[:6])
def test_vertex_sdk_and_ours_accumulate_the_same_message(
    emulator: Emulator, adc: Path, name: str, request_body: JSON, item: JSON | None
) -> None:
    sdk = anthropic.AnthropicVertex(
        region=LOCATION, project_id=PROJECT, base_url=emulator.url + "/v1", max_retries=0
    )
    sdk_request = {**request_body, "model": vertex_model_id(request_body["model"])}
    fresh(emulator, item)
    expected = sdk_final(sdk, sdk_request)  # type: ignore[arg-type]
    fresh(emulator, item)
    with vertex(emulator) as ours:
        got = our_final(ours, request_body)
    assert normalise(got) == expected


def test_bedrock_request_shape(emulator: Emulator) -> None:
    with bedrock(emulator, betas=("context-1m-2025-08-07",)) as client:
        client.create_message(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            }
        )
    [sent] = emulator.requests
    assert sent["path"] == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke"
    assert sent["body"]["anthropic_version"] == "2026-10-21"  # what SDK 2.x sends
    assert sent["body"]["anthropic_beta"] == ["context-1m-2025-08-07"]
    headers = sent["headers"]
    assert "anthropic-version" not in headers
    assert headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{headers['x-amz-date'][:8]}/us-east-1/bedrock/"
    )
    assert "request-id" not in headers


def test_the_legacy_api_version_sends_the_providers_1x_strings(
    emulator: Emulator, adc: Path
) -> None:
    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with bedrock(emulator, api_version="2023-06-01") as client:
        client.create_message(request)
    with vertex(emulator, api_version="2023-06-01") as client:
        client.create_message(request)
    versions = [sent["body"].get("anthropic_version") for sent in emulator.requests if sent["body"]]
    assert versions == ["bedrock-2023-05-31", "vertex-2023-10-16"]


def test_a_bedrock_api_key_is_a_bearer_token_and_no_signature(emulator: Emulator) -> None:
    from claudecli.client import Secret

    options = ClientOptions(
        provider="bedrock",
        base_url=emulator.url,
        region=REGION,
        api_key=Secret("bedrock-api-key-x"),
    )
    with Client(options) as client:
        client.count_tokens(
            {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}
        )
    headers = emulator.requests[0]["headers"]
    assert headers["authorization"] == "Bearer bedrock-api-key-x"
    assert "x-amz-date" not in headers


def test_count_tokens_on_both_clouds(emulator: Emulator, adc: Path) -> None:
    request = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "count me"}]}
    with bedrock(emulator) as client:
        on_bedrock = client.count_tokens(request)
    with vertex(emulator) as client:
        on_vertex = client.count_tokens(request)
    sdk = anthropic.AnthropicVertex(
        region=LOCATION, project_id=PROJECT, base_url=emulator.url + "/v1"
    )
    official = sdk.messages.count_tokens(
        model="claude-sonnet-4-5@20250929", messages=request["messages"]
    )  # type: ignore[arg-type]
    assert on_bedrock == on_vertex == {"input_tokens": official.input_tokens}
    paths = [sent["path"] for sent in emulator.requests if sent["path"] != "/token"]
    assert paths[0] == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/count-tokens"
    assert paths[1].endswith(
        f"/projects/{PROJECT}/locations/{LOCATION}/publishers/anthropic/models/count-tokens:rawPredict"
    )


def test_vertex_refreshes_through_google_auth_and_sends_the_issued_token(
    emulator: Emulator, adc: Path
) -> None:
    with vertex(emulator) as client:
        our_final(
            client,
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            },
        )
        client.options.cloud_credentials.credentials.expiry = None  # still valid: no refresh
        our_final(
            client,
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            },
        )
    assert len(emulator.issued_tokens) == 1
    calls = [sent for sent in emulator.requests if sent["path"] != "/token"]
    assert {sent["headers"]["authorization"] for sent in calls} == {
        f"Bearer {emulator.issued_tokens[0]}"
    }
    assert calls[0]["path"].endswith("/models/claude-sonnet-4-5@20250929:streamRawPredict")


def test_an_expired_token_is_refreshed_before_the_next_request(
    emulator: Emulator, adc: Path
) -> None:
    import datetime

    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with vertex(emulator) as client:
        client.create_message(request)
        soon = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(
            seconds=30
        )
        client.options.cloud_credentials.credentials.expiry = soon  # inside the refresh margin
        client.create_message(request)
    assert len(emulator.issued_tokens) == 2
    last = emulator.requests[-1]["headers"]["authorization"]
    assert last == f"Bearer {emulator.issued_tokens[1]}"


def test_throttling_in_the_stream_is_retried_then_unavailable(emulator: Emulator) -> None:
    item = {"fault": "error", "error_type": "rate_limit_error", "message": "slow down", "after": 0}
    for _ in range(3):
        emulator.enqueue(item)
    with bedrock(emulator) as client, pytest.raises(APIStatusError) as caught:
        our_final(
            client,
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            },
        )
    assert caught.value.status_code == 429
    assert "ThrottlingException: slow down" in str(caught.value)
    assert len(emulator.requests) == 3  # two retries


@pytest.mark.parametrize(
    ("status", "name", "retried"),
    [
        (429, "ThrottlingException", True),
        (503, "ServiceUnavailableException", True),
        (403, "AccessDeniedException", False),
        (400, "ValidationException", False),
    ],
)
def test_bedrock_http_errors_carry_the_aws_name_and_request_id(
    emulator: Emulator, status: int, name: str, retried: bool
) -> None:
    for _ in range(3):
        emulator.enqueue({"status": status, "message": "emulated"})
    with bedrock(emulator) as client, pytest.raises(APIStatusError) as caught:
        client.create_message(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            }
        )
    error = caught.value
    assert (error.status_code, error.error_type) == (status, name)
    assert str(error).startswith(f"{name}: emulated (request-id req_emu_")
    assert len(emulator.requests) == (3 if retried else 1)


@pytest.mark.parametrize(
    ("status", "retried"), [(429, True), (503, True), (401, False), (403, False)]
)
def test_vertex_google_errors(emulator: Emulator, adc: Path, status: int, retried: bool) -> None:
    for _ in range(3):
        emulator.enqueue({"status": status, "message": "emulated"})
    with vertex(emulator) as client, pytest.raises(APIStatusError) as caught:
        client.create_message(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            }
        )
    assert caught.value.status_code == status
    assert "emulated" in str(caught.value)
    assert len([r for r in emulator.requests if r["path"] != "/token"]) == (3 if retried else 1)


def test_a_scope_for_the_wrong_region_is_refused(emulator: Emulator) -> None:
    setup = load_aws(None, "eu-west-1")
    options = ClientOptions(
        provider="bedrock", base_url=emulator.url, region="eu-west-1", cloud_credentials=setup
    )
    with Client(options) as client, pytest.raises(APIStatusError) as caught:
        client.create_message(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            }
        )
    assert caught.value.status_code == 403
    assert caught.value.error_type == "InvalidSignatureException"


@pytest.mark.parametrize("provider", ["bedrock", "vertex"])
def test_batches_models_and_files_are_refused_before_sending(
    provider: str, emulator: Emulator
) -> None:
    options = ClientOptions(provider=provider, base_url=emulator.url, region=REGION, project="p")  # type: ignore[arg-type]
    with Client(options) as client:
        with pytest.raises(RequestValidationError, match="message batches are not available on"):
            client.create_batch([])
        with pytest.raises(RequestValidationError, match="models listing is not available"):
            list(client.iter_models())
    assert emulator.requests == []


def test_secrets_and_signatures_stay_out_of_debug_logs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "SESSION-TOKEN-SECRET")
    caplog.set_level(logging.DEBUG, logger="claudecli")
    with bedrock(emulator) as client:
        client.create_message(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": "hi"}],
            }
        )
    sent = emulator.requests[0]["headers"]
    assert sent["x-amz-security-token"] == "SESSION-TOKEN-SECRET"
    signature = sent["authorization"].rsplit("Signature=", 1)[1]
    assert "request POST" in caplog.text
    for secret in ("SESSION-TOKEN-SECRET", signature, SECRET):
        assert secret not in caplog.text


def test_a_gateway_serving_messages_at_its_own_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from claudecli.client import Secret

    with Emulator(prefix="/llm") as emu:
        emu.enqueue({"path": "/v1/messages", "text": "routed"})
        options = ClientOptions(api_key=Secret("k"), base_url=emu.url, messages_path="/v1/messages")
        with Client(options) as client:
            assert (
                client.create_message(
                    {
                        "model": "claude-sonnet-5-5",
                        "max_tokens": 8,
                        "messages": [{"role": "user", "content": "hi"}],
                    }
                )["content"][0]["text"]
                == "routed"
            )
    # /messages (AI/ML API style): the whole Messages family moves with it
    from claudecli.client.providers import Provider

    provider = Provider(ClientOptions(messages_path="/messages"))
    assert provider.route("POST", "/v1/messages", {})[0] == "/messages"
    assert provider.route("POST", "/v1/messages/count_tokens", {})[0] == "/messages/count_tokens"
    assert provider.route("GET", "/v1/models", {})[0] == "/v1/models"


def test_model_ids_for_each_provider() -> None:
    assert (
        bedrock_model_id("claude-sonnet-4-5", "us-east-1")
        == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    )
    assert (
        bedrock_model_id("claude-sonnet-4-5", "eu-central-1")
        == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    )
    assert (
        bedrock_model_id("claude-sonnet-5-5", "us-west-2", "global")
        == "global.anthropic.claude-sonnet-5-5-v1"
    )
    assert (
        bedrock_model_id("claude-haiku-4-5", "sa-east-1")
        == "anthropic.claude-haiku-4-5-20251001-v1:0"
    )
    assert (
        bedrock_model_id("claude-opus-4-1-20250805", "us-east-1", "none")
        == "anthropic.claude-opus-4-1-20250805-v1:0"
    )
    explicit = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
    assert bedrock_model_id(explicit, "us-east-1") == explicit
    assert bedrock_model_id("apac.anthropic.x-v1:0", "us-east-1") == "apac.anthropic.x-v1:0"
    assert vertex_model_id("claude-sonnet-4-5") == "claude-sonnet-4-5@20250929"
    assert vertex_model_id("claude-haiku-4-5-20251001") == "claude-haiku-4-5@20251001"
    assert vertex_model_id("claude-sonnet-5-5") == "claude-sonnet-5-5"
    assert vertex_model_id("claude-opus-4-5@20251101") == "claude-opus-4-5@20251101"


def test_an_arn_model_id_is_percent_encoded_in_the_path(emulator: Emulator) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
    with bedrock(emulator, max_retries=0) as client, pytest.raises(APIStatusError):
        client.create_message(
            {"model": arn, "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
        )
    assert emulator.requests[0]["path"] == f"/model/{arn.replace('/', '%2F')}/invoke"
