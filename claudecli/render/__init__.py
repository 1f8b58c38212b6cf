"""Terminal output: the only package that imports rich (and only when a terminal needs it).

Importing this package costs almost nothing: the names below load their module on first use
(PEP 562), so `claudecli.render.sanitize` stays cheap for the fast paths. rich itself is loaded
only by `live` (when `make_renderer()` returns a `LiveRenderer`);
the pipe path (`PlainRenderer`, `sanitize`) never imports it.

    renderer = make_renderer(stdout=..., stderr=..., stdout_isatty=..., stderr_isatty=...)
    renderer.start()                            # spinner on stderr until the first token
    for event in stream: renderer.on_event(event)
    renderer.finish(message, usage_line=...)    # or renderer.abort(reason) on error / Ctrl-C
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Eager (and cheap: only `re`): the function must win over the submodule of the same name.
from .sanitize import StreamSanitizer, sanitize, visible

if TYPE_CHECKING:
    from .factory import make_renderer
    from .notices import RetryInfo
    from .plain import PlainRenderer
    from .protocol import Renderer
    from .terminal import OutputMode, choose_mode

__all__ = [
    "OutputMode",
    "PlainRenderer",
    "Renderer",
    "RetryInfo",
    "StreamSanitizer",
    "choose_mode",
    "make_renderer",
    "sanitize",
    "visible",
]

_HOME = {
    "OutputMode": "terminal",
    "PlainRenderer": "plain",
    "Renderer": "protocol",
    "RetryInfo": "notices",
    "choose_mode": "terminal",
    "make_renderer": "factory",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
