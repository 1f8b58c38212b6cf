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
"""

from __future__ import annotations

import functools
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.markdown import CodeBlock, Markdown
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


def markdown(source: str, *, code_theme: str, hyperlinks: bool = False) -> Markdown:
    """`Markdown(source, code_theme=code_theme, hyperlinks=hyperlinks)`, drawn the same."""
    template = _template(code_theme, hyperlinks)
    if template is None:
        return _Markdown(source, code_theme=code_theme, hyperlinks=hyperlinks)
    made: Markdown = _Markdown.__new__(_Markdown)
    state: dict[str, Any] = made.__dict__
    state.update(template.__dict__)
    state["markup"] = source
    state["parsed"] = _parser().parse(source)
    return made


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
