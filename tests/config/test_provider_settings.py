"""Provider settings: the SDK's environment names, precedence, validation, and which cloud
credential source wins (never its secret)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.config import ConfigFile, resolve_settings
from claudecli.credentials import credential_status
from claudecli.errors import ConfigError, UsageError


def test_defaults_are_the_first_party_api() -> None:
    settings = resolve_settings(None, {}, ConfigFile()).settings
    assert (settings.provider, settings.messages_path) == ("anthropic", "/v1/messages")
    assert settings.aws_region is None and settings.vertex_region is None


def test_the_sdk_environment_names_are_read_ours_first() -> None:
    env = {
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_PROFILE": "work",
        "ANTHROPIC_BEDROCK_BASE_URL": "https://vpce.example.com/",
        "ANTHROPIC_VERTEX_PROJECT_ID": "proj",
        "CLOUD_ML_REGION": "global",
        "ANTHROPIC_VERTEX_BASE_URL": "https://vertex.example.com/v1",
        "CLAUDECLI_VERTEX_REGION": "us-east5",
    }
    resolved = resolve_settings(None, env, ConfigFile())
    s = resolved.settings
    assert (s.aws_region, s.aws_profile) == ("eu-west-1", "work")
    assert s.bedrock_base_url == "https://vpce.example.com"
    assert (s.vertex_project, s.vertex_region) == ("proj", "us-east5")
    assert resolved.source("aws_region") == "env AWS_REGION"
    assert resolved.source("vertex_region") == "env CLAUDECLI_VERTEX_REGION"
    fallback = resolve_settings(None, {"AWS_DEFAULT_REGION": "us-west-2"}, ConfigFile())
    assert fallback.settings.aws_region == "us-west-2"


def test_the_flag_beats_the_environment() -> None:
    resolved = resolve_settings({"provider": "vertex"}, {"CLAUDECLI_PROVIDER": "bedrock"}, None)
    assert resolved.settings.provider == "vertex"
    assert resolved.source("provider") == "flag --provider"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"provider": "azure"}, "--provider: provider must be one of anthropic, bedrock, vertex"),
        ({"messages_path": "messages"}, "--messages-path: messages_path must be a URL path"),
        ({"bedrock_inference_profile": "mars"}, "bedrock_inference_profile must be one of"),
    ],
)
def test_bad_values_are_one_line(flags: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_settings(flags, {}, None)


def test_a_bad_base_url_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="env ANTHROPIC_BEDROCK_BASE_URL: bedrock_base_url"):
        resolve_settings(None, {"ANTHROPIC_BEDROCK_BASE_URL": "ftp://x"}, None)


def test_messages_path_keeps_a_clean_path() -> None:
    resolved = resolve_settings({"messages_path": "/messages/"}, {}, None)
    assert resolved.settings.messages_path == "/messages"


def _aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_bedrock_credential_status_names_the_winning_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("botocore")
    _aws_env(tmp_path, monkeypatch)
    (tmp_path / "credentials").write_text(
        "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = SECRET-WORK\n"
    )
    (tmp_path / "config").write_text("[profile work]\nregion = eu-central-1\n")
    settings = resolve_settings({"provider": "bedrock"}, {"AWS_PROFILE": "work"}, None).settings
    status = credential_status(settings, {})
    assert status.credential is not None
    assert (
        status.credential.source == "AWS credential chain (profile work): shared-credentials-file"
    )
    assert status.credential.cloud.region == "eu-central-1"  # the profile's region
    assert "SECRET-WORK" not in repr(status.as_dict())


def test_a_bedrock_api_key_wins_over_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aws_env(tmp_path, monkeypatch)
    settings = resolve_settings({"provider": "bedrock"}, {"AWS_REGION": "us-east-1"}, None).settings
    status = credential_status(settings, {"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-SECRET1"})
    assert status.credential is not None and status.credential.kind == "aws_api_key"
    assert status.credential.source == "environment AWS_BEARER_TOKEN_BEDROCK"
    assert "SECRET1" not in repr(status.as_dict())


def test_no_vertex_credentials_names_what_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("google.auth")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # nothing listens: no metadata server
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")
    settings = resolve_settings({"provider": "vertex"}, {}, None).settings
    status = credential_status(settings, {})
    assert status.credential is None
    assert status.error is not None
    assert status.error.startswith("no Google credentials for Vertex AI: looked for ")
    assert "GOOGLE_APPLICATION_CREDENTIALS" in status.error
