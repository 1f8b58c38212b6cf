"""AWS for Bedrock: the credential chain and SigV4 signing, through botocore (imported lazily).

`load_aws(profile, region)` runs botocore's own chain (explicit env keys, assume-role, web
identity, SSO, shared credentials/config files, `credential_process`, container and instance
metadata) and finds the region (the given one, else the profile's). `sign(request, setup)`
signs one httpx2 request in place, once per attempt: SigV4 covers `x-amz-date`, the body hash
and the headers, so a signature is never reused. Nothing here ever puts a key, a session token
or a signature in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import httpx2

__all__ = ["AWS_LOOKED_FOR", "AwsSetup", "MissingDependency", "first_line", "load_aws", "sign"]

SERVICE: Final = "bedrock"
AWS_LOOKED_FOR: Final = (
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the profile's role, web identity, SSO, "
    "~/.aws/credentials, ~/.aws/config, credential_process, container and instance metadata"
)
# Headers a proxy may change or drop: botocore leaves most out of the signature itself; the
# SDK also leaves out `connection`.
_UNSIGNED: Final = frozenset({"connection"})


class MissingDependency(Exception):
    """The optional library a provider needs is not installed; `str()` says what to install."""


@dataclass(frozen=True)
class AwsSetup:
    """Credentials (botocore, possibly refreshable), where they came from, and the region."""

    credentials: Any
    method: str  # botocore's name for the provider that found them: env, sso, iam-role, …
    region: str | None


def _botocore_session(profile: str | None) -> Any:
    try:
        import botocore.session
    except ImportError:
        raise MissingDependency(
            "Bedrock needs botocore: pip install 'claudecli[bedrock]'"
        ) from None
    return botocore.session.Session(profile=profile)


def load_aws(profile: str | None, region: str | None) -> AwsSetup | None:
    """The AWS chain's credentials (None when it finds none) and the region to use.

    Raises `MissingDependency` without botocore, and `ValueError` (one line) for a profile
    that does not exist or a broken config file.
    """
    session = _botocore_session(profile)
    try:
        credentials = session.get_credentials()
        found_region = region or session.get_config_variable("region")
    except Exception as exc:  # botocore's many config/profile errors: one line, no secrets
        raise ValueError(first_line(exc)) from None
    if credentials is None:
        return None
    return AwsSetup(credentials, str(getattr(credentials, "method", "unknown")), found_region)


def profile_region(profile: str | None) -> str | None:
    """The region configured for `profile` in ~/.aws/config, when botocore is installed."""
    try:
        return _botocore_session(profile).get_config_variable("region")  # type: ignore[no-any-return]
    except MissingDependency:
        return None
    except Exception as exc:
        raise ValueError(first_line(exc)) from None


def first_line(exc: Exception) -> str:
    """An exception as one line of at most 200 characters (its type name when it says nothing)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def sign(request: httpx2.Request, setup: AwsSetup, region: str) -> None:
    """SigV4-sign `request` for service `bedrock` in `region` (headers and body as sent)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    headers = {k: v for k, v in request.headers.items() if k.lower() not in _UNSIGNED}
    aws = AWSRequest(
        method=request.method, url=str(request.url), headers=headers, data=request.content
    )
    frozen = setup.credentials.get_frozen_credentials()
    SigV4Auth(frozen, SERVICE, region).add_auth(aws)
    for name in ("X-Amz-Date", "Authorization", "X-Amz-Security-Token"):
        value = aws.headers.get(name)
        if value is not None:
            request.headers[name] = value
