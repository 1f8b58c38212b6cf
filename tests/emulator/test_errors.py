"""Scripted HTTP errors: SDK exception classes, error shapes, retry headers."""

from __future__ import annotations

import json

import anthropic
import pytest

from claudecli.emulator import Emulator

from .util import call, request

STATUS_CLASSES = [
    (400, anthropic.BadRequestError, "invalid_request_error"),
    (401, anthropic.AuthenticationError, "authentication_error"),
    (403, anthropic.PermissionDeniedError, "permission_error"),
    (404, anthropic.NotFoundError, "not_found_error"),
    (429, anthropic.RateLimitError, "rate_limit_error"),
    (500, anthropic.InternalServerError, "api_error"),
    (529, anthropic.OverloadedError, "overloaded_error"),
]


@pytest.mark.parametrize(("status", "cls", "kind"), STATUS_CLASSES)
def test_status_directive_raises_the_sdk_class(
    client: anthropic.Anthropic, status: int, cls: type[anthropic.APIStatusError], kind: str
) -> None:
    with pytest.raises(cls) as caught:
        client.messages.create(**request(f"#emu status={status}"))
    assert caught.value.status_code == status
    assert caught.value.type == kind
    assert caught.value.request_id is not None
    assert caught.value.body["request_id"] == caught.value.request_id  # type: ignore[index]


@pytest.mark.parametrize(("status", "cls", "kind"), STATUS_CLASSES)
def test_enqueued_status_on_a_stream(
    emulator: Emulator,
    client: anthropic.Anthropic,
    status: int,
    cls: type[anthropic.APIStatusError],
    kind: str,
) -> None:
    emulator.enqueue({"status": status, "message": "scripted"})
    with pytest.raises(cls) as caught, client.messages.stream(**request("x")) as stream:
        stream.get_final_message()
    assert (caught.value.type, caught.value.api_message) == (kind, "scripted")


def test_413_is_cloudflare_html(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue({"status": 413})
    with pytest.raises(anthropic.ContentTooLargeError) as caught:
        client.messages.create(**request("big"))
    assert caught.value.type is None
    assert "cloudflare" in str(caught.value.body)
    emulator.enqueue({"status": 413})
    status, head, body = call(emulator, "POST", "/v1/messages", request("big"))
    assert status == 413 and head["content-type"] == "text/html"
    assert body.startswith(b"<html>") and head["request-id"].startswith("req_")


def test_oversized_body_is_413_before_auth(emulator: Emulator) -> None:
    padding = "x" * (32 * 1024 * 1024)
    status, head, _ = call(emulator, "POST", "/v1/messages", request(padding), {"x": "y"})
    assert status == 413 and head["content-type"] == "text/html"


def test_retry_headers(emulator: Emulator) -> None:
    item = {"status": 429, "retry_after": 2, "retry_after_ms": 1500, "should_retry": False}
    emulator.enqueue(item)
    status, head, body = call(emulator, "POST", "/v1/messages", request("x"))
    assert status == 429
    assert (head["retry-after"], head["retry-after-ms"], head["x-should-retry"]) == (
        "2",
        "1500",
        "false",
    )
    error = json.loads(body)
    assert error["error"] == {
        "type": "rate_limit_error",
        "message": error["error"]["message"],
        "details": None,
    }


def test_sdk_retries_a_529_then_succeeds(emulator: Emulator) -> None:
    emulator.enqueue({"status": 529, "retry_after_ms": 10})
    with anthropic.Anthropic(api_key="sk-test", base_url=emulator.url, max_retries=1) as sdk:
        message = sdk.messages.create(**request("again"))
    assert message.content[0].text == "Echo: again"  # type: ignore[union-attr]
    assert len(emulator.requests) == 2
    assert emulator.requests[1]["headers"]["x-stainless-retry-count"] == "1"


def test_should_retry_false_stops_sdk_retries(emulator: Emulator) -> None:
    emulator.enqueue({"status": 500, "should_retry": False})
    with (
        anthropic.Anthropic(api_key="sk-test", base_url=emulator.url, max_retries=2) as sdk,
        pytest.raises(anthropic.InternalServerError),
    ):
        sdk.messages.create(**request("x"))
    assert len(emulator.requests) == 1


def test_error_code_details(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**request("#emu status=429 error_code=enforced_spend_limit_reached"))
    assert caught.value.error_code == "enforced_spend_limit_reached"


def test_literal_json_body(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue({"path": "/v1/models", "json": {"data": [], "has_more": False}})
    assert list(client.models.list()) == []


def test_delay_item(emulator: Emulator, client: anthropic.Anthropic) -> None:
    emulator.enqueue({"delay": 0.2, "text": "late"})
    with (
        anthropic.Anthropic(
            api_key="sk-test", base_url=emulator.url, max_retries=0, timeout=0.05
        ) as sdk,
        pytest.raises(anthropic.APITimeoutError),
    ):
        sdk.messages.create(**request("x"))
