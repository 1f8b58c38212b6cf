"""Profile section 3 of the bench (rendering in a pty) without running the whole bench.

    .venv/bin/python bench/profile_render.py                 # 1x answer, 1 KiB/delta, pty
    .venv/bin/python bench/profile_render.py --chunking token --size 2x --output pipe
    .venv/bin/python bench/profile_render.py --time 5        # no profiler: CPU of 5 runs

Same scenario as `bench/run.py --sections 3` (the emulator in its own process, the answer from
`mdgen`, `claudecli ask` in a 120x40 pseudo-terminal forked by the launcher), run once under
cProfile (`-o PATH` keeps the .prof), or `--time N` times without it (CPU per run, median).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import mdgen
from run import PTY_SIZE, ROOT, _body, _pstats_text


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--chunking", choices=("kib", "token"), default="kib")
    p.add_argument("--size", choices=("1x", "2x"), default="1x")
    p.add_argument("--output", choices=("pty", "pipe"), default="pty")
    p.add_argument("--tokens", type=int, default=20000)
    p.add_argument("--time", type=int, default=0, metavar="N", help="N timed runs, no profiler")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("-o", dest="out", help="keep the .prof here")
    a = p.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="claudecli-profile-") as tmp:
        work = Path(tmp)
        pycache = Path(tempfile.gettempdir()) / "claudecli-bench-pycache"
        boot = harness.child_env(base_url="", home=work / "home", pycache=pycache)
        with harness.EmulatorProcess(python, env=boot, cwd=ROOT) as emu:
            env = harness.child_env(base_url=emu.url, home=work / "home", pycache=pycache)
            text = mdgen.markdown_answer(a.tokens, 2 if a.size == "2x" else 1)
            emu.reset()
            emu.enqueue({"text": text})
            raw = emu.record_stream(_body("render", 128000))
            if a.chunking == "token":
                raw, _ = harness.rechunk_sse(raw, 4)
            sse = work / "answer.sse"
            sse.write_bytes(raw)
            ask = ["ask", "--max-tokens", "128000", "render the answer"]
            if a.time:
                cpus = []
                for i in range(a.time + 1):
                    emu.reset()
                    emu.enqueue({"sse_file": str(sse)})
                    argv = [str(ROOT / ".venv" / "bin" / "claudecli"), *ask]
                    s = harness.spawn(argv, env=env, output=a.output, winsize=PTY_SIZE)
                    s.check("claudecli ask")
                    if i:
                        cpus.append(s.cpu)
                print(
                    f"{a.size} {a.chunking} {a.output}: median CPU {statistics.median(cpus):.3f} s"
                    f" of {[round(c, 3) for c in cpus]}"
                )
                return 0
            out = Path(a.out) if a.out else work / "render.prof"
            emu.reset()
            emu.enqueue({"sse_file": str(sse)})
            argv = [python, "-m", "cProfile", "-o", str(out), "-m", "claudecli", *ask]
            harness.spawn(argv, env=env, output=a.output, winsize=PTY_SIZE).check("profile")
            print(_pstats_text(out, top=a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
