"""SigV4: our request signing checked against botocore's own signer at a fixed time, the golden
values of docs/providers.md §3.2, and the signed header set equal to what httpx2 sends."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from unittest import mock

import httpx2
import pytest

pytest.importorskip("botocore")

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from claudecli.client.aws import AwsSetup, sign

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BODY = (
    b'{"max_tokens":16,"messages":[{"role":"user","content":"hi"}],'
    b'"anthropic_version":"bedrock-2023-05-31"}'
)
HOST = "https://bedrock-runtime.us-east-1.amazonaws.com"
FIXED = datetime.datetime(2026, 1, 2, 3, 4, 5)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with mock.patch("botocore.auth.get_current_datetime", return_value=FIXED):
        yield


def botocore_signature(url: str, headers: dict[str, str], token: str | None = None) -> AWSRequest:
    req = AWSRequest(method="POST", url=url, data=BODY, headers=headers)
    SigV4Auth(Credentials(KEY, SECRET, token), "bedrock", "us-east-1").add_auth(req)
    return req


def ours(url: str, headers: dict[str, str], token: str | None = None) -> httpx2.Request:
    request = httpx2.Request("POST", url, content=BODY, headers=headers)
    sign(request, AwsSetup(Credentials(KEY, SECRET, token), "env", "us-east-1"), "us-east-1")
    return request


def test_the_golden_values_from_the_providers_reference() -> None:
    url = f"{HOST}/model/anthropic.claude-test-v1:0/invoke"
    headers = {"content-type": "application/json", "accept": "application/json"}
    req = botocore_signature(url, headers)
    assert req.headers["X-Amz-Date"] == "20260102T030405Z"
    assert req.headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=accept;content-type;host;x-amz-date, "
        "Signature=8b18f062cafaccaf97089befdd125ae613bb7af868d7b337f117a13e3252f6d4"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/model/anthropic.claude-test-v1:0/invoke",
        "/model/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile%2Fabc/invoke",
    ],
)
def test_our_signature_is_botocores_for_the_same_request(path: str) -> None:
    url = HOST + path
    request = ours(url, {"content-type": "application/json", "accept": "application/json"})
    sent = {k: v for k, v in request.headers.items() if k.lower() not in ("x-amz-date",)}
    sent.pop("authorization", None)
    expected = botocore_signature(url, sent)
    assert request.headers["authorization"] == expected.headers["Authorization"]
    assert request.headers["x-amz-date"] == "20260102T030405Z"


def test_the_arn_golden_value_double_encodes_the_canonical_uri() -> None:
    path = "/model/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile%2Fabc"
    req = botocore_signature(
        f"{HOST}{path}/invoke", {"content-type": "application/json", "accept": "application/json"}
    )
    assert req.headers["Authorization"].endswith(
        "Signature=82a3f79f011ebb5d52d94bf7cde195684ead756013d36e3dbe47a5346a29c17a"
    )


def test_signed_headers_are_exactly_the_headers_httpx2_sends() -> None:
    client = httpx2.Client(base_url=HOST, headers={"accept": "application/json", "x-custom": "1"})
    request = client.build_request(
        "POST", "/model/x/invoke", content=BODY, headers={"content-type": "application/json"}
    )
    sign(request, AwsSetup(Credentials(KEY, SECRET, "SESSION"), "env", "us-east-1"), "us-east-1")
    signed = re.search(r"SignedHeaders=([^,]+)", request.headers["authorization"])
    assert signed is not None
    unsigned = {"user-agent", "connection", "accept-encoding"}
    sent = {name.lower() for name in request.headers} - {"authorization"}
    assert set(signed.group(1).split(";")) | (unsigned & sent) == sent
    assert request.headers["x-amz-security-token"] == "SESSION"
    client.close()


def test_each_attempt_is_signed_afresh() -> None:
    url = f"{HOST}/model/anthropic.claude-test-v1:0/invoke"
    first = ours(url, {"content-type": "application/json"})
    with mock.patch(
        "botocore.auth.get_current_datetime", return_value=FIXED + datetime.timedelta(seconds=1)
    ):
        second = ours(url, {"content-type": "application/json"})
    assert first.headers["x-amz-date"] != second.headers["x-amz-date"]
    assert first.headers["authorization"] != second.headers["authorization"]
