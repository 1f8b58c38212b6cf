"""make_renderer / choose_mode: TTY flags, --color, NO_COLOR, FORCE_COLOR, TERM=dumb; lazy rich."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from claudecli.render import PlainRenderer, make_renderer
from claudecli.render.core import StreamRenderer
from claudecli.render.terminal import OutputMode, choose_mode

from .render_helpers import FakeClock, chunked, message, normalize, text_stream
from .test_render_live import ANSWER, CITATIONS

SGR = re.compile(r"\x1b\[[0-9;]*m")
SGR_PARAMS = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.mark.parametrize(
    ("out_tty", "err_tty", "color", "env", "expected"),
    [
        (True, True, "auto", {}, OutputMode(True, True, True, True, True)),
        (False, True, "auto", {}, OutputMode(False, False, False, True, True)),
        (False, False, "auto", {}, OutputMode(False, False, False, False, False)),
        (True, True, "auto", {"NO_COLOR": "1"}, OutputMode(True, True, False, False, True)),
        (True, True, "auto", {"NO_COLOR": ""}, OutputMode(True, True, True, True, True)),
        (True, True, "never", {}, OutputMode(True, True, False, False, True)),
        (True, True, "auto", {"TERM": "dumb"}, OutputMode(True, False, False, False, False, False)),
        (False, False, "auto", {"FORCE_COLOR": "1"}, OutputMode(True, False, True, True, False)),
        (False, False, "auto", {"FORCE_COLOR": "0"}, OutputMode(False, False, False, False, False)),
        (False, False, "always", {"NO_COLOR": "1"}, OutputMode(True, False, True, True, False)),
        (
            True,
            True,
            "auto",
            {"NO_COLOR": "1", "FORCE_COLOR": "1"},
            OutputMode(True, True, False, False, True),
        ),
    ],
)
def test_choose_mode(
    out_tty: bool, err_tty: bool, color: str, env: dict[str, str], expected: OutputMode
) -> None:
    mode = choose_mode(stdout_isatty=out_tty, stderr_isatty=err_tty, color=color, env=env)  # type: ignore[arg-type]
    assert mode == expected


def render(
    env: dict[str, str], *, tty: bool = True, color: str = "auto", answer: str = ANSWER
) -> tuple[str, object]:
    out = io.StringIO()
    renderer = make_renderer(
        stdout=out,
        stderr=io.StringIO(),
        stdout_isatty=tty,
        stderr_isatty=False,
        color=color,  # type: ignore[arg-type]
        width=60,
        env=env,
        clock=FakeClock(step=0.1),
    )
    for event in text_stream(chunked(answer, 5)):
        renderer.on_event(event)
    renderer.finish({})
    return out.getvalue(), renderer


def test_a_terminal_gets_colour_and_a_live_region() -> None:
    output, renderer = render({"TERM": "xterm-256color"})
    assert type(renderer).__name__ == "LiveRenderer"
    assert SGR.search(output)
    assert "\x1b[1A" in output or "\x1b[2K" in output


STRUCTURE = "## Plan\n\nUse `render()` **now**, *then*.\n\n```python\nx = 1\n```\n"


def sgr_codes(output: str) -> set[int]:
    return {int(code or 0) for params in SGR_PARAMS.findall(output) for code in params.split(";")}


@pytest.mark.parametrize(
    ("env", "color"), [({"NO_COLOR": "1"}, "auto"), ({}, "never")], ids=["NO_COLOR", "never"]
)
def test_no_color_removes_colour_but_not_structure(env: dict[str, str], color: str) -> None:
    """https://no-color.org: no colour codes; bold, underline, dim and the backticks stay."""
    output, _ = render({**env, "TERM": "xterm-256color"}, color=color)
    codes = sgr_codes(output)
    assert not {c for c in codes if 30 <= c <= 49 or 90 <= c <= 107}, codes  # no colour at all
    assert {1, 2} <= codes  # bold (**linear**), dim (the code fences)
    output, _ = render({**env, "TERM": "xterm-256color"}, color=color, answer=STRUCTURE)
    plain = SGR.sub("", output)
    assert "Use `render()` now, then." in plain  # inline code is marked by its backticks
    assert "\x1b[1;4mPlan" in output  # a heading: bold and underlined
    assert "\x1b[1mnow" in output and "\x1b[3mthen" in output
    assert "```python\nx = 1\n```" in plain  # a code block between its fences


def test_term_dumb_means_no_escape_at_all() -> None:
    output, renderer = render({"TERM": "dumb"})
    assert type(renderer).__name__ == "LiveRenderer"
    assert "\x1b" not in output
    assert "\ndef render(block: str) -> None:\n" in output  # code as it is, between fences
    assert "```python\n" in output and "**" not in output  # still rendered Markdown


def test_a_pipe_gets_raw_markdown() -> None:
    output, renderer = render({}, tty=False)
    assert isinstance(renderer, PlainRenderer)
    assert output == ANSWER


def test_forced_colour_into_a_pipe_renders_without_cursor_movement() -> None:
    output, _ = render({"FORCE_COLOR": "1"}, tty=False)
    assert SGR.search(output)
    assert "\x1b[1A" not in output and "\x1b[?25l" not in output


def test_a_pipe_gets_citation_markers_and_the_sources_on_stdout() -> None:
    """Markers and footnotes on one stream, worded as on a terminal, so they can be matched."""
    out, err = io.StringIO(), io.StringIO()
    names = {0: "report\x1b]0;x\x07.pdf", 1: "notes.txt"}
    renderer = make_renderer(
        stdout=out,
        stderr=err,
        stdout_isatty=False,
        stderr_isatty=False,
        env={},
        citations_names=names,
    )
    msg = message(
        {"type": "text", "text": "Revenue grew", "citations": CITATIONS[:2]},
        {"type": "text", "text": ".\n\nAgain", "citations": [dict(CITATIONS[0])]},
        {"type": "text", "text": "."},
    )
    renderer.finish(msg)
    assert out.getvalue() == (
        "Revenue grew[1][2].\n\nAgain[1].\n\n"
        '[1] report.pdf p.3: "Revenue grew by 5 percent in the third quarter."\n'
        '[2] notes.txt chars 10–25: "plain text fact"\n'
    )
    assert err.getvalue() == ""
    tty = io.StringIO()
    live = make_renderer(
        stdout=tty,
        stderr=io.StringIO(),
        stdout_isatty=True,
        stderr_isatty=False,
        env={"TERM": "dumb"},
        width=200,
        citations_names=names,
    )
    live.finish(msg)
    assert normalize(tty.getvalue()) == normalize(out.getvalue())  # as on a terminal


def test_quiet_draws_nothing_on_stdout() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = make_renderer(
        stdout=out, stderr=err, stdout_isatty=False, stderr_isatty=False, env={}, quiet=True
    )
    assert isinstance(renderer, StreamRenderer)
    for event in text_stream(["hello"]):
        renderer.on_event(event)
    renderer.finish({}, usage_line="usage")
    assert out.getvalue() == ""
    assert err.getvalue() == "usage\n"


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_importing_the_package_and_the_pipe_path_do_not_import_rich() -> None:
    code = (
        "import io, sys\n"
        "import claudecli.render as r\n"
        "x = r.make_renderer(stdout=io.StringIO(), stderr=io.StringIO(), stdout_isatty=False,"
        " stderr_isatty=False, env={})\n"
        "x.finish({'content': [{'type': 'text', 'text': 'hi'}]})\n"
        "r.sanitize('x')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'markdown_it')))\n"
    )
    assert _run(code) == "[]"


def test_rich_markdown_is_imported_only_for_a_terminal() -> None:
    code = (
        "import io, sys\n"
        "import claudecli.render as r\n"
        "r.make_renderer(stdout=io.StringIO(), stderr=io.StringIO(), stdout_isatty=True,"
        " stderr_isatty=False, env={})\n"
        "print('rich.markdown' in sys.modules)\n"
    )
    assert _run(code) == "True"


def test_importing_the_package_loads_only_the_sanitizer() -> None:
    code = (
        "import sys\n"
        "from claudecli.render import sanitize\n"
        "import claudecli.render.sanitize\n"
        "from claudecli.render import sanitize as again\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('claudecli.render.'))\n"
        "print(callable(sanitize) and callable(again), loaded)\n"
    )
    assert _run(code) == "True ['claudecli.render.sanitize']"
