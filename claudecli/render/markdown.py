"""`rich.markdown.Markdown` renderables built cheaply, one per committed block.

The live view renders every closed block as its own `Markdown` (see `live.py`): a 20,000-token
answer is about 1,000 of them. rich 15 builds a new `MarkdownIt` parser in every
`Markdown.__init__` (which costs more than parsing a block), and `Syntax` looks a code block's
pygments lexer up by name and builds a new theme for each one. `markdown()` returns a
`Markdown` that draws exactly what `Markdown(source, code_theme=..., hyperlinks=...)` draws,
without that per-block work:

* the source is parsed by **one** shared parser, configured as rich configures its own (two
  `MarkdownIt` are built per process and code theme: rich's template below, and ours);
* code blocks get their lexer and theme from a cache (per name) instead of by name.

Both rest on rich internals, so both are checked once per process before they are used. The
shared parser must give the same tokens as rich's for a probe document that uses what rich
enables and what other parser configurations parse differently, and a `Markdown` built by rich
(the template) must hold exactly the attributes we know: we copy them and replace only
`markup` and `parsed`. The code-block cache is used only if rich still maps fences to its
`CodeBlock`, whose instances hold just the lexer name and the theme name that it hands to
`Syntax` (which takes a lexer or a theme object in their place, as documented). If a check
fails, `markdown()` builds rich's own `Markdown`: slower, never different.
`tests/render/test_render_markdown.py` compares the output with rich's and bounds the number
of parsers built.

Two opt-in departures from rich, for the live view:

* `copyable_code`: a code block is drawn so that copying it from the terminal gives the code
  back: its fences (dim), then each line as it is, highlighted, never wrapped, padded or
  indented. A line wider than the terminal overflows (the terminal soft-wraps it, and joins it
  again on copy); only the caller's cropping (the live tail's) cuts it.
* `code_ticks`: inline code keeps its backticks (for a terminal without colour, where nothing
  else would tell it from prose).
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme

__all__ = ["lexer_for", "markdown", "parser_ready", "theme_for"]

# What `Markdown.__init__` stores in rich 15 (all of it, so a copy of a template is complete).
_ATTRIBUTES = frozenset(
    {
        "markup",
        "parsed",
        "code_theme",
        "justify",
        "style",
        "hyperlinks",
        "inline_code_lexer",
        "inline_code_theme",
    }
)
_TICKS = re.compile(r"`+")
# Uses what rich enables (tables, strikethrough) and what another configuration would parse
# differently (linkify, typographer replacements and quotes, HTML, breaks), so a parser that is
# not configured as rich's gives different tokens here. Small: it is parsed twice per process.
_PROBE = '~~s~~ https://x.invalid (c) "q" <b>h</b>\nb\n\n| a |\n|--:|\n| 1 |\n\n<div>d</div>\n'


def _new_parser() -> MarkdownIt:
    return MarkdownIt().enable("strikethrough").enable("table")  # as Markdown.__init__ does


@functools.cache
def _parser() -> MarkdownIt:
    return _new_parser()


@functools.lru_cache(maxsize=8)
def _template(code_theme: str, hyperlinks: bool) -> Markdown | None:
    """A `Markdown` built by rich whose state we copy, or None if rich is not as we know it."""
    try:
        template = _Markdown(_PROBE, code_theme=code_theme, hyperlinks=hyperlinks)
        ours = _parser().parse(_PROBE)
    except Exception:  # a rich or markdown-it we do not know: build every Markdown as rich does
        return None
    state = getattr(template, "__dict__", None)
    if state is None or set(state) != _ATTRIBUTES:
        return None
    if state["markup"] != _PROBE or not (
        isinstance(state["parsed"], list) and state["parsed"] == ours
    ):
        return None
    return template


def parser_ready(code_theme: str = "monokai", *, hyperlinks: bool = False) -> bool:
    """Does `markdown()` use the shared parser (rich is as we know it)?"""
    return _template(code_theme, hyperlinks) is not None


def markdown(
    source: str,
    *,
    code_theme: str,
    hyperlinks: bool = False,
    copyable_code: bool = False,
    code_ticks: bool = False,
) -> Markdown:
    """`Markdown(source, code_theme=code_theme, hyperlinks=hyperlinks)`, drawn the same.

    ... unless `copyable_code` or `code_ticks` asks for a departure (see the module docstring).
    """
    cls = _CopyableMarkdown if copyable_code else _Markdown
    made = _made(cls, source, code_theme, hyperlinks)
    if code_ticks:
        _tick_inline_code(getattr(made, "parsed", None))
    return made


def _made(cls: type[Markdown], source: str, code_theme: str, hyperlinks: bool) -> Markdown:
    template = _template(code_theme, hyperlinks)
    if template is None:
        return cls(source, code_theme=code_theme, hyperlinks=hyperlinks)
    made: Markdown = cls.__new__(cls)
    state: dict[str, Any] = made.__dict__
    state.update(template.__dict__)
    state["markup"] = source
    state["parsed"] = _parser().parse(source)
    return made


# -- inline code ---------------------------------------------------------------------------------


def ticked(code: str) -> str:
    """`code` between backticks, as Markdown writes it (a longer fence if it holds backticks)."""
    fence = "`" * (max(map(len, _TICKS.findall(code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _tick_inline_code(tokens: Any) -> None:
    for token in tokens if isinstance(tokens, list) else ():
        for child in token.children or ():
            if child.type == "code_inline":
                child.content = ticked(child.content)


# -- code blocks ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def theme_for(name: str) -> SyntaxTheme:
    """The theme `Syntax(..., theme=name)` would build, built once."""
    return Syntax.get_theme(name)


@functools.lru_cache(maxsize=64)  # the names come from the model's fences: keep it bounded
def lexer_for(name: str) -> Any:
    """The lexer `Syntax(code, name)` would use (its own look-up and options), looked up once.

    `Syntax` looks a lexer name up again (in pygments' whole registry) every time it
    highlights; given this lexer object instead it highlights the same way.
    """
    syntax = Syntax("", name, theme=theme_for("monokai"))
    return syntax.lexer or syntax.default_lexer


def _cache_code(block: CodeBlock) -> None:
    state = getattr(block, "__dict__", None)
    if (
        state is not None
        and set(state) == {"lexer_name", "theme"}
        and isinstance(state["lexer_name"], str)
        and isinstance(state["theme"], str)
    ):
        state["lexer_name"] = lexer_for(state["lexer_name"])  # `Syntax` takes a lexer or a name
        state["theme"] = theme_for(state["theme"])  # and a theme or a theme's name


class _CodeBlock(CodeBlock):
    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        _cache_code(block)
        return block


class _Markdown(Markdown):
    """rich's `Markdown`, with cached lexers and themes for code blocks (when rich allows)."""

    elements = (
        {**Markdown.elements, "fence": _CodeBlock, "code_block": _CodeBlock}
        if Markdown.elements.get("fence") is CodeBlock
        and Markdown.elements.get("code_block") is CodeBlock
        else Markdown.elements
    )


_FENCE_STYLE = Style(dim=True)


class _CopyableCode(CodeBlock):
    """A code block drawn for copying (see `copyable_code` in the module docstring)."""

    opening = "```"  # the fence lines drawn around the code
    closing = "```"

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        assert isinstance(block, _CopyableCode)
        block.opening = (token.markup or "```") + (token.info or "").strip()
        block.closing = token.markup or "```"
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        syntax = Syntax(code, lexer_for(self.lexer_name), theme=theme_for(self.theme))
        yield from _line(Segment(self.opening, _FENCE_STYLE))
        highlighted = syntax.highlight(code)
        highlighted.rstrip()  # the newline `highlight` ends with
        for line in highlighted.split("\n", allow_blank=True):
            line.expand_tabs(syntax.tab_size)
            yield from _line(*line.render(console, end=""))
        yield from _line(Segment(self.closing, _FENCE_STYLE))


def _line(*segments: Segment) -> RenderResult:
    yield from segments
    yield Segment.line()


class _CopyableMarkdown(_Markdown):
    """`_Markdown` whose code blocks are `_CopyableCode`."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **_Markdown.elements,
        "fence": _CopyableCode,
        "code_block": _CopyableCode,
    }
