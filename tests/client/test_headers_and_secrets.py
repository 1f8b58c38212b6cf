"""Request headers, auth styles, base-URL prefixes, client-side sampling checks, and the key's
absence from every exception, repr and log line (live emulator, real sockets)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest

import claudecli
from claudecli.client import (
    DEFAULT_API_VERSION,
    APIConnectionError,
    APIStatusError,
    ClaudeError,
    Client,
    ClientOptions,
    RequestValidationError,
    Secret,
    Timeouts,
    parse_custom_headers,
)
from claudecli.emulator import Emulator

JSON = dict[str, Any]
KEY = "sk-test-SECRET-1234"
BODY: JSON = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 128,
    "messages": [{"role": "user", "content": "hello"}],
}
AuthStyle = Literal["bearer", "x-api-key"]
COUNT_BODY: JSON = {k: v for k, v in BODY.items() if k != "max_tokens"}


@pytest.fixture
def make(emulator: Emulator) -> Iterator[Callable[..., Client]]:
    """Clients on the emulator (options as keywords, retries instant); closed after the test."""
    made: list[Client] = []

    def build(**options: Any) -> Client:
        options.setdefault("base_url", emulator.url)
        options.setdefault("api_key", Secret(KEY))
        client = Client(ClientOptions(**options), sleep=lambda _s: None)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def sent(emulator: Emulator, index: int = -1) -> dict[str, str]:
    """The headers (lower-case names) of a request the emulator received."""
    headers: dict[str, str] = emulator.requests[index]["headers"]
    return headers


def stream_text(client: Client, body: JSON = BODY) -> str:
    stream = client.stream_message(body)
    list(stream)
    return str(stream.message()["content"][0]["text"])


# --- anthropic-version, betas, custom headers, user agent -----------------------------------


def test_default_headers(emulator: Emulator, make: Callable[..., Client]) -> None:
    client = make()
    assert stream_text(client) == "Echo: hello"
    headers = sent(emulator)
    assert DEFAULT_API_VERSION == "2026-10-21"
    assert headers["anthropic-version"] == "2026-10-21"
    assert "anthropic-beta" not in headers
    assert headers["user-agent"].startswith(f"claudecli/{claudecli.__version__} ")
    assert headers["content-type"] == "application/json"
    assert emulator.requests[-1]["body"]["stream"] is True


def test_api_version_override(emulator: Emulator, make: Callable[..., Client]) -> None:
    client = make(api_version="2023-06-01")
    client.create_message(BODY)
    client.count_tokens(COUNT_BODY)
    assert [sent(emulator, i)["anthropic-version"] for i in (0, 1)] == ["2023-06-01"] * 2


def test_unknown_api_version_is_the_servers_call(
    emulator: Emulator, make: Callable[..., Client]
) -> None:
    client = make(api_version="1999-01-01")
    with pytest.raises(APIStatusError) as info:
        client.create_message(BODY)
    assert info.value.status_code == 400
    assert len(emulator.requests) == 1


def test_betas_are_joined_with_commas(emulator: Emulator, make: Callable[..., Client]) -> None:
    client = make(betas=("files-api-2025-04-14", "context-1m-2025-08-07"))
    client.create_message(BODY)
    list(client.iter_models())
    for index in (0, 1):
        assert sent(emulator, index)["anthropic-beta"] == (
            "files-api-2025-04-14,context-1m-2025-08-07"
        )


def test_custom_headers(emulator: Emulator, make: Callable[..., Client]) -> None:
    parsed = parse_custom_headers(
        "X-Team: blue\nX-Trace-Id:  abc:def  \n\nno colon here\n: empty name\nX-Empty:\n"
    )
    assert parsed == {"X-Team": "blue", "X-Trace-Id": "abc:def", "X-Empty": ""}
    client = make(headers=parsed)
    stream_text(client)
    client.count_tokens(COUNT_BODY)
    for index in (0, 1):
        headers = sent(emulator, index)
        assert headers["x-team"] == "blue"
        assert headers["x-trace-id"] == "abc:def"
        assert headers["x-empty"] == ""


# --- auth styles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "style", "accepted"),
    [
        ("bearer", "bearer", True),
        ("bearer", "x-api-key", False),
        ("x-api-key", "x-api-key", True),
        ("x-api-key", "bearer", False),
        ("any", "bearer", True),
        ("any", "x-api-key", True),
    ],
)
def test_auth_header_styles(mode: str, style: AuthStyle, accepted: bool) -> None:
    with Emulator(auth=mode, api_key=KEY) as emu:
        options = ClientOptions(api_key=Secret(KEY), base_url=emu.url, auth_header=style)
        with Client(options, sleep=lambda _s: None) as client:
            if accepted:
                assert client.create_message(BODY)["content"][0]["text"] == "Echo: hello"
            else:
                with pytest.raises(APIStatusError) as info:
                    client.create_message(BODY)
                err = info.value
                assert (err.status_code, err.error_type) == (401, "authentication_error")
                assert err.request_id == emu.requests[0]["request_id"]
                assert_keyless(err)
            headers = emu.requests[0]["headers"]
            assert len(emu.requests) == 1  # a 401 is not retried
    if style == "bearer":
        assert headers["authorization"] == f"Bearer {KEY}"
        assert "x-api-key" not in headers
    else:
        assert headers["x-api-key"] == KEY
        assert "authorization" not in headers


def test_wrong_or_missing_key_is_a_401() -> None:
    with Emulator(api_key=KEY) as emu:
        wrong = ClientOptions(api_key=Secret("sk-test-OTHER-0000"), base_url=emu.url)
        none = ClientOptions(api_key=None, base_url=emu.url)
        for options in (wrong, none):
            with Client(options) as client, pytest.raises(APIStatusError) as info:
                client.create_message(BODY)
            assert info.value.status_code == 401
        assert "authorization" not in emu.requests[-1]["headers"]
        assert "x-api-key" not in emu.requests[-1]["headers"]


# --- base URL with a path prefix ------------------------------------------------------------


@pytest.mark.parametrize("trailing", ["", "/"])
def test_base_url_with_a_prefix(trailing: str) -> None:
    with Emulator(prefix="/anthropic", batch_delay=0.0) as emu:
        assert emu.url.endswith("/anthropic")
        options = ClientOptions(api_key=Secret(KEY), base_url=emu.url + trailing)
        with Client(options) as client:
            assert client.create_message(BODY)["content"][0]["text"] == "Echo: hello"
            assert stream_text(client) == "Echo: hello"
            assert client.count_tokens(COUNT_BODY)["input_tokens"] > 0
            models = list(client.iter_models(page_size=2))
            assert client.get_model(models[0]["id"]) == models[0]
            batch = client.create_batch([{"custom_id": "a", "params": BODY}])
            assert client.get_batch(batch["id"])["processing_status"] == "ended"
            [line] = client.iter_batch_results(batch["id"])
            assert line["result"]["message"]["content"][0]["text"] == "Echo: hello"
            assert [b["id"] for b in client.iter_batches()] == [batch["id"]]
        paths = [r["path"] for r in emu.requests]
        assert paths[:3] == ["/anthropic/v1/messages"] * 2 + ["/anthropic/v1/messages/count_tokens"]
        assert all(p.startswith("/anthropic/v1/") for p in paths)
        assert "//" not in "".join(paths)

        # Without the prefix the same server has no such route.
        bare = ClientOptions(api_key=Secret(KEY), base_url=emu.url.removesuffix("/anthropic"))
        with Client(bare) as client, pytest.raises(APIStatusError) as info:
            client.create_message(BODY)
        assert info.value.status_code == 404


# --- sampling parameters --------------------------------------------------------------------


@pytest.mark.parametrize("param", [{"temperature": 0.2}, {"top_p": 0.9}, {"top_k": 5}])
def test_sampling_params_refused_before_any_request(
    emulator: Emulator, make: Callable[..., Client], param: JSON
) -> None:
    client = make()
    name = next(iter(param))
    calls: list[Callable[[], object]] = [
        lambda: client.create_message({**BODY, **param}),
        lambda: list(client.stream_message({**BODY, **param})),
        lambda: client.count_tokens({**COUNT_BODY, **param}),
        lambda: client.create_batch([{"custom_id": "a", "params": {**BODY, **param}}]),
    ]
    for call in calls:
        with pytest.raises(RequestValidationError) as info:
            call()
        assert name in str(info.value) and "2023-06-01" in str(info.value)
    assert emulator.requests == []


def test_sampling_params_sent_under_the_legacy_version(
    emulator: Emulator, make: Callable[..., Client]
) -> None:
    client = make(api_version="2023-06-01")
    body = {**BODY, "temperature": 0.2, "top_p": 0.9, "top_k": 5}
    client.create_message(body)
    stream_text(client, body)
    client.count_tokens({**COUNT_BODY, "temperature": 0.2})
    sampled = [r["body"] for r in emulator.requests]
    assert [b.get("temperature") for b in sampled] == [0.2, 0.2, 0.2]
    assert (sampled[0]["top_p"], sampled[0]["top_k"]) == (0.9, 5)


# --- the key stays secret -------------------------------------------------------------------


def assert_keyless(exc: BaseException) -> None:
    texts = [str(exc), repr(exc), repr(vars(exc))]
    for linked in (getattr(exc, "cause", None), exc.__cause__, exc.__context__):
        if linked is not None:
            texts += [str(linked), repr(linked), repr(getattr(linked, "__dict__", {}))]
    texts.append("".join(traceback.format_exception(exc)))
    assert not [t for t in texts if KEY in t or "SECRET" in t]


def test_secret_and_options_never_show_the_key() -> None:
    secret = Secret(KEY)
    assert KEY not in repr(secret) and KEY not in str(secret) and KEY not in f"{secret}"
    assert secret.masked() == "…1234"
    assert secret.reveal() == KEY
    for auth in ("bearer", "x-api-key"):
        options = ClientOptions(api_key=secret, auth_header=auth, headers={"x-team": "blue"})
        assert KEY not in repr(options) and KEY not in str(options)
        assert "Secret('***')" in repr(options)


FAULTS: list[JSON] = [
    {"status": 401},
    {"status": 429, "error_code": "enforced_spend_limit_reached"},
    {"status": 529},
    {"status": 413},
    {"fault": "error", "after": 0, "error_type": "invalid_request_error"},
    {"fault": "error"},
    {"fault": "reset", "after": 4},
    {"fault": "truncate"},
    {"fault": "malformed", "after": 4},
    {"fault": "malformed", "after": 1},
    {"fault": "stall", "seconds": 3, "after": 4},
]


@pytest.mark.parametrize("auth", ["bearer", "x-api-key"])
def test_no_exception_carries_the_key(
    emulator: Emulator, make: Callable[..., Client], auth: str
) -> None:
    client = make(auth_header=auth, max_retries=0, timeouts=Timeouts(idle=0.3))
    caught: list[BaseException] = []
    for item in FAULTS:
        emulator.enqueue(item)
        with pytest.raises(ClaudeError) as info:
            list(client.stream_message(BODY))
        caught.append(info.value)
    emulator.enqueue({"status": 500})
    with pytest.raises(APIStatusError) as status:
        client.create_message(BODY)
    caught.append(status.value)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = make(auth_header=auth, base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(APIConnectionError) as conn:
        refused.create_message(BODY)
    caught.append(conn.value)
    assert len(caught) == len(FAULTS) + 2
    for exc in caught:
        assert_keyless(exc)
    # ...although the key really was sent, in the header the auth style names.
    header = "authorization" if auth == "bearer" else "x-api-key"
    assert KEY in sent(emulator)[header]


def test_debug_log_redacts_auth(
    emulator: Emulator, make: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="claudecli.client")
    for auth in ("bearer", "x-api-key"):
        client = make(auth_header=auth, headers={"x-team": "blue"})
        emulator.enqueue({"status": 429, "retry_after": 0.01})
        client.create_message(BODY)
        stream_text(client)
        client.count_tokens(COUNT_BODY)
    text = caplog.text
    assert KEY not in text and "SECRET" not in text
    for record in caplog.records:
        assert KEY not in record.getMessage()
    assert "<redacted>" in text
    assert '"authorization": "<redacted>"' in text and '"x-api-key": "<redacted>"' in text
    assert "POST " + emulator.url + "/v1/messages " in text
    assert "/v1/messages/count_tokens" in text
    assert "response 429" in text and "response 200" in text
    assert '"x-team": "blue"' in text  # other headers are logged as they are
    assert "retrying in" in text


def test_anthropic_log_debug_in_the_cli_redacts_auth(emulator: Emulator) -> None:
    """End to end: `ANTHROPIC_LOG=debug claudecli ask` logs the request, never the key."""
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_BASE_URL": emulator.url,
        "ANTHROPIC_LOG": "debug",
    }
    done = subprocess.run(
        [sys.executable, "-m", "claudecli", "ask", "hello"],
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert "Echo: hello" in out
    assert KEY not in out + err and "SECRET" not in out + err
    assert "<redacted>" in err and "/v1/messages" in err
    assert KEY in sent(emulator).get("x-api-key", "") + sent(emulator).get("authorization", "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.anthropic.com", True),
        ("https://127.0.0.1:8443", True),
        ("http://proxy.internal:4000/anthropic", True),
        ("http://127.0.0.1:4010", False),
        ("http://localhost:4010/anthropic", False),
        ("http://[::1]:4010", False),
    ],
)
def test_tls_context_is_skipped_only_for_plain_http_to_loopback(url: str, expected: bool) -> None:
    from claudecli.client.http import needs_tls

    assert needs_tls(url) is expected
