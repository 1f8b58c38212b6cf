"""claudecli.render.markdown: cheap Markdown renderables that draw exactly what rich's draw."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from typing import Any

import markdown_it
import pytest
from rich.console import Console
from rich.markdown import CodeBlock, Markdown

from claudecli.render import markdown as md
from claudecli.render.blocks import BlockSplitter
from claudecli.render.live import LiveRenderer, _Lines

from .render_helpers import FakeClock, chunked, fixed_console, screen_of, text_stream

SECTION = """\
## Section {n}: notes

The renderer keeps **closed blocks** and the _live tail_; see `render_{n}()` and \
[the notes](https://example.invalid/{n}) ~~or not~~.

- First bullet of section {n} with `inline code`
- Second bullet that is a little longer so that it wraps on narrow terminals
  - A nested bullet
1. Step one
2. Step two

```python
def handler_{n}(event):
\tif event.type == "delta":
        return event.text.upper()
```

| Column | Value | Notes |
|--------|------:|:-----:|
| alpha  | {n}  | first |

> A block quote closes section {n}.

---

"""

EXTRA = """\
# A centred title

Setext heading
--------------

```
no language
```

```not-a-language-at-all x=1
unknown language
```

~~~js
const x = 1;
~~~

    indented code
    block

<div>html block</div>

Text with <kbd>Ctrl</kbd>+<kbd>C</kbd>, an image ![alt](https://example.invalid/i.png),
a hard\\
break, (c) "quotes" -- and https://example.invalid/bare.

[ref]: https://example.invalid/ref
A [ref] link.
"""


def answer(sections: int) -> str:
    return "".join(SECTION.format(n=n) for n in range(1, sections + 1)) + EXTRA


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Each test starts (and leaves) the module as a new process would have it."""
    caches: list[Any] = [md._template, md._parser, md.lexer_for, md.theme_for]
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


def ansi(renderable: Any, *, width: int = 70, color_system: Any = "truecolor") -> str:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system=color_system,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )
    console.print(renderable)
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def same_links(text: str) -> str:
    """rich gives every OSC 8 hyperlink a random id."""
    return re.sub(r"\x1b\]8;id=\d+;", "\x1b]8;id=0;", text)


def count_parsers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every `MarkdownIt()` built from now on (rich's and ours)."""
    built = [0]
    init = markdown_it.MarkdownIt.__init__

    def counting_init(self: markdown_it.MarkdownIt, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(markdown_it.MarkdownIt, "__init__", counting_init)
    return built


def test_parser_is_built_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich builds a `MarkdownIt` per `Markdown`; the live view must not, however long."""
    text = answer(25)
    splitter = BlockSplitter()
    blocks = splitter.feed(text) + splitter.close()
    assert len(blocks) >= 200
    built = count_parsers(monkeypatch)
    renderer = LiveRenderer(fixed_console(80, 24), io.StringIO(), clock=FakeClock(step=0.01))
    for event in text_stream(chunked(text, 3)):
        renderer.on_event(event)
    renderer.finish({})
    assert renderer.stats.block_renders == len(blocks)
    assert renderer.stats.tail_renders > 10
    assert built[0] <= 2  # rich's template and the shared parser, once per process


def test_the_fast_path_is_used_with_this_rich() -> None:
    assert md.parser_ready("monokai")
    made = md.markdown("# x", code_theme="monokai")
    assert isinstance(made, Markdown)
    assert set(vars(made)) == md._ATTRIBUTES
    code = Markdown.elements["fence"]
    assert code is CodeBlock  # else `_Markdown` keeps rich's elements: correct, but slower
    assert md._Markdown.elements["fence"] is not code


@pytest.mark.parametrize("color_system", ["truecolor", "256", "standard", None])
@pytest.mark.parametrize("theme", ["monokai", "ansi_dark", "no-such-theme"])
def test_draws_what_rich_draws(theme: str, color_system: str | None) -> None:
    text = answer(2)
    for hyperlinks in (False, True):
        ours = md.markdown(text, code_theme=theme, hyperlinks=hyperlinks)
        theirs = Markdown(text, code_theme=theme, hyperlinks=hyperlinks)
        assert same_links(ansi(ours, color_system=color_system)) == same_links(
            ansi(theirs, color_system=color_system)
        )


def test_every_block_draws_what_rich_draws() -> None:
    splitter = BlockSplitter()
    for block in splitter.feed(answer(1)) + splitter.close():
        for width in (20, 70):
            ours = ansi(md.markdown(block.source, code_theme="monokai"), width=width)
            assert ours == ansi(Markdown(block.source, hyperlinks=False), width=width), block


def test_a_rich_with_other_markdown_state_gets_plain_markdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    init = Markdown.__init__

    def init_with_more_state(self: Markdown, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.derived = len(self.markup)  # type: ignore[attr-defined]

    monkeypatch.setattr(Markdown, "__init__", init_with_more_state)
    assert not md.parser_ready("monokai")
    built = count_parsers(monkeypatch)
    made = md.markdown("# x\n\n`y`", code_theme="monokai")
    assert built[0] == 1  # built by rich, as rich builds it
    assert vars(made)["derived"] == len("# x\n\n`y`")
    assert ansi(made) == ansi(Markdown("# x\n\n`y`", hyperlinks=False))


def test_a_parser_configured_unlike_rich_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(md, "_new_parser", lambda: markdown_it.MarkdownIt().enable("table"))
    assert not md.parser_ready("monokai")
    text = "~~gone~~ | a |\n\n| a |\n|---|\n| 1 |"
    made = md.markdown(text, code_theme="monokai")
    assert ansi(made) == ansi(Markdown(text, hyperlinks=False))


def test_a_code_block_with_unknown_state_is_left_to_rich() -> None:
    block = md._CodeBlock("python", "monokai")
    block.extra = 1  # type: ignore[attr-defined]
    md._cache_code(block)
    assert (block.lexer_name, block.theme) == ("python", "monokai")
    known = md._CodeBlock("python", "monokai")
    md._cache_code(known)
    assert not isinstance(known.lexer_name, str)  # a lexer object, which `Syntax` accepts


def test_lexers_and_themes_are_looked_up_once() -> None:
    assert md.lexer_for("python") is md.lexer_for("python")
    assert md.lexer_for("no-such-language").name == md.lexer_for("text").name
    assert md.theme_for("monokai") is md.theme_for("monokai")


@functools.cache
def stream_answer(size: int) -> tuple[str, int]:
    """The screen after streaming `answer(3)` in `size`-character deltas, and the commit prints."""
    console = fixed_console(70, 20)
    prints = [0]
    print_ = console.print

    def counting_print(*args: Any, **kwargs: Any) -> None:
        prints[0] += any(isinstance(arg, _Lines) for arg in args)  # not Live's refreshes
        print_(*args, **kwargs)

    console.print = counting_print  # type: ignore[method-assign]
    renderer = LiveRenderer(console, io.StringIO(), clock=FakeClock(step=0.02))
    for event in text_stream(chunked(answer(3), size)):
        renderer.on_event(event)
    renderer.finish({})
    return screen_of(console), prints[0]


@pytest.mark.parametrize("size", [3, 64, 1024, 1_000_000])
def test_blocks_closed_by_one_delta_look_as_when_closed_one_by_one(size: int) -> None:
    """A delta that closes several blocks prints them together, as they would be one by one."""
    one_by_one, prints = stream_answer(1)
    splitter = BlockSplitter()
    blocks = splitter.feed(answer(3)) + splitter.close()
    assert prints == len(blocks) - 1  # one per block, but the HTML block draws nothing
    together, prints = stream_answer(size)
    assert together == one_by_one
    if size == 1_000_000:  # every block but the last closes with the one delta
        assert prints == 2
