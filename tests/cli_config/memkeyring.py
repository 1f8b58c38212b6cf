"""Keyring backends for subprocess tests.

Chosen with `PYTHON_KEYRING_BACKEND=tests.cli_config.memkeyring.<Class>` (and the repository on
`PYTHONPATH`).

`FileKeyring` keeps passwords in the JSON file named by `CLAUDECLI_TEST_KEYRING` so that a key
stored by one `claudecli` process is seen by the next one. The file lives outside claudecli's
directories: it stands in for the OS keyring, not for anything claudecli writes.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

KEYRING_FILE_ENV = "CLAUDECLI_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        assert isinstance(data, dict)
        return data

    def _save(self, data: dict[str, str]) -> None:
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(data)


class LockedKeyring(KeyringBackend):
    """Like a Secret Service collection that cannot be unlocked over ssh."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(KeyringBackend):
    """Blocks like a keyring waiting for an unlock prompt nobody will answer."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(60)

    def delete_password(self, service: str, username: str) -> None:
        time.sleep(60)


for _backend in (FileKeyring, LockedKeyring, HangingKeyring):
    KeyringBackend._classes.discard(_backend)  # never auto-selected
