"""`python -m claudecli.emulator [--port N] …`: print the URL as the first stdout line, serve."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .server import serve

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m claudecli.emulator",
        description="Offline Anthropic Messages API emulator on a loopback address.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--auth", choices=("any", "bearer", "x-api-key"), default="any")
    parser.add_argument("--prefix", default="", help='mount all routes under it, e.g. "/anthropic"')
    parser.add_argument("--batch-delay", type=float, default=1.0, help="seconds until a batch ends")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="accept only the key held in this environment variable (default: any key)",
    )
    return parser


def _ready(url: str) -> None:
    print(url, flush=True)
    print(f"claudecli emulator listening on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status as `claudecli emulator serve`'s: 2 bad value, 3 no key or port, 128 + signal."""
    args = _parser().parse_args(argv)
    api_key = os.environ.get(args.api_key_env) if args.api_key_env else None
    if args.api_key_env and not api_key:
        print(f"error: environment variable {args.api_key_env} is unset or empty", file=sys.stderr)
        return 3
    try:
        signum = serve(
            args.host,
            args.port,
            api_key=api_key,
            auth=args.auth,
            prefix=args.prefix,
            batch_delay=args.batch_delay,
            on_ready=_ready,
        )
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, OSError) else 2
    return 128 + signum if signum else 0


if __name__ == "__main__":
    sys.exit(main())
