"""Domain errors shared by every module outside `claudecli.client`.

```
ClaudecliError          anything claudecli refuses on purpose; str() is the one-line user message
├── UsageError          bad command line                          → exit 2
├── InputError          bad file, attachment, limit or stdin      → exit 3
│   └── ConfigError     bad config file or setting value          → exit 3  ("config.yaml:3:5: …")
├── CredentialsError    no API key, or a key source failed        → exit 4
├── PartialAnswerError  the stream broke; the partial was delivered → exit 7
└── AnswerError         the answer fails its check (--schema)     → exit 8 (7 when cut short)
```

The CLI maps these to exit codes; nothing else needs to know the numbers. No message ever
contains a secret: credential code builds messages from source names, never from values.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "ClaudecliError",
    "ConfigError",
    "CredentialsError",
    "InputError",
    "PartialAnswerError",
    "UsageError",
]


class ClaudecliError(Exception):
    """Base class; `str(error)` is the one-line message shown to the user."""

    exit_code = 1


class UsageError(ClaudecliError):
    """The command line itself is wrong (unknown option value, missing argument)."""

    exit_code = 2


class InputError(ClaudecliError):
    """A file, attachment, limit or stdin the user gave us is unusable."""

    exit_code = 3


class ConfigError(InputError):
    """The config file or a setting value (file, environment) is invalid."""


class CredentialsError(ClaudecliError):
    """No credential was found, or a configured credential source failed."""

    exit_code = 4


class AnswerError(ClaudecliError):
    """The model's answer is not what was asked for (e.g. JSON not matching `--schema`): exit 8.

    When the answer was cut short (max_tokens) it is a partial answer: exit 7.
    """

    exit_code = 8

    def __init__(self, message: str, *, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial
        if partial:
            self.exit_code = 7


class PartialAnswerError(ClaudecliError):
    """The stream broke after content and the partial answer was delivered anyway: exit 7.

    Raised where the partial is written somewhere other than the screen (`ask --json` prints
    the partial Message); `request_id` keeps the API's id for the error line.
    """

    exit_code = 7

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id
