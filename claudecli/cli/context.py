"""`AppContext`: what the root callback knows (profile, debug) and how commands get settings,
credentials and a client. Built once per process; everything below it receives explicit values.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TextIO

if TYPE_CHECKING:
    from claudecli.client import Client, ClientOptions, RetryNotice
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.credentials import Credential


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _process_stdin() -> BinaryIO | None:
    return sys.stdin.buffer if sys.stdin is not None else None


def _isatty(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


@dataclass(frozen=True)
class Environment:
    """What a command may know of the world: injected, so a test can run it in-process.

    `claudecli.cli.main(argv, environment=...)` passes one in (fake streams, a fixed clock, an
    httpx2 transport that answers without a socket); a real run takes the process's own.
    """

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], datetime] = _utc_now
    stdin: BinaryIO | None = field(default_factory=_process_stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool = field(default_factory=lambda: _isatty(sys.stdin))
    stdout_isatty: bool = field(default_factory=lambda: _isatty(sys.stdout))
    stderr_isatty: bool = field(default_factory=lambda: _isatty(sys.stderr))
    transport: Any = None  # an httpx2.BaseTransport for the client, else the network


@dataclass
class AppContext:
    profile: str | None = None
    debug: bool = False
    environment: Environment = field(default_factory=Environment)
    _credentials: dict[Settings, Credential] = field(default_factory=dict)
    key_source: str | None = None  # where the credential in use came from, for a 401 line
    provider: str | None = None  # the root --provider flag (a setting like any other)

    @property
    def env(self) -> Mapping[str, str]:
        return self.environment.env

    def today(self) -> date:
        """Today by the injected clock (UTC): deprecation dates are compared with it."""
        return self.environment.clock().date()

    def __post_init__(self) -> None:
        """`--debug` or `ANTHROPIC_LOG=debug`: request logs and tracebacks (this flag only, no
        process-wide side channel); `ANTHROPIC_LOG=info`: request logs."""
        level = self.env.get("ANTHROPIC_LOG", "").lower()
        self.debug = self.debug or level == "debug"
        if self.debug or level == "info":
            stream = self.environment.stderr
            _configure_logging(logging.DEBUG if self.debug else logging.INFO, stream)

    def resolve(self, flags: Mapping[str, Any] | None = None) -> ResolvedSettings:
        """Settings after precedence (flag > env > profile > file > default); warnings shown."""
        from claudecli.config import load_config, resolve_settings
        from claudecli.paths import config_file

        given = {k: v for k, v in (flags or {}).items() if v is not None}
        if self.provider is not None:
            given.setdefault("provider", self.provider)
        path = config_file(self.env)
        resolved = resolve_settings(given, self.env, load_config(path), self.profile)
        from claudecli.render.sanitize import visible

        for warning in resolved.warnings:
            self.warn(visible(warning, keep_newlines=False))
        return resolved

    def warn(self, text: str) -> None:
        """One `claudecli: warning: …` line on the injected stderr."""
        self.environment.stderr.write(f"claudecli: warning: {text}\n")

    def settings(self, flags: Mapping[str, Any] | None = None) -> Settings:
        return self.resolve(flags).settings

    def client(
        self, settings: Settings, *, on_retry: Callable[[RetryNotice], None] | None = None
    ) -> Client:
        """A client for these settings; resolving the credential may raise CredentialsError."""
        from claudecli.client import Client

        credential = self.credential(settings)
        options = client_options(settings, credential)
        return Client(options, on_retry=on_retry, transport=self.environment.transport)

    def credential(self, settings: Settings) -> Credential:
        """The credential for these settings, looked up once per run (an `api_key_cmd` or a
        keyring is not asked again for the models fetch and the request that follows it)."""
        import dataclasses

        from claudecli.credentials import resolve_credentials

        key = dataclasses.replace(settings, betas=())  # a request's betas change no credential
        if key not in self._credentials:
            credential = resolve_credentials(settings, self.env, profile=self.profile)
            for note in credential.notes:
                self.warn(note)
            self._credentials[key] = credential
        self.key_source = self._credentials[key].source
        return self._credentials[key]

    def model_info_fetcher(self, settings: Settings) -> Callable[[str], dict[str, Any] | None]:
        """model id -> its ModelInfo from the models list (the cache, else one fetch that fills
        it); None when unknown or when the list cannot be had (the API will judge instead)."""

        def fetch(model: str) -> dict[str, Any] | None:
            from claudecli.client import ClaudeError
            from claudecli.errors import ClaudecliError
            from claudecli.models import find_model, load_models

            try:
                with self.client(settings) as client:
                    listing = load_models(lambda: client, source=settings.base_url)
            except (ClaudeError, ClaudecliError):
                return None
            found = find_model(listing.models, model)
            return dict(found) if found else None

        return fetch


def client_options(settings: Settings, credential: Credential) -> ClientOptions:
    """Settings + credential -> client options (a profile-file token brings its own extras)."""
    from claudecli.client import DEFAULT_BASE_URL, ClientOptions, Timeouts

    base_url = settings.base_url
    if credential.base_url and base_url == DEFAULT_BASE_URL:
        base_url = credential.base_url
    return ClientOptions(
        **_provider_options(settings, credential, base_url),
        auth_header="bearer" if credential.kind == "auth_token" else settings.auth_header,
        api_version=settings.api_version,
        betas=tuple(dict.fromkeys((*settings.betas, *credential.betas))),
        headers={**credential.headers, **settings.headers},
        max_retries=settings.max_retries,
        retry_cap=settings.retry_max_wait,
        timeouts=Timeouts(
            connect=settings.connect_timeout,
            idle=settings.idle_timeout,
            no_content=settings.no_content_timeout,
            total=settings.total_timeout,
        ),
    )


def _provider_options(settings: Settings, credential: Credential, base_url: str) -> dict[str, Any]:
    """Where requests go and with what: the API or a gateway, Bedrock, or Vertex AI."""
    common = {"provider": settings.provider, "messages_path": settings.messages_path}
    if settings.provider == "bedrock":
        return {**common, **_bedrock_options(settings, credential)}
    if settings.provider == "vertex":
        return {**common, **_vertex_options(settings, credential)}
    return {**common, "api_key": credential.value, "base_url": base_url}


def _bedrock_options(settings: Settings, credential: Credential) -> dict[str, Any]:
    from claudecli.client import default_base_url

    region = credential.cloud.region
    return {
        "api_key": credential.value if credential.kind == "aws_api_key" else None,
        "base_url": settings.bedrock_base_url or default_base_url("bedrock", region),
        "region": region,
        "inference_profile": settings.bedrock_inference_profile,
        "cloud_credentials": credential.cloud,
    }


def _vertex_options(settings: Settings, credential: Credential) -> dict[str, Any]:
    from claudecli.client import default_base_url
    from claudecli.errors import ConfigError

    region = settings.vertex_region
    project = settings.vertex_project or credential.cloud.project
    if not region:
        raise ConfigError(
            "no Vertex AI region: set CLOUD_ML_REGION or vertex_region (e.g. us-east5 or global)"
        )
    if not project:
        raise ConfigError(
            "no Google Cloud project for Vertex AI: set ANTHROPIC_VERTEX_PROJECT_ID or "
            "vertex_project (the credentials name none)"
        )
    return {
        "base_url": settings.vertex_base_url or default_base_url("vertex", region),
        "region": region,
        "project": project,
        "cloud_credentials": credential.cloud,
    }


def _configure_logging(level: int, stream: TextIO) -> None:
    """One handler on the `claudecli` logger (`--debug` after the command makes a second
    context: it replaces the first's handler instead of doubling every line)."""
    logger = logging.getLogger("claudecli")
    for old in [h for h in logger.handlers if getattr(h, "claudecli", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("claudecli: %(levelname)s %(name)s: %(message)s"))
    handler.claudecli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
