"""(b) Every recorded stream, through our decoder and accumulator, equals the SDK's result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from claudecli.client.accumulate import accumulate
from claudecli.client.events import Ping, parse_event
from claudecli.client.sse import iter_sse
from tests import fixture_paths
from tests.sdk_oracle import normalise, sdk_final_from_bytes

FIXTURES = fixture_paths.STREAMS
STREAMS = fixture_paths.stream_files()


def ours(chunks: Iterator[bytes]) -> dict:
    import json

    events = [parse_event(e.event, json.loads(e.data)) for e in iter_sse(chunks) if e.data]
    return normalise(accumulate(events))


def bytewise(data: bytes) -> Iterator[bytes]:
    return (data[i : i + 1] for i in range(len(data)))


def test_fixtures_are_present() -> None:
    assert len(STREAMS) == 6, f"expected the six shared fixtures in {FIXTURES}"


@pytest.mark.skipif(
    not fixture_paths.SHARED_STREAMS.is_dir(), reason="../shared is not beside this checkout"
)
def test_bundled_streams_match_shared() -> None:
    shared = sorted(fixture_paths.SHARED_STREAMS.glob("*.sse"))
    assert [p.name for p in shared] == [p.name for p in STREAMS]
    for ours, theirs in zip(STREAMS, shared, strict=True):
        assert ours.read_bytes() == theirs.read_bytes(), ours.name


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.stem)
def test_whole_stream_matches_sdk(path: Path) -> None:
    data = path.read_bytes()
    assert ours(iter([data])) == sdk_final_from_bytes(data)


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.stem)
def test_one_byte_at_a_time_matches_sdk(path: Path) -> None:
    data = path.read_bytes()
    assert ours(bytewise(data)) == sdk_final_from_bytes(data, chunk=1)


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.stem)
def test_crlf_and_cr_line_endings_decode_identically(path: Path) -> None:
    data = path.read_bytes()
    expected = ours(iter([data]))
    assert ours(bytewise(data.replace(b"\n", b"\r\n"))) == expected
    assert ours(bytewise(data.replace(b"\n", b"\r"))) == expected


def test_expected_values_from_fixture_readme() -> None:
    got = {p.name[:2]: ours(iter([p.read_bytes()])) for p in STREAMS}
    assert got["01"]["content"] == [{"type": "text", "text": "Hello there!"}]
    assert got["02"]["content"][1]["input"] == {"location": "Paris"}
    assert got["04"]["stop_details"]["category"] == "cyber"
    assert got["06"]["content"][0]["type"] == "thinking"
    assert len(got["06"]["content"][0]["signature"]) == 68
    assert [b["type"] for b in got["08"]["content"]] == [
        "server_tool_use",
        "tool_use",
        "web_search_tool_result",
        "code_execution_tool_result",
    ]
    assert "stop_details" not in got["09"]  # set to null by message_delta, dropped by normalise
    assert got["02"]["usage"]["output_tokens"] == 65


def test_ping_events_are_decoded_but_carry_nothing() -> None:
    data = (FIXTURES / "01-text-basic.sse").read_bytes()
    import json

    kinds = [parse_event(e.event, json.loads(e.data)) for e in iter_sse([data])]
    assert sum(isinstance(k, Ping) for k in kinds) == 1
