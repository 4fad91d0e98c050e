"""The errors a user of the metadata store can hit.

Every one of them carries a one-line message meant to be shown as is (the CLI prints
``error: <message>`` and exits 2), so callers never need a traceback to know what to do.
"""

from __future__ import annotations

import contextlib

import duckdb


def one_line(error: BaseException) -> str:
    """The first line of an error's message (DuckDB's "IO Error: " prefix dropped)."""
    text = str(error).removeprefix("IO Error: ")
    return (text.splitlines() or [type(error).__name__])[0]


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK after a failure, without letting a second error (DuckDB has often rolled back
    already, or the database is invalidated) replace the one being raised."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


class StoreError(Exception):
    """Base class: something about the metadata store the user has to act on."""


class StoreNotFoundError(StoreError):
    """A read-only open of a path that holds no metadata store."""


class StoreLockedError(StoreError):
    """Another process is writing the store (or reading it while we want to write).

    ``pid`` and ``host`` name the holder when known, so tooling can report or wait on it.
    """

    def __init__(self, message: str, pid: int | None = None, host: str | None = None) -> None:
        super().__init__(message)
        self.pid = pid
        self.host = host
