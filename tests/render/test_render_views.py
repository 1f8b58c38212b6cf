"""views: the error line and the simple table."""

from __future__ import annotations

import io

from claudecli.render.views import error_line, print_table


def test_error_line_is_one_sanitized_line() -> None:
    err = io.StringIO()
    error_line(err, "bad\x1b]0;title\x07 thing\nsecond line")
    assert err.getvalue() == "error: bad thing second line\n"


def test_error_line_in_colour() -> None:
    err = io.StringIO()
    error_line(err, "boom", color=True, label="warning")
    assert err.getvalue() == "\x1b[1;31mwarning:\x1b[0m boom\n"


def test_table_in_a_pipe_is_tab_separated() -> None:
    out = io.StringIO()
    print_table(out, ["file", "tokens"], [["a.pdf", 1200], ["b\x1b[2J.txt", 30]], rich=False)
    assert out.getvalue() == "file\ttokens\na.pdf\t1200\nb.txt\t30\n"


def test_table_on_a_terminal_aligns_numbers_right() -> None:
    out = io.StringIO()
    print_table(out, ["file", "tokens"], [["a.pdf", "1,200"], ["b.txt", "30"]], rich=True, width=40)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert lines == ["file   tokens", "a.pdf   1,200", "b.txt      30"]
