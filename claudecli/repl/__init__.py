"""The chat prompt: the only package that imports prompt_toolkit.

    prompt = ChatPrompt(history=store, commands=[...], toolbar=lambda: "…", models=lambda: [...])
    text = prompt.read()          # str, or None when the user leaves (Ctrl-D, Ctrl-C twice)

Enter sends, Alt-Enter / Esc Enter (and Ctrl-J) insert a newline, a bracketed paste never sends,
and a line holding only `\"\"\"` opens a block that Enter continues until the closing `\"\"\"`.
Input history (up-arrow, Ctrl-R) is the conversation store's; slash commands complete with Tab.
Answers are drawn between prompts by the caller (no full-screen app, no patch_stdout).
Also: `edit_text()` ($EDITOR) and `copy_text()` (the system clipboard tool).
"""

from __future__ import annotations

from .prompt import ChatPrompt, PromptQuit
from .tools import ClipboardMissing, copy_text, edit_text, flush_typeahead

__all__ = [
    "ChatPrompt",
    "ClipboardMissing",
    "PromptQuit",
    "copy_text",
    "edit_text",
    "flush_typeahead",
]
