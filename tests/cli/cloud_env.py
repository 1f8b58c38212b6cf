"""The Bedrock and Vertex AI environments of the provider tests (`ask` and `tools run`): fake AWS
keys in the environment, and a Vertex service-account file whose token endpoint is the emulator.
Import the `aws` / `gcp` fixtures into a test module to use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.helpers import cli_env
from tests.client.test_providers_live import LOCATION, service_account_file

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY-SECRET"
SESSION = "SESSION-TOKEN-SECRET-123"
_CLOUD_ENV = ("AWS_", "GOOGLE_", "CLOUD_ML_REGION")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in cli_env(None, key=None).items() if not k.startswith(_CLOUD_ENV)}
    env.update(extra)
    return env


@pytest.fixture
def aws(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return clean_env(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY=AWS_SECRET,
        AWS_SESSION_TOKEN=SESSION,
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        ANTHROPIC_BEDROCK_BASE_URL=emulator.url,
    )


@pytest.fixture
def gcp(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    adc = service_account_file(tmp_path / "sa.json", emulator.url + "/token")
    return clean_env(
        GOOGLE_APPLICATION_CREDENTIALS=str(adc),
        CLOUD_ML_REGION=LOCATION,
        ANTHROPIC_VERTEX_BASE_URL=emulator.url + "/v1",
    )
