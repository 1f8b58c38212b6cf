"""Google Cloud for Vertex AI: Application Default Credentials via google-auth (imported lazily).

`load_google()` runs google-auth's ADC search (`GOOGLE_APPLICATION_CREDENTIALS`, the gcloud
user file, the metadata server) with the cloud-platform scope. `bearer(setup)` returns a token
for one attempt, refreshing it first when it is missing or about to expire (google-auth counts a
token as expired a few minutes before its real expiry), so a long session never sends a dead one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .aws import MissingDependency, first_line

__all__ = ["GOOGLE_LOOKED_FOR", "GoogleSetup", "bearer", "load_google"]

SCOPE: Final = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_LOOKED_FOR: Final = (
    "GOOGLE_APPLICATION_CREDENTIALS, the gcloud application-default file "
    "(gcloud auth application-default login), the metadata server"
)


class RefreshError(Exception):
    """The token could not be refreshed; `str()` is one line without secrets."""


@dataclass
class GoogleSetup:
    credentials: Any
    source: str  # "service account file …", "authorized user file …", "metadata server", …
    project: str | None


def _google_auth() -> Any:
    try:
        import google.auth
        import google.auth.exceptions
    except ImportError:
        raise MissingDependency(
            "Vertex AI needs google-auth: pip install 'claudecli[vertex]'"
        ) from None
    return google.auth


def load_google(env_file: str | None) -> GoogleSetup | None:
    """ADC, or None when google-auth finds none. Raises `MissingDependency`, or `ValueError`
    (one line) for a credentials file that is unusable."""
    google_auth = _google_auth()
    try:
        credentials, project = google_auth.default(scopes=[SCOPE])
    except google_auth.exceptions.DefaultCredentialsError as exc:
        if env_file:
            raise ValueError(
                f"GOOGLE_APPLICATION_CREDENTIALS {env_file}: {first_line(exc)}"
            ) from None
        return None
    return GoogleSetup(credentials, _describe(credentials, env_file), project)


def _describe(credentials: Any, env_file: str | None) -> str:
    kind = type(credentials).__module__.rsplit(".", 1)[-1]
    names = {
        "service_account": "service account",
        "credentials": "authorized user",
        "external_account": "workload identity federation",
        "identity_pool": "workload identity federation",
        "compute_engine": "metadata server",
        "impersonated_credentials": "impersonated service account",
    }
    label = names.get(kind, kind)
    return f"{label} ({env_file})" if env_file and kind != "compute_engine" else label


def bearer(setup: GoogleSetup) -> str:
    """A valid access token, refreshed first when missing or close to expiry."""
    credentials = setup.credentials
    if credentials.expired or not credentials.token:
        _refresh(credentials)
    token = credentials.token
    if not isinstance(token, str) or not token:
        raise RefreshError("Google credentials gave no access token")
    return token


def _refresh(credentials: Any) -> None:
    try:
        from google.auth.transport.requests import Request
    except ImportError:
        raise MissingDependency(
            "Vertex AI needs google-auth with requests: pip install 'claudecli[vertex]'"
        ) from None
    try:
        credentials.refresh(Request())
    except Exception as exc:  # google.auth.exceptions.RefreshError, TransportError, …
        raise RefreshError(f"Google access token refresh failed: {first_line(exc)}") from None
