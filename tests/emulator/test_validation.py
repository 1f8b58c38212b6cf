"""Request validation, auth and version headers: real status codes, types and messages."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from claudecli.emulator import Emulator

from .util import JSON, MODEL, WEATHER_TOOL, call, headers, post, request, user

ASSISTANT_TOOL = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
}


def _without(key: str) -> JSON:
    body = request("hi")
    del body[key]
    return body


def _cached(n: int) -> JSON:
    marker = {"type": "ephemeral"}
    blocks = [{"type": "text", "text": f"part {i}", "cache_control": marker} for i in range(n)]
    return request("x", system=blocks[:1], messages=[user(blocks[1:])], cache_control=marker)


INVALID: list[tuple[str, JSON, str]] = [
    ("no model", _without("model"), "model: Field required"),
    ("no max_tokens", _without("max_tokens"), "max_tokens: Field required"),
    ("negative max_tokens", request("hi", max_tokens=-1), "max_tokens"),
    ("max_tokens too big", request("hi", max_tokens=128_001), "128001 > 128000"),
    ("no messages", _without("messages"), "messages: Field required"),
    ("empty messages", request("hi", messages=[]), "at least one message"),
    ("bad role", request("hi", messages=[{"role": "robot", "content": "x"}]), "messages.0.role"),
    ("unknown field", request("hi", colour="blue"), "colour: Extra inputs are not permitted"),
    ("temperature 2026", request("hi", temperature=0.5), "temperature"),
    (
        "thinking budget < 1024",
        request(
            "hi",
            model="claude-haiku-4-5",
            max_tokens=4000,
            thinking={"type": "enabled", "budget_tokens": 1000},
        ),
        "greater than or equal to 1024",
    ),
    (
        "thinking budget >= max_tokens",
        request(
            "hi",
            model="claude-haiku-4-5",
            max_tokens=2000,
            thinking={"type": "enabled", "budget_tokens": 2000},
        ),
        "`max_tokens` must be greater than `thinking.budget_tokens`",
    ),
    (
        "thinking type unsupported",
        request("hi", thinking={"type": "enabled", "budget_tokens": 2048}),
        "'enabled' is not supported for model claude-sonnet-5-5",
    ),
    ("five breakpoints", _cached(4), "A maximum of 4 blocks with cache_control"),
    (
        "stray tool_result",
        request(
            "x",
            messages=[user([{"type": "tool_result", "tool_use_id": "toolu_x", "content": "r"}])],
        ),
        "unexpected `tool_use_id`",
    ),
    (
        "unanswered tool_use",
        request(
            "x", messages=[user("q"), ASSISTANT_TOOL, user("no results")], tools=[WEATHER_TOOL]
        ),
        "without `tool_result` blocks",
    ),
    (
        "document in assistant turn",
        request(
            "x",
            model="claude-haiku-4-5",
            messages=[
                user("q"),
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "document",
                            "source": {"type": "text", "media_type": "text/plain", "data": "d"},
                        }
                    ],
                },
                user("more"),
            ],
        ),
        "`document` blocks are not allowed in assistant messages",
    ),
    (
        "bad image type",
        request(
            "x",
            messages=[
                user(
                    [
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="},
                        }
                    ]
                )
            ],
        ),
        "media_type",
    ),
    (
        "duplicate tools",
        request("x", tools=[WEATHER_TOOL, WEATHER_TOOL]),
        "Tool names must be unique",
    ),
    (
        "tool_choice names unknown tool",
        request("x", tools=[WEATHER_TOOL], tool_choice={"type": "tool", "name": "nope"}),
        "tool_choice.name",
    ),
    ("stop_sequences not strings", request("x", stop_sequences=[1]), "stop_sequences"),
    ("bad cache ttl", _cached(0) | {"cache_control": {"type": "ephemeral", "ttl": "2h"}}, "ttl"),
]


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_requests_are_400(emulator: Emulator, body: JSON, message: str) -> None:
    status, reply = post(emulator, "/v1/messages", body)
    assert status == 400, reply
    assert reply["type"] == "error" and reply["error"]["type"] == "invalid_request_error"
    assert message in reply["error"]["message"]
    assert reply["request_id"].startswith("req_") and reply["error"]["details"] is None


def test_validation_error_through_the_sdk(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=10, messages=[])
    assert caught.value.type == "invalid_request_error"
    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")


def test_unknown_model_is_404(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(model="claude-foo", max_tokens=10, messages=[user("hi")])  # type: ignore[list-item]
    assert caught.value.type == "not_found_error"
    assert "claude-foo" in str(caught.value.api_message)


def test_sampling_params_allowed_under_2023_06_01(emulator: Emulator) -> None:
    body = request("hi", temperature=0.2, top_p=0.9, top_k=5)
    status, reply = post(emulator, "/v1/messages", body, headers(version="2023-06-01"))
    assert status == 200 and reply["content"][0]["text"] == "Echo: hi"
    status, reply = post(
        emulator, "/v1/messages", request("hi", temperature=3), headers(version="2023-06-01")
    )
    assert status == 400


def test_missing_version_header_is_400(emulator: Emulator) -> None:
    status, reply = post(emulator, "/v1/messages", request("hi"), headers(version=None))
    assert status == 400 and "anthropic-version" in reply["error"]["message"]
    status, reply = post(emulator, "/v1/messages", request("hi"), headers(version="1999-01-01"))
    assert status == 400


def test_missing_key_is_401(emulator: Emulator) -> None:
    status, reply = post(emulator, "/v1/messages", request("hi"), headers(key=None))
    assert status == 401 and reply["error"]["type"] == "authentication_error"


def test_cors_origin_is_rejected(emulator: Emulator) -> None:
    head = headers() | {"origin": "https://example.com"}
    assert post(emulator, "/v1/messages", request("hi"), head)[0] == 401
    head["anthropic-dangerous-direct-browser-access"] = "true"
    assert post(emulator, "/v1/messages", request("hi"), head)[0] == 200


@pytest.mark.parametrize(
    ("auth", "header", "ok"),
    [
        ("any", {"x-api-key": "sk-a"}, True),
        ("any", {"authorization": "Bearer sk-a"}, True),
        ("bearer", {"authorization": "Bearer sk-a"}, True),
        ("bearer", {"x-api-key": "sk-a"}, False),
        ("x-api-key", {"x-api-key": "sk-a"}, True),
        ("x-api-key", {"authorization": "Bearer sk-a"}, False),
        ("any", {"authorization": "Basic sk-a"}, False),
    ],
)
def test_auth_modes(auth: str, header: dict[str, str], ok: bool) -> None:
    with Emulator(auth=auth) as emu:
        status, _ = post(emu, "/v1/messages", request("hi"), headers(key=None) | header)
    assert status == (200 if ok else 401)


def test_fixed_api_key(emulator: Emulator) -> None:
    with Emulator(api_key="sk-right") as emu:
        for key, status in (("sk-right", 200), ("sk-wrong", 401)):
            with anthropic.Anthropic(api_key=key, base_url=emu.url, max_retries=0) as sdk:
                try:
                    sdk.messages.create(**request("hi"))
                    got = 200
                except anthropic.AuthenticationError as exc:
                    got = exc.status_code
                    assert exc.type == "authentication_error"
            assert got == status


def test_invalid_json_body_is_400(emulator: Emulator) -> None:
    status, _, data = call(emulator, "POST", "/v1/messages", b"{not json")
    assert status == 400 and b"invalid_request_error" in data


def test_unknown_route_is_404(emulator: Emulator) -> None:
    status, _, data = call(emulator, "GET", "/v1/nothing-here")
    assert status == 404 and b"not_found_error" in data


def test_count_tokens_rejects_max_tokens(emulator: Emulator) -> None:
    body: dict[str, Any] = request("hi")
    status, reply = post(emulator, "/v1/messages/count_tokens", body)
    assert status == 400 and "max_tokens" in reply["error"]["message"]
    del body["max_tokens"]
    assert post(emulator, "/v1/messages/count_tokens", body) == (200, {"input_tokens": 8})
