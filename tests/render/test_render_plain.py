"""PlainRenderer (piped stdout): exact answer text on stdout, everything else on stderr."""

from __future__ import annotations

import io
import time

from claudecli.client import RetryNotice
from claudecli.client.events import ContentBlockStart, MessageStart, TextDelta
from claudecli.render.plain import PlainRenderer
from claudecli.render.spinner import Spinner

from .render_helpers import FakeClock, assert_golden, chunked, message, streamed, text_stream
from .test_render_live import ANSWER, CITATIONS, SERVER_BLOCKS


def run(msg: dict[str, object], **kw: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    renderer = PlainRenderer(out, err, clock=FakeClock(step=0.1), **kw)  # type: ignore[arg-type]
    for event in streamed(msg, 5):
        renderer.on_event(event)
    renderer.finish(msg, usage_line="in 10 · out 20")
    return out.getvalue(), err.getvalue()


def test_stdout_is_exactly_the_answer_text() -> None:
    out, err = run(message({"type": "text", "text": ANSWER}))
    assert out == ANSWER
    assert err == "in 10 · out 20\n"


def test_a_final_newline_is_added_when_missing() -> None:
    out, _ = run(message({"type": "text", "text": "no newline"}))
    assert out == "no newline\n"


def test_thinking_goes_to_stderr_only_when_shown() -> None:
    msg = message(
        {"type": "thinking", "thinking": "reasoning here", "signature": "s"},
        {"type": "redacted_thinking", "data": "x"},
        {"type": "text", "text": "Answer."},
    )
    out, err = run(msg)
    assert out == "Answer.\n"
    assert "reasoning" not in err
    out, err = run(msg, show_thinking=True)
    assert out == "Answer.\n"
    assert err.splitlines()[:4] == [
        "[thinking]",
        "reasoning here",
        "[thought for 0.1 s · ~4 tokens]",
        "[redacted thinking]",
    ]


def test_tools_and_server_tools_are_summarised_on_stderr() -> None:
    tool = {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}}
    msg = message(
        {"type": "text", "text": "Checking."},
        tool,
        *SERVER_BLOCKS,
        {"type": "text", "text": "Done."},
    )
    out, err = run(msg)
    assert out == "Checking.\n\nDone.\n"
    assert_golden("plain_stderr", err)


def test_citation_footnotes_can_go_to_stderr() -> None:
    msg = message({"type": "text", "text": "Fact.", "citations": CITATIONS[:1]})
    out, err = run(msg, citations_names={0: "report.pdf"}, footnotes_on_stdout=False)
    assert out == "Fact.\n"
    assert (
        err.splitlines()[0]
        == '[1] report.pdf p.3: "Revenue grew by 5 percent in the third quarter."'
    )


def test_citation_markers_and_footnotes_follow_the_answer_on_stdout() -> None:
    msg = message(
        {"type": "text", "text": "Fact", "citations": CITATIONS[:2]},
        {"type": "text", "text": ".\n"},
    )
    out, err = run(msg, citations_names={0: "report.pdf"})
    assert out == (
        "Fact[1][2].\n\n"
        '[1] report.pdf p.3: "Revenue grew by 5 percent in the third quarter."\n'
        '[2] document 1 chars 10–25: "plain text fact"\n'
    )
    assert err == "in 10 · out 20\n"


def test_abort_ends_the_line_and_says_why() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = PlainRenderer(out, err)
    for event in (MessageStart({}), ContentBlockStart(0, {"type": "text", "text": ""})):
        renderer.on_event(event)
    renderer.on_event(TextDelta(0, "half an ans"))
    renderer.abort("interrupted")
    assert out.getvalue() == "half an ans\n"
    assert err.getvalue() == "interrupted\n"


class FlushRecorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def test_every_delta_is_out_before_the_caller_waits() -> None:
    """The stream calls flush() before each network read: no delta waits on later bytes."""
    out = FlushRecorder()
    renderer = PlainRenderer(out, io.StringIO())
    events = text_stream(["one ", "two ", "three"])
    for event in events:
        renderer.on_event(event)
        renderer.flush()  # as MessageStream.on_wait does before it reads again
    assert "one " in out.flushed and "one two " in out.flushed
    assert out.flushed[-1] == "one two three"


def test_deltas_of_one_network_chunk_share_one_flush() -> None:
    out = FlushRecorder()
    renderer = PlainRenderer(out, io.StringIO())
    for event in text_stream(["one ", "two ", "three"]):
        renderer.on_event(event)
    assert out.flushed == []
    renderer.flush()
    assert out.flushed == ["one two three"]


def test_finish_and_abort_flush() -> None:
    out = FlushRecorder()
    renderer = PlainRenderer(out, io.StringIO())
    for event in text_stream(["partial"]):
        renderer.on_event(event)
    renderer.abort("")
    assert out.flushed and out.flushed[-1] == "partial\n"


def test_spinner_is_cleared_before_the_first_token() -> None:
    err = io.StringIO()
    clock = FakeClock()
    spinner = Spinner(err, clock=clock, animate=False)
    out = io.StringIO()
    renderer = PlainRenderer(out, err, clock=clock, spinner=spinner)
    renderer.start()
    clock.advance(0.5)
    spinner.tick()
    renderer.on_retry(RetryNotice("overloaded", 2.0, 1, 3))
    for event in text_stream(["Hi"]):
        renderer.on_event(event)
    renderer.finish({})
    assert err.getvalue() == (
        "\r| waiting · 0.0 s\x1b[K"
        "\r/ waiting · 0.5 s\x1b[K"
        "\r\x1b[Kclaudecli: overloaded, retrying in 2.0 s (1/3)\n"
        "\r/ waiting · 0.5 s\x1b[K"
        "\r\x1b[K"
    )
    assert out.getvalue() == "Hi\n"


def test_a_hundred_thousand_tokens_cost_well_under_a_second() -> None:
    deltas = chunked("word " * 100_000, 5)
    out = io.StringIO()
    renderer = PlainRenderer(out, io.StringIO())
    start = time.process_time()
    for event in text_stream(deltas):
        renderer.on_event(event)
    renderer.finish({})
    assert time.process_time() - start < 1.0
    assert len(out.getvalue()) == 500_001  # plus the final newline


def test_abort_on_a_closed_pipe_does_not_raise_a_second_error() -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    renderer = PlainRenderer(ClosedPipe(), err)
    renderer.on_event(MessageStart({}))
    renderer.on_event(ContentBlockStart(0, {"type": "text", "text": ""}))
    try:
        renderer.on_event(TextDelta(0, "text"))
    except BrokenPipeError:
        renderer.abort("broken pipe")
    assert err.getvalue() == "broken pipe\n"
