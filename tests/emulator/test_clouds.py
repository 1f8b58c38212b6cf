"""The emulator's Bedrock and Vertex routes at the HTTP level: what they check (SigV4 scope,
bearer tokens, body shape, versions), the clouds' error shapes, and faults on event-stream."""

from __future__ import annotations

import base64
import json

import pytest

from claudecli.client.eventstream import EventStreamDecoder, bedrock_event
from claudecli.emulator import Emulator
from tests.emulator.util import call, user

MODEL_PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
VERTEX = "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"
BODY = {"anthropic_version": "2026-10-21", "max_tokens": 64, "messages": [user("hi")]}


def sigv4(
    region: str = "us-east-1", service: str = "bedrock", day: str = "20260102"
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-amz-date": f"{day}T030405Z",
        "authorization": (
            f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{day}/{region}/{service}/aws4_request, "
            f"SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}"
        ),
    }


def bearer(token: str = "tok") -> dict[str, str]:
    return {"content-type": "application/json", "authorization": f"Bearer {token}"}


@pytest.mark.parametrize("version", ["2026-10-21", "bedrock-2023-05-31"])
def test_bedrock_invoke_accepts_both_body_versions(emulator: Emulator, version: str) -> None:
    status, head, data = call(
        emulator, "POST", MODEL_PATH + "/invoke", {**BODY, "anthropic_version": version}, sigv4()
    )
    assert status == 200, data
    assert json.loads(data)["content"][0]["text"] == "Echo: hi"
    assert head["x-amzn-requestid"].startswith("req_emu_") and "request-id" not in head


@pytest.mark.parametrize(
    ("head", "name"),
    [
        ({"content-type": "application/json"}, "MissingAuthenticationToken"),
        (sigv4(region="eu-west-1"), "InvalidSignatureException"),
        (sigv4(service="s3"), "InvalidSignatureException"),
        ({**sigv4(), "x-amz-date": "20250101T000000Z"}, "InvalidSignatureException"),
        ({**sigv4(), "authorization": "AWS4-HMAC-SHA256 nonsense"}, "IncompleteSignatureException"),
    ],
)
def test_bedrock_refuses_a_missing_or_misscoped_signature(
    emulator: Emulator, head: dict[str, str], name: str
) -> None:
    status, headers, data = call(emulator, "POST", MODEL_PATH + "/invoke", BODY, head)
    assert status == 403
    assert headers["x-amzn-errortype"].startswith(name + ":")
    assert set(json.loads(data)) == {"message"}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**BODY, "model": "claude-sonnet-4-5"}, "extraneous key [model]"),
        ({**BODY, "stream": True}, "extraneous key [stream]"),
        ({k: v for k, v in BODY.items() if k != "anthropic_version"}, "anthropic_version"),
        ({**BODY, "anthropic_version": "vertex-2023-10-16"}, "anthropic_version"),
    ],
)
def test_bedrock_body_shape_is_checked(
    emulator: Emulator, body: dict[str, object], fragment: str
) -> None:
    status, headers, data = call(emulator, "POST", MODEL_PATH + "/invoke", body, bearer())
    assert status == 400
    assert headers["x-amzn-errortype"].startswith("ValidationException")
    assert fragment in json.loads(data)["message"]


def test_bedrock_stream_is_event_stream_framed(emulator: Emulator) -> None:
    status, head, data = call(
        emulator, "POST", MODEL_PATH + "/invoke-with-response-stream", BODY, sigv4()
    )
    assert status == 200
    assert head["content-type"] == "application/vnd.amazon.eventstream"
    events = [bedrock_event(m) for m in EventStreamDecoder().feed(data)]
    kinds = [json.loads(e.data)["type"] for e in events if e is not None]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"


def test_stream_error_and_drip_faults_are_frames_too(emulator: Emulator) -> None:
    body = {**BODY, "messages": [user("hi\n#emu fault=drip seconds=0.01 count=2")]}
    _, _, data = call(emulator, "POST", MODEL_PATH + "/invoke-with-response-stream", body, sigv4())
    events = [bedrock_event(m) for m in EventStreamDecoder().feed(data)]
    assert sum(json.loads(e.data)["type"] == "ping" for e in events if e) >= 3
    emulator.enqueue({"fault": "error", "error_type": "rate_limit_error", "after": 1})
    _, _, data = call(emulator, "POST", MODEL_PATH + "/invoke-with-response-stream", BODY, sigv4())
    messages = EventStreamDecoder().feed(data)
    assert messages[-1].headers[":message-type"] == "exception"
    assert messages[-1].headers[":exception-type"] == "throttlingException"


def test_bedrock_count_tokens(emulator: Emulator) -> None:
    inner = base64.b64encode(json.dumps(BODY).encode()).decode()
    wrapped = {"input": {"invokeModel": {"body": inner}}}
    status, _, data = call(emulator, "POST", MODEL_PATH + "/count-tokens", wrapped, sigv4())
    assert status == 200, data
    assert set(json.loads(data)) == {"inputTokens"}


def test_vertex_needs_a_bearer_token_and_answers_in_google_shape(emulator: Emulator) -> None:
    body = {"anthropic_version": "vertex-2023-10-16", "max_tokens": 64, "messages": [user("hi")]}
    status, _, data = call(
        emulator, "POST", VERTEX + ":rawPredict", body, {"content-type": "application/json"}
    )
    assert status == 401
    error = json.loads(data)["error"]
    assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
    status, _, data = call(emulator, "POST", VERTEX + ":rawPredict", body, bearer())
    assert status == 200 and json.loads(data)["content"][0]["text"] == "Echo: hi"


def test_vertex_region_can_be_pinned() -> None:
    with Emulator(vertex_region="global") as emu:
        status, _, data = call(emu, "POST", VERTEX + ":rawPredict", BODY, bearer())
        assert (
            status == 400 and "the emulator serves 'global'" in json.loads(data)["error"]["message"]
        )


def test_token_endpoint_issues_bearer_tokens(emulator: Emulator) -> None:
    status, _, data = call(
        emulator,
        "POST",
        "/token",
        b"grant_type=x",
        {"content-type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    issued = json.loads(data)
    assert issued["expires_in"] == 3600 and emulator.issued_tokens == [issued["access_token"]]
