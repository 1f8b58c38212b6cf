"""The shared recorded streams, decoded by the client and drawn by both renderers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from claudecli.client.accumulate import accumulate
from claudecli.client.events import StreamEvent, parse_event
from claudecli.client.sse import iter_sse
from claudecli.render.live import LiveRenderer
from claudecli.render.plain import PlainRenderer
from tests import fixture_paths

from .render_helpers import FakeClock, assert_golden, fixed_console, screen_of

FIXTURES = fixture_paths.STREAMS
STREAMS = sorted(FIXTURES.glob("*.sse"))


def events_of(path: Path) -> list[StreamEvent]:
    decoded = iter_sse([path.read_bytes()])
    return [parse_event(sse.event, json.loads(sse.data)) for sse in decoded if sse.data]


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_live_screen_of_each_fixture(path: Path) -> None:
    console = fixed_console(60, 40)
    renderer = LiveRenderer(console, io.StringIO(), show_thinking=True, clock=FakeClock(step=0.5))
    events = events_of(path)
    for event in events:
        renderer.on_event(event)
    renderer.finish(accumulate(events))
    assert_golden(f"fixture_{path.stem}", screen_of(console))


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_plain_stdout_of_each_fixture_is_the_answer_text(path: Path) -> None:
    out = io.StringIO()
    renderer = PlainRenderer(out, io.StringIO(), show_thinking=True, clock=FakeClock())
    events = events_of(path)
    for event in events:
        renderer.on_event(event)
    message = accumulate(events)
    renderer.finish(message)
    texts = [block["text"] for block in message["content"] if block["type"] == "text"]
    expected = "\n\n".join(text for text in texts if text)
    assert out.getvalue() == (expected + "\n" if expected else "")
