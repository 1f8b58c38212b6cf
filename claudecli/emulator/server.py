"""`Emulator` (start/stop a loopback server in a daemon thread) and the blocking `serve()`."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any

from .app import App, Config, normalise_prefix
from .handler import Handler
from .wire import Obj

__all__ = ["MAX_PORT", "Emulator", "ListenError", "serve"]

log = logging.getLogger("claudecli.emulator")

MAX_PORT = 65_535
_POLL_INTERVAL = 0.05
_JOIN_TIMEOUT = 5.0


class ListenError(OSError):
    """The server cannot listen on its address (in use, not allowed, …); `errno` is the cause's."""

    def __str__(self) -> str:
        return str(self.strerror)


def _check_port(port: int) -> None:
    if not 0 <= port <= MAX_PORT:
        raise ValueError(f"port must be 0-{MAX_PORT} (0 picks a free one), not {port}")


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the emulator binds loopback addresses only, not {host!r}")


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that tracks its connections so `stop()` can close them all."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: App) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._track = threading.Lock()
        self._active: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's slow getfqdn()
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._run, args=(request, client_address), daemon=True, name="emulator-conn"
        )
        with self._track:
            self._active.add(request)
            self._workers.add(thread)
        thread.start()

    def _run(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._track:
                self._active.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets an idle keep-alive connection is not worth a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("connection from %s ended: %r", client_address, error)
        else:
            log.exception("emulator connection from %s failed", client_address)

    def close_connections(self) -> None:
        with self._track:
            active = list(self._active)
        for sock in active:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join_threads(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._track:
            threads = list(self._workers)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class Emulator:
    """An offline Messages API server on 127.0.0.1; see the package docstring."""

    def __init__(
        self,
        port: int = 0,
        *,
        api_key: str | None = None,
        auth: str = "any",
        prefix: str = "",
        batch_delay: float = 1.0,
        host: str = "127.0.0.1",
        aws_region: str = "us-east-1",
        vertex_region: str | None = None,
    ) -> None:
        _check_loopback(host)
        _check_port(port)
        self._host, self._port = host, port
        self._stop = threading.Event()
        config = Config(
            api_key, auth, normalise_prefix(prefix), batch_delay, aws_region, vertex_region
        )
        self._app = App(config, self._stop)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Emulator {self._host}:{self._port}{self._app.config.prefix} {state}>"

    @property
    def running(self) -> bool:
        return self._server is not None and not self._stop.is_set()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT` + prefix: the `base_url` to give a client."""
        if self._port == 0:
            raise RuntimeError("the emulator is not started yet: start() picks the port")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{self._app.config.prefix}"

    @property
    def requests(self) -> list[Obj]:
        """Received API requests, oldest first (live list; control requests not included)."""
        return self._app.requests

    def start(self) -> Emulator:
        if self._server is not None or self._stop.is_set():
            raise RuntimeError("an Emulator can be started once")
        self._server = self._bind()
        self._port = int(self._server.server_address[1])
        self._app.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            daemon=True,
            name=f"claudecli-emulator-{self._port}",
        )
        self._thread.start()
        return self

    def _bind(self) -> _Server:
        try:
            return _Server((self._host, self._port), self._app)
        except OSError as exc:
            where = f"{self._host}:{self._port}"
            raise ListenError(exc.errno, f"cannot listen on {where}: {exc.strerror}") from exc

    def stop(self) -> None:
        """Stop serving, close every connection (stalled streams included), join threads."""
        server, already = self._server, self._stop.is_set()
        self._stop.set()
        if server is None or already:
            return
        server.shutdown()
        server.close_connections()
        server.join_threads(_JOIN_TIMEOUT)
        server.server_close()
        if self._thread is not None:
            self._thread.join(_JOIN_TIMEOUT)

    def __enter__(self) -> Emulator:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def enqueue(self, *items: Mapping[str, Any]) -> None:
        """Queue scripted replies (FIFO); raises `ValueError` for an unknown key or bad value."""
        self._app.enqueue(items)

    def reset(self) -> None:
        """Forget queued items, recorded requests, prompt cache, batches and files."""
        self._app.reset()

    @property
    def issued_tokens(self) -> list[str]:
        """Bearer tokens handed out by `POST /token` (Vertex refresh tests), oldest first."""
        return self._app.issued_tokens

    def add_file(
        self,
        filename: str,
        content: bytes | str,
        mime_type: str | None = None,
        *,
        downloadable: bool = True,
    ) -> Obj:
        """Store a file as if a tool had produced it (downloadable by default); its metadata."""
        data = content.encode() if isinstance(content, str) else content
        return self._app.files.add(filename, data, mime_type, downloadable=downloadable)


class _Stopper:
    """A SIGINT/SIGTERM handler that records the signal and wakes the serving loop."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.signum = 0

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signum = signum
        self.finished.set()


@contextlib.contextmanager
def _until_signal(stopper: _Stopper) -> Iterator[None]:
    """SIGINT/SIGTERM call `stopper` while inside (only the main thread can take signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, stopper) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_key: str | None = None,
    auth: str = "any",
    prefix: str = "",
    batch_delay: float = 1.0,
    on_ready: Callable[[str], object] | None = None,
) -> int:
    """Run an emulator in the foreground until SIGINT or SIGTERM; `on_ready(url)` once listening.

    Returns the number of the signal that stopped it, after a clean shutdown (every connection
    closed); the caller picks the exit status (the CLI: 128 + the signal).
    """
    stopper = _Stopper()
    emulator = Emulator(
        port, api_key=api_key, auth=auth, prefix=prefix, batch_delay=batch_delay, host=host
    )
    with _until_signal(stopper), emulator:
        if on_ready is not None:
            on_ready(emulator.url)
        while not stopper.finished.wait(0.2):
            pass
    return stopper.signum
