"""claudecli performance bench: `make bench` (or `.venv/bin/python bench/run.py --help`).

Three sections, each printed as a table, then every target with its ratio and PASS/MISS (a MISS
never makes the exit status non-zero; only a broken bench does):

1. Client stream: a 100,000-token answer consumed by our client, the SDK stream helper, the SDK's
   raw events and bare httpx2, each in a fresh child process (CPU, wall, peak RSS; median of N).
2. CLI start-up and round-trip: `claudecli --version` / `--help`, `claudecli ask "hi"`, and a
   100,000-token answer to /dev/null; next to curl, the SDK in a script and `llm` (if installed).
3. Rendering: a 20,000-token Markdown answer in a pseudo-terminal (120x40) vs piped, and 2x that.

The emulator (`python -m claudecli.emulator --port 0`) runs in its own process on a free loopback
port; its CPU is never counted. Only 127.0.0.1 is contacted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import mdgen
from harness import API_KEY, MODEL, BenchError, EmulatorProcess, Sample, Stats

ROOT = Path(__file__).resolve().parent.parent
CONSUMERS = Path(__file__).resolve().parent / "consumers.py"
LLM_THROWAWAY = Path(tempfile.gettempdir()) / "claudecli-bench-llm" / "bin" / "llm"
MODES = ("ours", "sdk-helper", "sdk-raw", "httpx2")
MODE_LABEL = {
    "ours": "claudecli.client (stream_message + .message())",
    "sdk-helper": "SDK messages.stream() helper + get_final_message()",
    "sdk-raw": "SDK messages.create(stream=True) raw events",
    "httpx2": "bare httpx2 (iter_lines + json.loads per data: line)",
}
PTY_SIZE = (120, 40)
STREAM_VARIANTS = (
    ("token", "1 token/delta, 1 HTTP chunk/event"),
    ("coalesced", "1 token/delta, ~16 KiB HTTP chunks"),
    ("kib", "1 KiB/delta (#emu tokens=)"),
)
CHUNK_BYTES = {"coalesced": 16384}  # the emulator groups whole events into chunks this big


# -- results ---------------------------------------------------------------------------------


@dataclass
class Target:
    section: str
    name: str
    value: float | None
    limit: float
    unit: str
    detail: str = ""
    profile: str | None = None  # key of the scenario to profile if this is a MISS

    @property
    def status(self) -> str:
        if self.value is None:
            return "n/a"
        return "PASS" if self.value <= self.limit else "MISS"

    def line(self) -> str:
        value = "n/a" if self.value is None else _num(self.value, self.unit)
        limit = _num(self.limit, self.unit)
        detail = f"  ({self.detail})" if self.detail else ""
        return f"  [{self.status:4}] {self.name}: {value}  target <= {limit}{detail}"

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "value": None if self.value is None else round(self.value, 4),
            "limit": self.limit,
            "unit": self.unit,
            "status": self.status,
            "detail": self.detail,
        }


def _num(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.3f} {unit}"


@dataclass
class Scenario:
    """How to run one measured thing again (for --profile)."""

    argv: list[str]
    output: harness.Output
    before: Callable[[], None] | None = None


@dataclass
class Config:
    runs: int
    startup_runs: int
    stream_tokens: int
    render_tokens: int
    quick: bool
    sections: tuple[int, ...]
    profile: bool
    pyc_cache: bool
    llm: str | None
    python: str
    claudecli: str


@dataclass
class Report:
    meta: dict[str, Any] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    right = [i > 0 for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        cells = [
            str(c).rjust(w) if right[i] else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  " + "  ".join(cells).rstrip()

    rule = "  " + "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), rule, *(fmt(r) for r in rows)])


_HUMAN = sys.stdout  # becomes stderr with `--json -`, so that stdout is only the JSON


def _say(text: str = "") -> None:
    print(text, file=_HUMAN, flush=True)


def _progress(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


# -- the bench -------------------------------------------------------------------------------


class Bench:
    def __init__(self, cfg: Config, workdir: Path) -> None:
        self.cfg = cfg
        self.work = workdir
        self.report = Report()
        self.scenarios: dict[str, Scenario] = {}
        pycache = Path(tempfile.gettempdir()) / "claudecli-bench-pycache" if cfg.pyc_cache else None
        self.pycache = pycache
        self.emu: EmulatorProcess | None = None
        self.env: dict[str, str] = {}
        self._stream_files: dict[str, tuple[Path, dict[str, int]]] = {}

    # plumbing ---------------------------------------------------------------------------
    def start(self) -> None:
        boot_env = harness.child_env(base_url="", home=self.work / "home", pycache=self.pycache)
        self.emu = EmulatorProcess(self.cfg.python, env=boot_env, cwd=ROOT)
        self.emu.start()
        self.env = harness.child_env(
            base_url=self.emu.url, home=self.work / "home", pycache=self.pycache
        )

    def stop(self) -> None:
        if self.emu is not None:
            self.emu.stop()

    @property
    def e(self) -> EmulatorProcess:
        assert self.emu is not None
        return self.emu

    def queue(self, item: dict[str, Any] | None) -> Callable[[], None]:
        def before() -> None:
            self.e.reset()
            if item is not None:
                self.e.enqueue(item)

        return before

    def measure(
        self,
        key: str,
        argv: list[str],
        *,
        runs: int,
        output: harness.Output = "devnull",
        before: Callable[[], None] | None = None,
        check: Callable[[Sample], None] | None = None,
        warmup: int = 1,
    ) -> tuple[Stats, list[Sample]]:
        """Warm-up run(s) (discarded, checked), then `runs` measured runs; median stats."""
        self.scenarios[key] = Scenario(argv, output, before)
        samples: list[Sample] = []
        for i in range(warmup + runs):
            if before:
                before()
            sample = harness.spawn(argv, env=self.env, output=output, winsize=PTY_SIZE)
            sample.check(key)
            if check:
                check(sample)
            if i >= warmup:
                samples.append(sample)
        stats = harness.summarize(samples)
        self.report.results[key] = stats.as_json()
        return stats, samples

    def stream_file(self, name: str) -> tuple[Path, dict[str, int]]:
        """The recorded 100k-token stream as an `sse_file` for the emulator to replay.

        'token': 1 token (4 chars) per text delta, one HTTP chunk per event (how the emulator and
        the API frame events); 'coalesced': the same file, replayed in ~16 KiB HTTP chunks of
        whole events (`replay()`: the emulator's `chunk_bytes`, as TCP coalesces a fast stream);
        'kib': as the emulator's `#emu tokens=` directive serves it (1 KiB per delta).
        """
        if name not in self._stream_files:
            body = {
                "model": MODEL,
                "max_tokens": 128000,
                "messages": [{"role": "user", "content": f"#emu tokens={self.cfg.stream_tokens}"}],
            }
            self.e.reset()
            raw = self.e.record_stream(body)
            kib = self.work / "stream-kib.sse"
            kib.write_bytes(raw)
            self._stream_files["kib"] = (kib, harness.count_text(raw))
            rechunked, counts = harness.rechunk_sse(raw, 4)
            token = self.work / "stream-token.sse"
            token.write_bytes(rechunked)
            self._stream_files["token"] = (token, counts)
            self._stream_files["coalesced"] = (token, counts)  # replayed with chunk_bytes
            for path, c in self._stream_files.values():
                if c["output_tokens"] != self.cfg.stream_tokens:
                    raise BenchError(f"{path.name}: expected {self.cfg.stream_tokens} tokens: {c}")
        return self._stream_files[name]

    def replay(self, name: str) -> dict[str, Any]:
        """The emulator directive that replays stream `name` (see `stream_file`)."""
        path, _ = self.stream_file(name)
        return {"sse_file": str(path), "chunk_bytes": CHUNK_BYTES.get(name, 0)}

    # section 1 --------------------------------------------------------------------------
    def section1(self) -> None:
        n = self.cfg.stream_tokens
        _say(f"\n== 1. Client stream: a {n:,}-token answer, each consumer in a fresh process ==")
        _say(
            "  CPU = user+sys of the child (os.wait4), whole process incl. interpreter start;"
            " 'stream CPU' = inside the child after imports;\n"
            "  runs interleaved, warm-up discarded, median of "
            f"{self.cfg.runs}; emulator in its own process (not counted)."
        )
        have_sdk = self._has_module("anthropic")
        modes = [m for m in MODES if have_sdk or not m.startswith("sdk")]
        if not have_sdk:
            self.report.notes.append("anthropic SDK not installed in the venv: SDK rows skipped")
            _say("  (anthropic SDK not installed in the venv: SDK rows skipped)")
        # import-only footprint of each library (a floor for CPU and RSS)
        floor_rows = []
        for mode in ["python", *modes]:
            module = {
                "python": None,
                "ours": "claudecli.client.api",
                "sdk-helper": "anthropic",
                "sdk-raw": None,
                "httpx2": "httpx2",
            }[mode]
            if mode != "python" and module is None:
                continue
            code = f"import {module}" if module else "pass"
            _progress(f"import floor: {code}")
            floor, _ = self.measure(
                f"1.import.{mode}", [self.cfg.python, "-c", code], runs=self.cfg.runs
            )
            floor_rows.append([code, f"{floor.cpu:.3f}", f"{floor.rss_mb:.1f}"])
        for variant, label in STREAM_VARIANTS:
            _, counts = self.stream_file(variant)
            samples: dict[str, list[Sample]] = {m: [] for m in modes}
            inner: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
            for mode in modes:  # warm-up: bytecode cache and page cache
                self._consume(mode, variant, counts)
            for run in range(self.cfg.runs):
                for mode in modes:
                    _progress(f"{variant}: {mode} run {run + 1}/{self.cfg.runs}")
                    sample, child = self._consume(mode, variant, counts)
                    samples[mode].append(sample)
                    inner[mode].append(child)
            rows = []
            stats: dict[str, Stats] = {}
            for mode in modes:
                st = harness.summarize(
                    samples[mode],
                    stream_cpu=_median([c["stream_cpu"] for c in inner[mode]]),
                    startup_cpu=_median([c["startup_cpu"] for c in inner[mode]]),
                    events=inner[mode][0]["events"],
                )
                stats[mode] = st
                key = f"1.stream.{variant}.{mode}"
                self.report.results[key] = st.as_json()
                self.scenarios[key] = Scenario(
                    [self.cfg.python, str(CONSUMERS), mode, self.e.url],
                    "pipe",
                    self.queue(self.replay(variant)),
                )
                rows.append(
                    [
                        MODE_LABEL[mode],
                        f"{st.cpu:.3f}",
                        f"{st.extra['stream_cpu']:.3f}",
                        f"{st.extra['startup_cpu']:.3f}",
                        f"{st.wall:.3f}",
                        f"{st.rss_mb:.1f}",
                    ]
                )
            _say(
                f"\n  [{label}: {counts['text_deltas']:,} text deltas, "
                f"{counts['events']:,} events, {counts['text_chars']:,} chars]"
            )
            _say(
                _table(
                    ["consumer", "CPU s", "stream CPU s", "start CPU s", "wall s", "peak RSS MB"],
                    rows,
                )
            )
            self._section1_targets(variant, label, stats)
        _say("\n  import floor (python -c 'import X'), median:")
        _say(_table(["code", "CPU s", "peak RSS MB"], floor_rows))

    def _section1_targets(self, variant: str, label: str, stats: dict[str, Stats]) -> None:
        ours = stats["ours"]
        key = f"1.stream.{variant}.ours"
        tag = f"[{label}]"
        bare = stats.get("httpx2")
        helper = stats.get("sdk-helper")
        self.report.targets.append(
            Target(
                "1",
                f"our CPU / bare httpx2 CPU {tag}",
                ours.cpu / bare.cpu if bare else None,
                2.0,
                "x",
                f"{ours.cpu:.3f} s vs {bare.cpu:.3f} s" if bare else "",
                key,
            )
        )
        self.report.targets.append(
            Target(
                "1",
                f"our CPU / SDK helper CPU {tag}",
                ours.cpu / helper.cpu if helper else None,
                0.10,
                "x",
                f"{ours.cpu:.3f} s vs {helper.cpu:.3f} s = 1/{helper.cpu / ours.cpu:.1f}"
                if helper
                else "SDK not installed",
                key,
            )
        )
        self.report.targets.append(
            Target("1", f"our peak RSS {tag}", ours.rss_mb, 40.0, "MB", "", key + ".rss")
        )

    def _consume(
        self, mode: str, variant: str, counts: dict[str, int]
    ) -> tuple[Sample, dict[str, Any]]:
        self.queue(self.replay(variant))()
        argv = [self.cfg.python, str(CONSUMERS), mode, self.e.url]
        sample = harness.spawn(argv, env=self.env, output="pipe").check(f"consumer {mode}")
        child = json.loads(sample.stdout.decode().strip().splitlines()[-1])
        if child["text_chars"] != counts["text_chars"]:
            raise BenchError(f"consumer {mode}: got {child['text_chars']} chars, expected {counts}")
        return sample, child

    # section 2 --------------------------------------------------------------------------
    def section2(self) -> None:
        runs_s = self.cfg.startup_runs
        n = self.cfg.stream_tokens
        _say("\n== 2. CLI start-up and round-trip (fresh process each run) ==")
        _say(
            f"  wall = fork to reap (taken by bench/launcher.py); median of {runs_s} "
            f"(start-up, 'hi') / {self.cfg.runs} ({n:,} tokens), one warm-up discarded;"
            " stdout -> /dev/null."
        )
        cc = self.cfg.claudecli
        py = self.cfg.python
        llm = self._llm()
        curl = shutil.which("curl")
        have_sdk = self._has_module("anthropic")
        hi_body = self.work / "hi.json"
        hi_body.write_text(json.dumps(_body("hi", 1024)))
        long_body = self.work / "long.json"
        long_body.write_text(json.dumps(_body(f"#emu tokens={n}", 128000)))

        rows: list[list[str]] = []

        def row(key: str, label: str, argv: list[str] | None, runs: int, **kw: Any) -> Stats | None:
            why = kw.pop("why", "not installed")
            if argv is None:
                rows.append([label, "-", "-", "-", "-", why])
                self.report.results[key] = {"skipped": True}
                return None
            _progress(label)
            stats, _ = self.measure(key, argv, runs=runs, **kw)
            rows.append(
                [
                    label,
                    f"{stats.wall:.3f}",
                    f"{stats.wall_min:.3f}",
                    f"{stats.cpu:.3f}",
                    f"{stats.rss_mb:.1f}",
                    "",
                ]
            )
            return stats

        reset = self.queue(None)
        row("2.start.python", "python -c pass (interpreter floor)", [py, "-c", "pass"], runs_s)
        version = row("2.start.version", "claudecli --version", [cc, "--version"], runs_s)
        helpv = row("2.start.help", "claudecli --help", [cc, "--help"], runs_s)
        row("2.start.llm", "llm --version", [llm, "--version"] if llm else None, runs_s)
        ask_hi = row(
            "2.hi.claudecli", 'claudecli ask "hi"', [cc, "ask", "hi"], runs_s, before=reset
        )
        row("2.hi.curl", "curl -s POST (stream)", _curl(curl, self.e.url, hi_body), runs_s)
        sdk_hi = _SDK_HI if have_sdk else None
        row("2.hi.sdk", "python -c 'import anthropic; create()'", _py(py, sdk_hi), runs_s)
        llm_hi = [llm, "-n", "-m", f"anthropic/{MODEL}", "hi"] if llm else None
        row("2.hi.llm", 'llm -m anthropic/... "hi"', llm_hi, runs_s, why=self._llm_why())

        long_cmd = [cc, "ask", "--max-tokens", "128000", f"#emu tokens={n}"]

        big = row(
            "2.long.claudecli",
            f"claudecli ask '#emu tokens={n}' (1 KiB deltas)",
            long_cmd,
            self.cfg.runs,
            before=reset,
        )
        big_token = row(
            "2.long.claudecli.token",
            "  same, 1 token/delta, 1 HTTP chunk/event",
            [cc, "ask", "--max-tokens", "128000", "long answer"],
            self.cfg.runs,
            before=self.queue(self.replay("token")),
        )
        big_coalesced = row(
            "2.long.claudecli.coalesced",
            "  same, 1 token/delta, ~16 KiB HTTP chunks",
            [cc, "ask", "--max-tokens", "128000", "long answer"],
            self.cfg.runs,
            before=self.queue(self.replay("coalesced")),
        )
        row(
            "2.long.curl",
            f"curl -s POST tokens={n}",
            _curl(curl, self.e.url, long_body),
            self.cfg.runs,
        )
        sdk_long = _SDK_LONG.replace("TOKENS", str(n)) if have_sdk else None
        row("2.long.sdk", "python SDK stream helper -> stdout", _py(py, sdk_long), self.cfg.runs)
        llm_long = (
            [
                llm,
                "-n",
                "-m",
                f"anthropic/{MODEL}",
                "-o",
                "max_tokens",
                "128000",
                f"#emu tokens={n}",
            ]
            if llm
            else None
        )
        row(
            "2.long.llm", f"llm ... '#emu tokens={n}'", llm_long, self.cfg.runs, why=self._llm_why()
        )
        _say(_table(["command", "wall s", "min wall s", "CPU s", "peak RSS MB", "note"], rows))

        t = self.report.targets
        if version:
            t.append(
                Target(
                    "2",
                    "claudecli --version median wall",
                    version.wall,
                    0.06,
                    "s",
                    "",
                    "2.start.version",
                )
            )
        if helpv:
            t.append(
                Target(
                    "2", "claudecli --help median wall", helpv.wall, 0.15, "s", "", "2.start.help"
                )
            )
        if ask_hi:
            t.append(
                Target(
                    "2",
                    'claudecli ask "hi" median wall',
                    ask_hi.wall,
                    0.25,
                    "s",
                    "",
                    "2.hi.claudecli",
                )
            )
            t.append(
                Target(
                    "2",
                    'claudecli ask "hi" peak RSS',
                    ask_hi.rss_mb,
                    50.0,
                    "MB",
                    "",
                    "2.hi.claudecli.rss",
                )
            )
        if big:
            t.append(
                Target(
                    "2",
                    f"claudecli ask tokens={n} total CPU [1 KiB/delta (#emu tokens=)]",
                    big.cpu,
                    1.0,
                    "s",
                    "",
                    "2.long.claudecli",
                )
            )
        if big_token:
            t.append(
                Target(
                    "2",
                    f"claudecli ask tokens={n} total CPU [1 token/delta, 1 HTTP chunk/event]",
                    big_token.cpu,
                    1.0,
                    "s",
                    "",
                    "2.long.claudecli.token",
                )
            )
        if big_coalesced:
            t.append(
                Target(
                    "2",
                    f"claudecli ask tokens={n} total CPU [1 token/delta, ~16 KiB HTTP chunks]",
                    big_coalesced.cpu,
                    1.0,
                    "s",
                    "",
                    "2.long.claudecli.coalesced",
                )
            )

    # section 3 --------------------------------------------------------------------------
    def section3(self) -> None:
        n = self.cfg.render_tokens
        _say(
            f"\n== 3. Rendering: a {n:,}-token Markdown answer (and 2x) in a pty "
            f"{PTY_SIZE[0]}x{PTY_SIZE[1]} vs piped =="
        )
        answers = {"1x": mdgen.markdown_answer(n), "2x": mdgen.markdown_answer(n, 2)}
        _say(
            "  answer: headings, paragraphs with bold/italic/inline code/links, bullet and nested"
            " lists, numbered lists, fenced code, tables, block quotes"
        )
        _say(
            f"  sizes: 1x {len(answers['1x']):,} chars (~{len(answers['1x']) // 4:,} tokens),"
            f" 2x {len(answers['2x']):,} chars; pty = `claudecli ask` under pty.fork() with"
            " TERM=xterm-256color, master drained; pipe = stdout to a drained pipe."
        )
        files: dict[tuple[str, str], Path] = {}
        for size, text in answers.items():
            self.e.reset()
            self.e.enqueue({"text": text})
            raw = self.e.record_stream(_body("render", 128000))
            got = harness.count_text(raw)
            if got["text_chars"] != len(text):
                raise BenchError(f"emulator returned {got['text_chars']} chars, sent {len(text)}")
            files[(size, "kib")] = self.work / f"render-{size}-kib.sse"
            files[(size, "kib")].write_bytes(raw)
            token, _ = harness.rechunk_sse(raw, 4)
            files[(size, "token")] = self.work / f"render-{size}-token.sse"
            files[(size, "token")].write_bytes(token)
        argv = [self.cfg.claudecli, "ask", "--max-tokens", "128000", "render the answer"]
        stats: dict[tuple[str, str, str], Stats] = {}
        rows = []
        outputs: tuple[harness.Output, ...] = ("pty", "pipe")
        for mode in outputs:
            _progress(f"baseline 'hi' {mode}")
            base, _ = self.measure(
                f"3.hi.{mode}",
                [self.cfg.claudecli, "ask", "hi"],
                runs=self.cfg.runs,
                output=mode,
                before=self.queue(None),
            )
            stats[("hi", "-", mode)] = base
            rows.append(
                [
                    'ask "hi" (start-up baseline)',
                    mode,
                    f"{base.cpu:.3f}",
                    f"{base.wall:.3f}",
                    f"{base.rss_mb:.1f}",
                    f"{base.out_bytes:,}",
                ]
            )
        for chunking, label in (("token", "1 token/delta"), ("kib", "1 KiB/delta")):
            for size in ("1x", "2x"):
                for mode in outputs:
                    key = f"3.render.{chunking}.{size}.{mode}"
                    _progress(key)
                    st, _ = self.measure(
                        key,
                        argv,
                        runs=self.cfg.runs,
                        output=mode,
                        before=self.queue({"sse_file": str(files[(size, chunking)])}),
                    )
                    stats[(chunking, size, mode)] = st
                    rows.append(
                        [
                            f"{size} answer, {label}",
                            mode,
                            f"{st.cpu:.3f}",
                            f"{st.wall:.3f}",
                            f"{st.rss_mb:.1f}",
                            f"{st.out_bytes:,}",
                        ]
                    )
        _say(_table(["answer", "output", "CPU s", "wall s", "peak RSS MB", "bytes out"], rows))
        base_pty = stats[("hi", "-", "pty")].cpu
        base_pipe = stats[("hi", "-", "pipe")].cpu
        for chunking, label in (("token", "1 token/delta"), ("kib", "1 KiB/delta")):
            p1 = stats[(chunking, "1x", "pty")].cpu
            q1 = stats[(chunking, "1x", "pipe")].cpu
            p2 = stats[(chunking, "2x", "pty")].cpu
            net = _net_ratio(p1 - base_pty, q1 - base_pipe)
            net2 = _net_ratio(p2 - base_pty, p1 - base_pty)
            self.report.targets.append(
                Target(
                    "3",
                    f"pty CPU / piped CPU, 1x [{label}]",
                    p1 / q1,
                    2.0,
                    "x",
                    f"{p1:.3f} s vs {q1:.3f} s; net of 'hi' start-up {net}",
                    f"3.render.{chunking}.1x.pty",
                )
            )
            self.report.targets.append(
                Target(
                    "3",
                    f"pty CPU 2x answer / 1x answer [{label}]",
                    p2 / p1,
                    2.2,
                    "x",
                    f"{p2:.3f} s vs {p1:.3f} s; net of 'hi' start-up {net2}",
                    f"3.render.{chunking}.2x.pty",
                )
            )

    # helpers ----------------------------------------------------------------------------
    def _has_module(self, name: str) -> bool:
        code = (
            f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) else 1)"
        )
        return (
            subprocess.run([self.cfg.python, "-c", code], env=self.env, check=False).returncode == 0
        )

    def _llm(self) -> str | None:
        if not hasattr(self, "_llm_path"):
            path = harness.which_or_none(self.cfg.llm) or shutil.which("llm")
            path = path or harness.which_or_none(str(LLM_THROWAWAY))
            self._llm_path: str | None = path
            self._llm_note = "not installed"
            if path:
                out = subprocess.run(
                    [path, "plugins"], env=self.env, capture_output=True, check=False
                )
                if b"llm-anthropic" not in out.stdout:
                    self._llm_path, self._llm_note = None, "llm without llm-anthropic"
        return self._llm_path

    def _llm_why(self) -> str:
        self._llm()
        return self._llm_note

    def profile(self) -> None:
        missed = [t for t in self.report.targets if t.status == "MISS" and t.profile]
        if not missed:
            return
        _say("\n== Profiles of the missed targets (cProfile / -X importtime / tracemalloc) ==")
        done: set[str] = set()
        for target in missed:
            key = target.profile or ""
            if key in done:
                continue
            done.add(key)
            if key.endswith(".rss"):
                self._memory_profile(key.removesuffix(".rss"))
                continue
            scenario = self.scenarios.get(key)
            if scenario is None:
                continue
            out = self.work / f"{key}.prof"
            argv = self._profiled_argv(scenario.argv, out)
            if argv is None:
                continue
            _progress(f"profiling {key}")
            if scenario.before:
                scenario.before()
            harness.spawn(argv, env=self.env, output=scenario.output, winsize=PTY_SIZE)
            if not out.exists():
                _say(f"  {key}: no profile written")
                continue
            text = _pstats_text(out)
            if key.startswith(("2.start", "2.hi")):
                text += "\n" + self._importtime(scenario)
            self.report.profiles[key] = text
            _say(f"\n  -- {key}: {target.name}\n{text}")

    def _importtime(self, scenario: Scenario) -> str:
        argv = scenario.argv
        if argv[0] != self.cfg.claudecli:
            return ""
        timed = [self.cfg.python, "-X", "importtime", "-m", "claudecli", *argv[1:]]
        if scenario.before:
            scenario.before()
        sample = harness.spawn(timed, env=self.env, output="pipe", keep_output=True)
        return _importtime_text(sample.stderr.decode(errors="replace"))

    def _profiled_argv(self, argv: list[str], out: Path) -> list[str] | None:
        prof = [self.cfg.python, "-m", "cProfile", "-o", str(out)]
        if argv[0] == self.cfg.claudecli:
            return [*prof, "-m", "claudecli", *argv[1:]]
        if argv[0] == self.cfg.python and len(argv) > 1 and argv[1].endswith(".py"):
            return [*prof, *argv[1:]]
        return None

    def _memory_profile(self, key: str) -> None:
        """Peak RSS misses: where the memory is (tracemalloc top allocation sites at the peak)."""
        scenario = self.scenarios.get(key)
        if scenario is None:
            return
        argv = list(scenario.argv)
        if argv[0] == self.cfg.claudecli:
            argv = [self.cfg.python, "-X", "tracemalloc=8", "-m", "claudecli", *argv[1:]]
        elif argv[0] == self.cfg.python:
            argv = [self.cfg.python, "-X", "tracemalloc=8", *argv[1:]]
        out = self.work / f"{key}.mem.txt"
        hook = self.work / "memhook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(_MEM_HOOK.replace("OUT", repr(str(out))))
        env = {**self.env, "PYTHONPATH": str(hook)}
        if scenario.before:
            scenario.before()
        _progress(f"memory profile {key}")
        harness.spawn(argv, env=env, output=scenario.output, winsize=PTY_SIZE)
        if out.exists():
            text = out.read_text()
            self.report.profiles[key + ".rss"] = text
            _say(f"\n  -- {key}: peak RSS (tracemalloc, at exit)\n{text}")


_MEM_HOOK = """\
import atexit, resource, threading, time, tracemalloc
_best = [0, []]
def _sample():
    cur = tracemalloc.get_traced_memory()[0]
    if cur > _best[0]:
        stats = tracemalloc.take_snapshot().statistics("filename")[:12]
        _best[:] = [cur, [(s.size, s.count, s.traceback[0].filename) for s in stats]]
def _watch():
    while True:
        time.sleep(0.25)
        _sample()
def _dump():
    _sample()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = f"    ru_maxrss {rss:.1f} MB (under tracemalloc); traced heap peak {peak:.1f} MB"
    lines = [head, f"    largest traced heap seen {_best[0] / 2**20:.1f} MB, by file:"]
    lines += [f"    {n / 2**20:7.2f} MB {c:8d} blocks  {f}" for n, c, f in _best[1]]
    with open(OUT, "w") as fh:
        fh.write("\\n".join(lines) + "\\n")
threading.Thread(target=_watch, daemon=True).start()
atexit.register(_dump)
"""

_SDK_HI = (
    "import anthropic; c = anthropic.Anthropic(); "
    f"m = c.messages.create(model={MODEL!r}, max_tokens=1024, "
    "messages=[{'role': 'user', 'content': 'hi'}]); print(m.content[0].text)"
)
_SDK_LONG = (
    "import sys, anthropic\n"
    "c = anthropic.Anthropic()\n"
    f"with c.messages.stream(model={MODEL!r}, max_tokens=128000, "
    "messages=[{'role': 'user', 'content': '#emu tokens=TOKENS'}]) as s:\n"
    "    for t in s.text_stream:\n"
    "        sys.stdout.write(t)\n"
)


def _py(python: str, code: str | None) -> list[str] | None:
    return [python, "-c", code] if code else None


def _curl(curl: str | None, url: str, body: Path) -> list[str] | None:
    if not curl:
        return None
    return [
        curl,
        "-s",
        "-S",
        "-X",
        "POST",
        url + "/v1/messages",
        "-H",
        "content-type: application/json",
        "-H",
        f"x-api-key: {API_KEY}",
        "-H",
        "anthropic-version: 2023-06-01",
        "--data-binary",
        f"@{body}",
        "-o",
        "/dev/null",
    ]


def _body(text: str, max_tokens: int) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": max_tokens,
        "stream": True,
        "messages": [{"role": "user", "content": text}],
    }


def _busy_warning(load: Sequence[float], cpus: int | None) -> str:
    if cpus and load and load[0] > 0.5 * cpus:
        return (
            f"  WARNING: the machine is busy (1-min load {load[0]:.2f} on {cpus} CPUs): wall times"
            " are inflated and CPU times somewhat too; rerun when it is quiet"
        )
    return ""


def _net_ratio(numerator: float, denominator: float) -> str:
    """A ratio of CPU seconds above the start-up baseline ('n/a' when within noise)."""
    if denominator < 0.05:
        return "n/a (within noise)"
    return f"{numerator / denominator:.2f}x"


def _median(values: Sequence[float]) -> float:
    from statistics import median

    return float(median(values))


def _short(filename: str) -> str:
    filename = filename.replace(str(ROOT) + "/", "")
    filename = re.sub(r"^.*/site-packages/", "", filename)
    return re.sub(r"^.*/lib/python3\.\d+/", "", filename)


def _pstats_text(path: Path, top: int = 15) -> str:
    """Top functions by own time and by cumulative time (import machinery left out)."""
    st = pstats.Stats(str(path), stream=StringIO())
    raw: dict[Any, Any] = st.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    rows = []
    for (filename, line, func), (_cc, calls, own, cum, _callers) in raw.items():
        where = func if filename == "~" else f"{_short(filename)}:{line}({func})"
        rows.append((own, cum, calls, where, filename, func))
    out = [f"    total {total:.3f} s of profiled CPU (cProfile adds overhead: compare shares)"]
    out.append("    by own time:      calls    own s    cum s  function")
    for own, cum, calls, where, _f, _fn in sorted(rows, key=lambda r: -r[0])[:top]:
        out.append(f"    {calls:>25} {own:8.3f} {cum:8.3f}  {where}")
    out.append("    by cumulative time (without import machinery and the entry-point chain):")
    skip = ("<frozen", "<string>", "runpy")
    cums = [
        r
        for r in rows
        if not r[4].startswith(skip) and "exec" not in r[5] and r[5] not in ("<module>", "main")
    ]
    top_cum = max((r[1] for r in cums), default=0.0)
    cums = [r for r in cums if r[1] < 0.9 * top_cum]  # drop the entry-point call chain
    for own, cum, calls, where, _f, _fn in sorted(cums, key=lambda r: -r[1])[:top]:
        out.append(f"    {calls:>25} {own:8.3f} {cum:8.3f}  {where}")
    return "\n".join(out)


def _importtime_text(stderr: str, top: int = 14) -> str:
    """`-X importtime` output: the slowest imports that were triggered from outside any import."""
    rows = []
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        cum = cumulative.strip()
        if not cum.isdigit():
            continue
        if len(name) - len(name.lstrip(" ")) == 1:  # top level (not nested in another import)
            total += int(cum)
            rows.append((int(cum), name.strip()))
    out = [f"    imports: {total / 1e6:.3f} s in total (top-level imports, by cumulative time):"]
    out += [f"    {us / 1e6:8.3f} s  {name}" for us, name in sorted(rows, reverse=True)[:top]]
    return "\n".join(out)


# -- entry point -----------------------------------------------------------------------------


def _meta(cfg: Config) -> dict[str, Any]:
    def out(argv: list[str]) -> str:
        try:
            res = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return res.stdout.strip()

    versions = out(
        [
            cfg.python,
            "-c",
            "import importlib.metadata as m\n"
            "for p in ('claudecli','anthropic','httpx2','rich'):\n"
            "    try: print(p, m.version(p))\n"
            "    except Exception: print(p, '-')",
        ]
    )
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": out([cfg.python, "-c", "import sys; print(sys.version.split()[0])"]),
        "versions": dict(line.split(" ", 1) for line in versions.splitlines() if " " in line),
        "git": out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "load_before": [round(x, 2) for x in harness.load_avg()],
        "quick": cfg.quick,
        "runs": cfg.runs,
        "startup_runs": cfg.startup_runs,
        "stream_tokens": cfg.stream_tokens,
        "render_tokens": cfg.render_tokens,
        "bytecode_cache": "warm (PYTHONPYCACHEPREFIX)" if cfg.pyc_cache else "as inherited",
    }


def _parse(argv: Sequence[str] | None) -> tuple[Config, str | None]:
    p = argparse.ArgumentParser(
        prog="bench/run.py",
        description="claudecli performance bench (see bench/README.md). Exit status is 0 even "
        "when a target is missed; non-zero only if the bench itself could not run.",
    )
    p.add_argument("--runs", type=int, default=None, help="runs per measurement (default 3)")
    p.add_argument("--startup-runs", type=int, default=None, help="runs for start-up/'hi' (10)")
    p.add_argument("--quick", action="store_true", help="smoke check: 1 run, smaller answers")
    p.add_argument("--sections", default="1,2,3", help="comma list of sections to run")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results ('-': stdout)")
    p.add_argument("--profile", action="store_true", help="profile the scenario of every MISS")
    p.add_argument(
        "--llm", metavar="PATH", help=f"an llm executable (default: PATH, {LLM_THROWAWAY})"
    )
    p.add_argument(
        "--no-pyc-cache",
        action="store_true",
        help="do not give children a warm bytecode cache (keep PYTHONDONTWRITEBYTECODE as is)",
    )
    p.add_argument("--venv", default=str(ROOT / ".venv"), help="the project venv (default .venv)")
    a = p.parse_args(argv)
    venv = Path(a.venv)
    python, claudecli = venv / "bin" / "python", venv / "bin" / "claudecli"
    for path in (python, claudecli):
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} not found: run `make venv` first (or pass --venv)")
    try:
        sections = tuple(sorted({int(s) for s in a.sections.split(",") if s.strip()}))
    except ValueError:
        raise BenchError(f"--sections: expected e.g. 1,3, got {a.sections!r}") from None
    if not set(sections) <= {1, 2, 3}:
        raise BenchError("--sections: only 1, 2 and 3 exist")
    quick = bool(a.quick)
    return Config(
        runs=max(1, a.runs if a.runs is not None else (1 if quick else 3)),
        startup_runs=max(1, a.startup_runs if a.startup_runs is not None else (3 if quick else 10)),
        stream_tokens=20_000 if quick else 100_000,
        render_tokens=5_000 if quick else 20_000,
        quick=quick,
        sections=sections,
        profile=bool(a.profile),
        pyc_cache=not a.no_pyc_cache,
        llm=a.llm,
        python=str(python),
        claudecli=str(claudecli),
    ), a.json


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cfg, json_path = _parse(argv)
    except BenchError as exc:
        harness.fail(str(exc))
        return 2
    global _HUMAN
    _HUMAN = sys.stderr if json_path == "-" else sys.stdout
    workdir = Path(tempfile.mkdtemp(prefix="claudecli-bench-"))
    bench = Bench(cfg, workdir)
    bench.report.meta = _meta(cfg)
    m = bench.report.meta
    _say(
        f"claudecli bench  {m['date']}  git {m['git']}  python {m['python']}  "
        f"{m['cpus']} CPU ({m['cpu']})  load {m['load_before']}"
        + ("  [--quick: smaller sizes, indicative only]" if cfg.quick else "")
    )
    _say("  versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    busy = _busy_warning(m["load_before"], m["cpus"])
    if busy:
        _say(busy)
    try:
        bench.start()
        _say(f"  emulator: {bench.e.url} (pid {bench.e.pid}, separate process)")
        for number in cfg.sections:
            getattr(bench, f"section{number}")()
        _say("\n== Targets ==")
        for target in bench.report.targets:
            _say(target.line())
        missed = sum(t.status == "MISS" for t in bench.report.targets)
        passed = sum(t.status == "PASS" for t in bench.report.targets)
        _say(f"  {passed} PASS, {missed} MISS (a MISS does not fail the bench)")
        if cfg.profile:
            bench.profile()
        elif missed:
            _say("  rerun with --profile to profile the scenario of each MISS")
    except BenchError as exc:
        harness.fail(str(exc))
        return 1
    except KeyboardInterrupt:
        harness.fail("interrupted")
        return 130
    finally:
        bench.stop()
        m["load_after"] = [round(x, 2) for x in harness.load_avg()]
        _say(f"  load average before {m['load_before']}, after {m['load_after']}")
        if json_path:
            data = {
                "meta": m,
                "results": bench.report.results,
                "targets": [t.as_json() for t in bench.report.targets],
                "notes": bench.report.notes,
                "profiles": bench.report.profiles,
            }
            text = json.dumps(data, indent=2) + "\n"
            if json_path == "-":
                sys.stdout.write(text)
            else:
                Path(json_path).write_text(text)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
