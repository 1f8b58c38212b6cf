"""Request builder: user input (prompt, stdin, attachments, options) → Messages API bodies.

Shared by `ask`, `chat` and `count-tokens`; stdlib only, plus pypdf (imported lazily, only when
a PDF is attached). All checks happen here, before any network I/O: bad input raises
`claudecli.errors.UsageError` (exit 2) or `InputError` (exit 3) with a one-line message.

Typical use::

    attachments = tuple(load_attachment(path, stdin=stdin_bytes) for path in attach)
    spec = RequestSpec(model=model, max_tokens=4096, prompt=prompt, stdin=stdin_bytes,
                       attachments=attachments)
    body = build_messages_body(spec)        # or build_count_tokens_body(spec)
    print(dry_run_json(body))               # --dry-run
"""

from __future__ import annotations

from claudecli.request.build import (
    COUNT_TOKENS_EXCLUDED,
    MAX_CACHE_BREAKPOINTS,
    RequestSpec,
    beta_header,
    build_count_tokens_body,
    build_messages_body,
    count_cache_breakpoints,
    document_titles,
    strip_cache_control,
)
from claudecli.request.dryrun import dry_run_json, redact_for_display
from claudecli.request.inputs import (
    STDIN_NAME,
    Attachment,
    AttachmentKind,
    attachment_from_bytes,
    load_attachment,
    load_schema,
    read_regular_file,
    read_stdin,
    read_text_file,
)
from claudecli.request.limits import MAX_REQUEST_BYTES, check_media, check_request_size, encode_body
from claudecli.request.options import (
    CacheMode,
    CacheTtl,
    Effort,
    Thinking,
    parse_cache_modes,
    parse_cache_ttl,
    parse_effort,
    parse_thinking,
)
from claudecli.request.sniff import Kind, sniff

__all__ = [
    "COUNT_TOKENS_EXCLUDED",
    "MAX_CACHE_BREAKPOINTS",
    "MAX_REQUEST_BYTES",
    "STDIN_NAME",
    "Attachment",
    "AttachmentKind",
    "CacheMode",
    "CacheTtl",
    "Effort",
    "Kind",
    "RequestSpec",
    "Thinking",
    "attachment_from_bytes",
    "beta_header",
    "build_count_tokens_body",
    "build_messages_body",
    "check_media",
    "check_request_size",
    "count_cache_breakpoints",
    "document_titles",
    "dry_run_json",
    "encode_body",
    "load_attachment",
    "load_schema",
    "parse_cache_modes",
    "parse_cache_ttl",
    "parse_effort",
    "parse_thinking",
    "read_regular_file",
    "read_stdin",
    "read_text_file",
    "redact_for_display",
    "sniff",
    "strip_cache_control",
]
