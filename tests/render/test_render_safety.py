"""Terminal safety: escape payloads anywhere in an answer never reach the bytes written."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from claudecli.client.events import ContentBlockStart, MessageStart, TextDelta
from claudecli.render.live import LiveRenderer
from claudecli.render.plain import PlainRenderer

from .render_helpers import FakeClock, fixed_console, message, screen_of, streamed, written
from .test_render_sanitize import PAYLOADS

MARKUP = "[link=https://evil.example]click[/link] [bold red]x[/]"
ALL = "".join(payload for _, payload, _ in PAYLOADS) + MARKUP


def hostile_message(payload: str) -> dict[str, Any]:
    """The payload in every string that reaches the screen."""
    citation = {
        "type": "web_search_result_location",
        "cited_text": payload,
        "url": f"https://x.example/{payload}",
        "title": payload,
        "encrypted_index": "e",
    }
    return message(
        {"type": "thinking", "thinking": f"think {payload} more", "signature": "s"},
        {
            "type": "text",
            "text": f"# Head {payload}\n\nPara {payload} [md link](https://md.example)\n\n```\n{payload}\n```\n",
        },
        {"type": "text", "text": f"cited {payload}", "citations": [citation]},
        {"type": "tool_use", "id": "t1", "name": f"tool{payload}", "input": {"cmd": payload}},
        {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": payload}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "s1",
            "content": [{"type": "web_search_result", "title": payload, "url": payload}],
        },
        {
            "type": "code_execution_tool_result",
            "tool_use_id": "s2",
            "content": {"return_code": 0, "stdout": payload, "stderr": payload},
        },
        {"type": f"weird{payload}"},
    )


ALLOWED_LIVE_CONTROLS = {"\x1b[?25l", "\x1b[?25h", "\x1b[2K", "\x1b[1A", "\r", "\n"}
CONTROL_OR_SEQUENCE = re.compile(
    r"\x1b\[[0-9;?]*[A-Za-z]|\x1b.?|[\x00-\x09\x0b-\x1f\x7f-\x9f]", re.S
)


def assert_clean_live(output: str) -> None:
    found = set(CONTROL_OR_SEQUENCE.findall(output))
    assert found <= ALLOWED_LIVE_CONTROLS, found - ALLOWED_LIVE_CONTROLS


def assert_clean_plain(output: str) -> None:
    assert re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", output) is None


def without_json_escapes(text: str) -> str:
    """Tool input is shown as JSON, where control characters are visible as \\u001b etc."""
    return re.sub(r'"[^"\n]*\\u00[0-9a-f]{2}[^"\n]*(?:"|$)', '""', text, flags=re.M)


CASES = [*PAYLOADS, ("all at once", ALL, "ZWNob")]


@pytest.mark.parametrize(("name", "payload", "gone"), CASES, ids=[c[0] for c in CASES])
def test_live_renderer_writes_no_foreign_escapes(name: str, payload: str, gone: str) -> None:
    console = fixed_console(1000, 300)
    err = io.StringIO()
    renderer = LiveRenderer(
        console, err, show_thinking=True, clock=FakeClock(step=0.1), citations_names={0: payload}
    )
    msg = hostile_message(payload)
    for event in streamed(msg, 3):
        renderer.on_event(event)
    renderer.on_tool_result({"tool_use_id": "t1", "content": payload, "is_error": True})
    renderer.finish(msg, usage_line=f"usage {payload}")
    assert_clean_live(written(console))
    assert_clean_plain(err.getvalue())
    screen = without_json_escapes(screen_of(console))
    if gone.isprintable() and len(gone) > 3:
        assert gone not in screen


@pytest.mark.parametrize(("name", "payload", "gone"), CASES, ids=[c[0] for c in CASES])
def test_plain_renderer_writes_only_newlines_and_tabs(name: str, payload: str, gone: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = PlainRenderer(out, err, show_thinking=True, clock=FakeClock(step=0.1))
    msg = hostile_message(payload)
    for event in streamed(msg, 3):
        renderer.on_event(event)
    renderer.finish(msg, usage_line=f"usage {payload}")
    assert_clean_plain(out.getvalue())
    assert_clean_plain(err.getvalue())
    if gone.isprintable() and len(gone) > 3:
        assert gone not in without_json_escapes(out.getvalue() + err.getvalue())


def test_markup_and_markdown_links_never_become_hyperlinks() -> None:
    console = fixed_console(200, 20)
    renderer = LiveRenderer(console, io.StringIO(), clock=FakeClock(step=0.1))
    text = f"{MARKUP} and [a link](https://evil.example/x) <https://evil.example/auto>\n"
    renderer.on_event(MessageStart({}))
    renderer.on_event(ContentBlockStart(0, {"type": "text", "text": ""}))
    renderer.on_event(TextDelta(0, text))
    renderer.finish({})
    output = written(console)
    assert "\x1b]8" not in output
    screen = screen_of(console)
    assert "[link=https://evil.example]click[/link]" in screen  # shown as text
    assert "a link (https://evil.example/x)" in screen  # the destination is visible


@pytest.mark.parametrize("cut", range(1, 14))
def test_a_sequence_split_between_deltas_does_not_leak(cut: int) -> None:
    payload = "\x1b]52;c;ZWNobyBoaQ==\x07"
    text = f"copy{payload}done\n"
    for renderer_kind in ("live", "plain"):
        console = fixed_console()
        out = io.StringIO()
        renderer: LiveRenderer | PlainRenderer
        if renderer_kind == "live":
            renderer = LiveRenderer(console, io.StringIO(), clock=FakeClock(step=0.1))
        else:
            renderer = PlainRenderer(out, io.StringIO())
        renderer.on_event(MessageStart({}))
        renderer.on_event(ContentBlockStart(0, {"type": "text", "text": ""}))
        renderer.on_event(TextDelta(0, text[: cut + 4]))
        renderer.on_event(TextDelta(0, text[cut + 4 :]))
        renderer.finish({})
        result = screen_of(console) if renderer_kind == "live" else out.getvalue()
        assert "ZWNob" not in result and "52;" not in result
        assert "copydone" in result
