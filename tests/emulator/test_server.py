"""Server lifecycle, prefix mounting, control endpoints, and `python -m claudecli.emulator`."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from typing import Any

import anthropic
import pytest

from claudecli.emulator import Emulator, ListenError, serve

from .util import call, headers, post, request


def test_url_and_lifecycle() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError):
        _ = emu.url
    emu.start()
    assert emu.url == f"http://127.0.0.1:{emu.port}" and emu.running
    with pytest.raises(RuntimeError):
        emu.start()
    emu.stop()
    emu.stop()
    assert not emu.running


def test_only_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")
    with Emulator(host="::1") as emu:
        assert emu.url.startswith("http://[::1]:")
        with anthropic.Anthropic(api_key="k", base_url=emu.url, max_retries=0) as sdk:
            assert sdk.messages.create(**request("v6")).content[0].text == "Echo: v6"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"auth": "basic"}, "auth must be one of any, bearer, x-api-key"),
        ({"port": 65536}, "port must be 0-65535"),
        ({"port": -1}, "port must be 0-65535"),
        ({"batch_delay": -5.0}, "batch_delay must be 0-86400 s"),
        ({"batch_delay": float("nan")}, "batch_delay must be 0-86400 s"),
        ({"prefix": "/a b"}, "is not a URL path"),
        ({"prefix": "/v1?x=1"}, "is not a URL path"),
    ],
)
def test_bad_config_is_rejected(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Emulator(**config)


def test_a_port_in_use_is_a_listen_error() -> None:
    expected = r"cannot listen on 127\.0\.0\.1:\d+: Address already in use"
    with Emulator() as first, pytest.raises(ListenError, match=expected) as caught:
        Emulator(port=first.port).start()
    assert caught.value.errno == errno.EADDRINUSE


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_returns_the_signal_that_stopped_it(sig: signal.Signals) -> None:
    """The signal arrives while serving (sent from on_ready): a clean stop, its number back."""
    before = signal.getsignal(sig)
    seen: list[str] = []

    def ready(url: str) -> None:
        seen.append(url)
        os.kill(os.getpid(), sig)

    assert serve(on_ready=ready) == sig
    assert seen and signal.getsignal(sig) is before


def test_prefix_mounts_every_route() -> None:
    with Emulator(prefix="/anthropic/") as emu:
        assert emu.url.endswith("/anthropic")
        with anthropic.Anthropic(api_key="k", base_url=emu.url, max_retries=0) as sdk:
            assert sdk.messages.create(**request("p")).content[0].text == "Echo: p"  # type: ignore[union-attr]
            assert len(list(sdk.models.list())) == 5
        assert post(emu, "/v1/messages", request("no prefix"))[0] == 404
        assert emu.requests[0]["path"] == "/anthropic/v1/messages"
        status, reply = post(emu, "/anthropic/_emulator/enqueue", {"text": "scripted"}, {})
        assert (status, reply) == (200, {"queued": 1})


def test_control_endpoints(emulator: Emulator, client: anthropic.Anthropic) -> None:
    items = [{"text": "one"}, {"status": 529}]
    assert post(emulator, "/_emulator/enqueue", items, {}) == (200, {"queued": 2})
    assert client.messages.create(**request("x")).content[0].text == "one"  # type: ignore[union-attr]
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(**request("x"))
    status, _, data = call(emulator, "GET", "/_emulator/requests", head={})
    recorded = json.loads(data)
    assert status == 200 and len(recorded) == 2 and "raw" not in recorded[0]
    status, reply = post(emulator, "/_emulator/enqueue", [{"bogus": 1}], {})
    assert status == 400 and "bogus" in reply["error"]["message"]
    assert post(emulator, "/_emulator/reset", {}, {}) == (200, {"reset": True})
    assert emulator.requests == []
    status, meta = post(emulator, "/_emulator/files", {"filename": "out.csv", "content": "a,b"}, {})
    assert status == 200 and meta["downloadable"] is True
    assert client.files.download(meta["id"]).read() == b"a,b"


def test_stop_closes_idle_keepalive_connections() -> None:
    before = threading.active_count()
    emu = Emulator().start()
    with anthropic.Anthropic(api_key="k", base_url=emu.url, max_retries=0) as sdk:
        for _ in range(3):
            sdk.messages.create(**request("keep-alive"))
        emu.stop()
    assert threading.active_count() <= before


def test_module_entry_point_prints_url_and_exits_143_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "claudecli.emulator", "--port", "0", "--prefix", "/x"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/x")
        with urllib.request.urlopen(urllib.request.Request(url + "/_emulator/reset", b"{}")) as r:
            assert json.load(r) == {"reset": True}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 143
    finally:
        proc.kill()
        proc.communicate()


def test_module_entry_point_requires_the_key_env() -> None:
    env = {**os.environ, "EMU_KEY": ""}
    done = subprocess.run(
        [sys.executable, "-m", "claudecli.emulator", "--api-key-env", "EMU_KEY"],
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 3 and b"EMU_KEY" in done.stderr


def test_module_entry_point_bad_values_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "claudecli.emulator", "--batch-delay", "-5"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1, done.stderr


def test_concurrent_streams(emulator: Emulator, client: anthropic.Anthropic) -> None:
    texts: dict[int, str] = {}

    def worker(n: int) -> None:
        with client.messages.stream(**request(f"n{n}\n#emu tokens=2000")) as stream:
            texts[n] = stream.get_final_text()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(texts) == 8 and len(set(texts.values())) == 1
    assert len(emulator.requests) == 8


def test_chunked_request_body(emulator: Emulator) -> None:
    payload = json.dumps(request("chunky")).encode()
    chunked = b"%X\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    head = headers() | {"transfer-encoding": "chunked"}
    status, _, data = call(emulator, "POST", "/v1/messages", chunked, head)
    assert status == 200 and json.loads(data)["content"][0]["text"] == "Echo: chunky"
