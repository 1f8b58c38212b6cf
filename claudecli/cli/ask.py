"""`claudecli ask`: one turn from arguments and/or stdin, streamed to stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded

HELP = f"""Ask Claude once; the answer streams to stdout.

The prompt comes from the arguments and/or stdin (text, a PDF or an image, sniffed by content):
`cat report.pdf | claudecli ask "summarize"`. Diagnostics go to stderr.

{EXIT_CODES_HELP}
"""


@guarded
def ask(
    ctx: typer.Context,
    prompt: o.Prompt = None,
    attach: o.Attach = None,
    system: o.System = None,
    system_file: o.SystemFile = None,
    prefill: o.Prefill = None,
    model: o.Model = None,
    max_tokens: o.MaxTokens = None,
    thinking: o.Thinking = None,
    effort: o.Effort = None,
    show_thinking: o.ShowThinking = False,
    stop: o.Stop = None,
    schema: o.Schema = None,
    cache: o.Cache = None,
    cache_ttl: o.CacheTtl = None,
    citations: o.Citations = False,
    beta: o.Beta = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the request JSON (no key) and exit.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the final Message as the API returns it.")
    ] = False,
    stream_json: Annotated[
        bool, typer.Option("--stream-json", help="Print each stream event as one JSON line.")
    ] = False,
    usage: Annotated[
        bool, typer.Option("--usage", help="Tokens and estimated cost on stderr.")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours.")] = False,
    max_retries: Annotated[
        int | None, typer.Option("--max-retries", min=0, help="Retries on transient errors.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.0, help="Total time limit in seconds.")
    ] = None,
) -> None:
    from claudecli.cli.run_ask import AskArgs, run_ask

    args = AskArgs(**{k: v for k, v in locals().items() if k not in ("ctx", "AskArgs", "run_ask")})
    run_ask(ctx.obj, args)


def register(app: typer.Typer) -> None:
    app.command("ask", help=HELP)(ask)
