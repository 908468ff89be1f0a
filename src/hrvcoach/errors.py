"""One root exception; every error a user can cause is a subclass with a one-line message."""

from __future__ import annotations


class HrvCoachError(Exception):
    """Root of every error hrvcoach raises on purpose. ``str(err)`` is shown to the user as is."""

    exit_code: int = 1


class UsageError(HrvCoachError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class RecordingError(HrvCoachError):
    """A recording cannot be read: names the file and, where known, the line."""

    exit_code = 3

    def __init__(self, path: object, message: str, *, line: int | None = None) -> None:
        where = f"{path}" if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.detail = message


class RecordingExistsError(RecordingError):
    """A new recording's name is taken (another session started in the same second)."""


class DeviceError(HrvCoachError):
    """A beat source (strap, adapter, simulator spec) cannot be used."""

    exit_code = 4


class StoreError(HrvCoachError):
    """The session history database cannot be used."""

    exit_code = 5
