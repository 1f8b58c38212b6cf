"""Body assembly: order, thinking, prefill, output_config, cache, citations, count_tokens."""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from claudecli.errors import InputError, UsageError
from claudecli.request.build import (
    COUNT_TOKENS_EXCLUDED,
    RequestSpec,
    beta_header,
    build_count_tokens_body,
    build_messages_body,
    count_cache_breakpoints,
    document_titles,
    strip_cache_control,
)
from claudecli.request.inputs import Attachment, attachment_from_bytes
from tests.request import media

MODEL = "claude-sonnet-5-5"


def _spec(**fields: Any) -> RequestSpec:
    fields.setdefault("prompt", "What is this?")
    return RequestSpec(model=MODEL, max_tokens=4096, **fields)


def _attach(label: str, data: bytes) -> Attachment:
    return attachment_from_bytes(data, label=label)


def _user_content(body: dict[str, Any]) -> list[dict[str, Any]]:
    last_user = [m for m in body["messages"] if m["role"] == "user"][-1]
    content: list[dict[str, Any]] = last_user["content"]
    return content


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- basics and order -----------------------------------------------------------------------


def test_minimal_body() -> None:
    assert build_messages_body(_spec(prompt="Hi")) == {
        "model": MODEL,
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    }


def test_order_is_stdin_then_attachments_then_prompt() -> None:
    png, pdf = media.png(2, 2), media.pdf(1)
    spec = _spec(
        stdin=b"piped text",
        attachments=(_attach("a.png", png), _attach("notes.md", b"# N\n"), _attach("r.pdf", pdf)),
        prompt="Summarise",
    )
    assert _user_content(build_messages_body(spec)) == [
        {"type": "text", "text": "piped text"},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": _b64(png)},
        },
        {"type": "text", "text": '<file name="notes.md">\n# N\n</file>'},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": _b64(pdf)},
            "title": "r.pdf",
        },
        {"type": "text", "text": "Summarise"},
    ]


@pytest.mark.parametrize(
    ("data", "block_type"),
    [(media.pdf(2), "document"), (media.jpeg(3, 3), "image"), (b"plain", "text")],
)
def test_stdin_is_sniffed(data: bytes, block_type: str) -> None:
    content = _user_content(build_messages_body(_spec(stdin=data, prompt=None)))
    assert [block["type"] for block in content] == [block_type]


def test_binary_stdin_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^stdin is binary \(not UTF-8, PDF or image\)"):
        build_messages_body(_spec(stdin=b"\x00\xff\xfe"))


@pytest.mark.parametrize(
    ("stdin", "prompt"), [(None, None), (b"", None), (b" \n", ""), (None, "  ")]
)
def test_no_input_is_a_usage_error(stdin: bytes | None, prompt: str | None) -> None:
    with pytest.raises(UsageError, match=r"^no input \(stdin empty, no prompt given\)$"):
        build_messages_body(_spec(stdin=stdin, prompt=prompt))


def test_blank_stdin_with_prompt_is_ignored() -> None:
    content = _user_content(build_messages_body(_spec(stdin=b"\n\n", prompt="Hi")))
    assert content == [{"type": "text", "text": "Hi"}]


def test_attachment_alone_is_enough() -> None:
    spec = _spec(prompt=None, attachments=(_attach("a.png", media.png()),))
    assert [b["type"] for b in _user_content(build_messages_body(spec))] == ["image"]


def test_file_header_escapes_the_name() -> None:
    spec = _spec(attachments=(attachment_from_bytes(b"x", label='a"b.md', name='a"b.md'),))
    assert (
        _user_content(build_messages_body(spec))[0]["text"]
        == '<file name="a&quot;b.md">\nx\n</file>'
    )


def test_system_file_then_system() -> None:
    body = build_messages_body(_spec(system="Be brief.", system_file="You are a poet."))
    assert body["system"] == [
        {"type": "text", "text": "You are a poet."},
        {"type": "text", "text": "Be brief."},
    ]
    assert "system" not in build_messages_body(_spec(system="  "))


def test_stop_sequences_and_key_order() -> None:
    body = build_messages_body(_spec(stop=("END", "\n\nHuman:"), system="s", effort="low"))
    assert body["stop_sequences"] == ["END", "\n\nHuman:"]
    assert list(body) == [
        "model",
        "max_tokens",
        "system",
        "messages",
        "output_config",
        "stop_sequences",
    ]


def test_blank_stop_sequence_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^--stop: a stop sequence must contain a non-whitespace"):
        build_messages_body(_spec(stop=(" ",)))


def test_empty_model_and_negative_max_tokens() -> None:
    with pytest.raises(UsageError, match=r"^--model: a model name is required$"):
        build_messages_body(replace(_spec(), model=" "))
    with pytest.raises(UsageError, match=r"^--max-tokens -1: must be 0 or more$"):
        build_messages_body(replace(_spec(), max_tokens=-1))


# --- prefill --------------------------------------------------------------------------------


def test_prefill_is_a_final_assistant_message() -> None:
    body = build_messages_body(_spec(prefill='{"answer":'))
    assert body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": '{"answer":'}],
    }
    assert body["messages"][-2]["role"] == "user"


def test_prefill_with_trailing_whitespace_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^--prefill: must not end with whitespace"):
        build_messages_body(_spec(prefill="Sure, "))


@pytest.mark.parametrize("thinking", ["adaptive", 2048])
def test_prefill_with_thinking_is_refused(thinking: Any) -> None:
    with pytest.raises(UsageError, match=r"^--prefill: cannot be used with thinking on"):
        build_messages_body(_spec(prefill="Sure", thinking=thinking))


def test_prefill_with_thinking_off_is_fine() -> None:
    body = build_messages_body(_spec(prefill="Sure", thinking="off"))
    assert body["thinking"] == {"type": "disabled"}


# --- thinking and output_config ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("thinking", "show", "expected"),
    [
        (None, False, None),
        ("off", False, {"type": "disabled"}),
        ("adaptive", False, {"type": "adaptive"}),
        ("adaptive", True, {"type": "adaptive", "display": "summarized"}),
        (None, True, {"type": "adaptive", "display": "summarized"}),
        (1024, False, {"type": "enabled", "budget_tokens": 1024}),
        (4095, True, {"type": "enabled", "budget_tokens": 4095, "display": "summarized"}),
    ],
)
def test_thinking(thinking: Any, show: bool, expected: dict[str, Any] | None) -> None:
    body = build_messages_body(_spec(thinking=thinking, show_thinking=show))
    assert body.get("thinking") == expected


@pytest.mark.parametrize(
    ("thinking", "message"),
    [
        (1023, r"^--thinking 1023: the budget must be at least 1024 tokens$"),
        (4096, r"^--thinking 4096: the budget must be less than --max-tokens \(4096\)$"),
        ("sometimes", r"^--thinking sometimes: use adaptive, off or a token budget$"),
    ],
)
def test_thinking_validation(thinking: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_messages_body(_spec(thinking=thinking))


def test_show_thinking_with_thinking_off_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^--show-thinking: thinking is off"):
        build_messages_body(_spec(thinking="off", show_thinking=True))


def test_effort_and_schema_share_output_config() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    body = build_messages_body(_spec(effort="high", schema=schema))
    assert body["output_config"] == {
        "effort": "high",
        "format": {"type": "json_schema", "schema": schema},
    }
    assert body["output_config"]["format"]["schema"] is not schema  # a copy


def test_bad_effort_and_ttl_and_mode() -> None:
    with pytest.raises(UsageError, match=r"^--effort extreme: choose one of low, medium"):
        build_messages_body(_spec(effort="extreme"))
    with pytest.raises(UsageError, match=r"^--cache-ttl 2h: choose one of 5m, 1h$"):
        build_messages_body(_spec(cache_ttl="2h"))
    with pytest.raises(UsageError, match=r"^--cache everything: choose one of"):
        build_messages_body(_spec(cache=frozenset({"everything"})))


# --- cache breakpoints ----------------------------------------------------------------------

EPHEMERAL = {"type": "ephemeral"}


def _cached_spec(*modes: str, **fields: Any) -> RequestSpec:
    fields.setdefault("system", "sys")
    fields.setdefault("attachments", (_attach("a.md", b"A"), _attach("b.png", media.png())))
    return _spec(cache=frozenset(modes), **fields)


def _marked(body: dict[str, Any]) -> list[str]:
    """Where the breakpoints are: 'system[i]' / 'user[i]' / 'top'."""
    where = [f"system[{i}]" for i, b in enumerate(body.get("system", [])) if "cache_control" in b]
    where += [f"user[{i}]" for i, b in enumerate(_user_content(body)) if "cache_control" in b]
    return where + (["top"] if "cache_control" in body else [])


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        ((), []),
        (("system",), ["system[1]"]),
        (("attachments",), ["user[1]"]),
        (("prompt",), ["user[2]"]),
        (("auto",), ["top"]),
        (
            ("system", "attachments", "prompt", "auto"),
            ["system[1]", "user[1]", "user[2]", "top"],
        ),
    ],
)
def test_cache_breakpoint_placement(modes: tuple[str, ...], expected: list[str]) -> None:
    body = build_messages_body(_cached_spec(*modes, system_file="file"))
    assert _marked(body) == expected
    for block in [*body.get("system", []), *_user_content(body)]:
        assert block.get("cache_control", EPHEMERAL) == EPHEMERAL


def test_cache_ttl_1h() -> None:
    body = build_messages_body(_cached_spec("system", "auto", cache_ttl="1h"))
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert body["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


def test_stdin_counts_as_attachment_material() -> None:
    body = build_messages_body(_spec(stdin=media.pdf(1), cache=frozenset({"attachments"})))
    assert _marked(body) == ["user[0]"]


def test_marks_on_the_same_block_count_once() -> None:
    spec = _cached_spec("attachments", "prompt", prompt=None)
    body = build_messages_body(spec)
    assert _marked(body) == ["user[1]"]


def test_cache_modes_need_something_to_mark() -> None:
    with pytest.raises(UsageError, match=r"^--cache system: there is no system prompt to cache$"):
        build_messages_body(_cached_spec("system", system=None))
    with pytest.raises(UsageError, match=r"^--cache attachments: nothing is attached"):
        build_messages_body(_cached_spec("attachments", attachments=()))


def _history(marks: int) -> list[dict[str, Any]]:
    blocks = [{"type": "text", "text": f"t{i}", "cache_control": EPHEMERAL} for i in range(marks)]
    return [
        {"role": "user", "content": [*blocks, {"type": "text", "text": "q"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
    ]


def test_four_breakpoints_are_the_cap_history_included() -> None:
    build_messages_body(_cached_spec("system", "attachments", "prompt", "auto"))
    build_messages_body(_cached_spec("system", "prompt", history=_history(2)))
    with pytest.raises(
        UsageError,
        match=r"^--cache: 5 cache breakpoints \(2 already in the conversation\); "
        r"the API allows at most 4$",
    ):
        build_messages_body(_cached_spec("system", "prompt", "auto", history=_history(2)))


def test_count_and_strip_cache_control_reach_nested_tool_results() -> None:
    history = _history(1)
    history[0]["content"].append(
        {
            "type": "tool_result",
            "tool_use_id": "t",
            "content": [{"type": "text", "text": "r", "cache_control": EPHEMERAL}],
        }
    )
    assert count_cache_breakpoints(history) == 2
    stripped = strip_cache_control(history)
    assert count_cache_breakpoints(stripped) == 0
    assert count_cache_breakpoints(history) == 2  # the input is untouched


# --- citations --------------------------------------------------------------------------------


def test_citations_turn_documents_and_text_files_citable() -> None:
    spec = _spec(
        citations=True,
        attachments=(_attach("report.pdf", media.pdf(1)), _attach("notes.md", b"# Notes\n")),
    )
    pdf_block, text_block, _prompt = _user_content(build_messages_body(spec))
    assert pdf_block["citations"] == {"enabled": True}
    assert pdf_block["title"] == "report.pdf"
    assert text_block == {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "# Notes\n"},
        "title": "notes.md",
        "citations": {"enabled": True},
    }


def test_citations_on_stdin_text_makes_a_stdin_document() -> None:
    content = _user_content(build_messages_body(_spec(citations=True, stdin=b"facts")))
    assert content[0]["type"] == "document"
    assert content[0]["title"] == "stdin"


def test_images_never_get_citations() -> None:
    spec = _spec(citations=True, attachments=(_attach("a.png", media.png()),))
    assert "citations" not in _user_content(build_messages_body(spec))[0]


def test_document_titles_count_documents_across_all_messages() -> None:
    history = [
        {"role": "user", "content": [{"type": "document", "title": "old.pdf", "source": {}}]},
        {"role": "assistant", "content": "ok"},
    ]
    spec = _spec(
        history=history,
        citations=True,
        attachments=(
            _attach("a.png", media.png()),
            _attach("new.md", b"n"),
            _attach("r.pdf", media.pdf()),
        ),
    )
    assert document_titles(build_messages_body(spec)) == {0: "old.pdf", 1: "new.md", 2: "r.pdf"}
    untitled = {"messages": [{"role": "user", "content": [{"type": "document"}]}]}
    assert document_titles(untitled) == {0: "document 1"}


# --- history ----------------------------------------------------------------------------------


def test_history_comes_first_and_is_not_mutated() -> None:
    history = _history(1)
    before = copy.deepcopy(history)
    body = build_messages_body(_spec(history=history, prompt="next", cache=frozenset({"prompt"})))
    assert body["messages"][:2] == before
    assert body["messages"][2] == {
        "role": "user",
        "content": [{"type": "text", "text": "next", "cache_control": EPHEMERAL}],
    }
    body["messages"][0]["content"].clear()
    assert history == before


def test_history_images_count_toward_the_request_limits() -> None:
    image = {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": _b64(media.png(2001, 10, pixels=False)),
        },
    }
    history = [{"role": "user", "content": [image] * 20}, {"role": "assistant", "content": "ok"}]
    build_messages_body(_spec(history=history))  # 20 images: 2001 px is fine
    with pytest.raises(
        InputError,
        match=r"^image 1 of message 1: image is 2001×10 px; the limit is 2000 px a side when",
    ):
        build_messages_body(_spec(history=history, attachments=(_attach("one.png", media.png()),)))


def test_history_pdf_pages_count_and_url_images_count() -> None:
    pdf = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": _b64(media.pdf(60))},
    }
    url = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    history = [{"role": "user", "content": [pdf, url]}, {"role": "assistant", "content": "ok"}]
    with pytest.raises(
        InputError,
        match=r"^new\.pdf: the PDFs in this request have 110 pages in all "
        r"\(document 1 of message 1: 60, new\.pdf: 50\)",
    ):
        build_messages_body(
            _spec(history=history, attachments=(_attach("new.pdf", media.pdf(50)),))
        )


def test_unmeasurable_history_media_does_not_lock_the_conversation() -> None:
    broken = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "!!!"},
    }
    history = [{"role": "user", "content": [broken]}, {"role": "assistant", "content": "ok"}]
    build_messages_body(_spec(history=history))


# --- count_tokens, size, betas ----------------------------------------------------------------


def test_count_tokens_body_is_the_messages_body_minus_excluded_fields() -> None:
    spec = _cached_spec(
        "system",
        "prompt",
        "auto",
        stdin=media.pdf(1),
        prefill="{",
        stop=("END",),
        effort="max",
        schema={"type": "object"},
        citations=True,
        thinking="off",
    )
    messages_body = build_messages_body(spec)
    count_body = build_count_tokens_body(spec)
    expected = {k: v for k, v in messages_body.items() if k not in COUNT_TOKENS_EXCLUDED}
    assert count_body == expected
    assert set(messages_body) - set(count_body) == {"max_tokens", "stop_sequences"}
    assert json.dumps(count_body)  # plain JSON


def test_request_size_is_checked_on_the_final_body() -> None:
    big = _attach("dump.log", b"x" * (32 * 1024 * 1024))
    with pytest.raises(
        InputError,
        match=r"^request is 32\.1 MB; the limit is 32 MB \(largest part: dump\.log, 32 MB\)$",
    ):
        build_messages_body(_spec(attachments=(big,)))
    with pytest.raises(InputError, match=r"^request is 32\.1 MB"):
        build_count_tokens_body(_spec(attachments=(big,)))


def test_beta_header() -> None:
    assert beta_header(_spec()) is None
    spec = _spec(
        betas=("files-api-2025-04-14", " context-management-2025-06-27", "files-api-2025-04-14")
    )
    assert beta_header(spec) == "files-api-2025-04-14,context-management-2025-06-27"
    with pytest.raises(UsageError, match=r"^--beta 'a,b': not a beta name$"):
        beta_header(_spec(betas=("a,b",)))


def test_body_never_carries_betas_or_credentials() -> None:
    text = json.dumps(build_messages_body(_spec(betas=("x-2025",))))
    for needle in ("x-2025", "api_key", "authorization", "x-api-key"):
        assert needle not in text.lower()


# --- text that cannot go on the wire ------------------------------------------------------------


def test_undecodable_command_line_bytes_are_a_usage_error() -> None:
    prompt = b"caf\xe9".decode("utf-8", "surrogateescape")  # how Python hands over bad argv
    with pytest.raises(
        UsageError, match=r"^prompt: not valid UTF-8 \(an undecodable byte at character 3\)$"
    ):
        build_messages_body(_spec(prompt=prompt))
    with pytest.raises(UsageError, match=r"^--stop: not valid UTF-8"):
        build_messages_body(_spec(stop=("ok", prompt)))


def test_unencodable_schema_is_an_input_error_not_a_crash() -> None:
    with pytest.raises(InputError, match=r"^the request holds text that is not valid UTF-8"):
        build_messages_body(_spec(schema={"description": "\udcff"}))
    with pytest.raises(InputError, match=r"^the request cannot be encoded as JSON"):
        build_messages_body(_spec(schema={"maximum": float("nan")}))


def test_no_new_turn_resends_the_history_as_is() -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "run it"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}],
        },
    ]
    body = build_messages_body(_spec(prompt=None, history=history))
    assert body["messages"] == history
    with pytest.raises(UsageError, match=r"^--cache prompt: there is no new user turn to cache$"):
        build_messages_body(_spec(prompt=None, history=history, cache=frozenset({"prompt"})))
