"""Run one command and report its resource usage: `python -S -I launcher.py RESULT_FD MODE ARGV...`.

Why a launcher: on Linux `ru_maxrss` survives `exec` (the kernel keeps the larger of the old and the
new address space's peak), so a child forked straight from the bench would report the bench's own
RSS as its floor. This tiny process (only `os` and `time`; ~9 MB) forks the command, waits for it
with `os.wait4` and writes `pid` and then `status utime stime maxrss_kb wall_s` of that child alone
to RESULT_FD. Wall time is taken here, from just before `fork` to just after `wait4`.

MODE `pty`: the child becomes a session leader and takes stdin (a pty slave) as its controlling
terminal before `exec`, like `pty.fork()`. MODE `plain`: stdin/stdout/stderr are used as given.
The environment is passed through unchanged (this process itself ignores it: `-I`).
"""

import os
import sys
import time


def main() -> None:
    result_fd, mode, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(result_fd)
            if mode == "pty":
                import fcntl
                import termios

                os.setsid()
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            os.execve(argv[0], argv, os.environ)
        finally:
            os._exit(127)
    os.write(result_fd, b"%d\n" % pid)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    line = f"{status} {usage.ru_utime!r} {usage.ru_stime!r} {usage.ru_maxrss} {wall!r}\n"
    os.write(result_fd, line.encode())
    os.close(result_fd)


if __name__ == "__main__":
    main()
