"""``MetadataStore``: where every input record of every run ended up.

The rows live in Parquet index parts under ``<store>.index/`` (see ``layout.py``); the DuckDB file
holds their catalog, the ``records`` view over them, ``files``, ``runs`` and the schema history.
One process writes (the pipeline driver, after the pipeline), holding ``<store>.lock``; any
number of processes may read with ``read_only=True`` when no writer has the file open. DuckDB
enforces that too (one read-write process, or many read-only ones, never both), so a reader
that opens while the driver is loading gets a StoreLockedError rather than a torn view.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from metadata_store import (
    catalog,
    compaction,
    layout,
    loading,
    lookup,
    migrations,
    queries,
    upgrade,
)
from metadata_store.errors import StoreError, StoreLockedError, StoreNotFoundError, one_line
from metadata_store.loading import RunSummary
from metadata_store.locking import StoreLock, describe_holder, lock_path_for, read_holder
from metadata_store.queries import Accounting
from metadata_store.reader import PartReader

__all__ = ["Accounting", "MetadataStore", "RunSummary"]


_GLOB_CHARACTERS = re.compile(r"[*?\[]")


def _open_error(error: duckdb.Error, path: Path, read_only: bool) -> StoreError:
    """Turn DuckDB's refusal to open into a one-line error that names the other process."""
    text = str(error)
    if "different configuration" in text:
        return StoreError(
            f"metadata store at {path} is already open in this process with another mode; "
            "use that handle"
        )
    if "lock" not in text.lower():
        return StoreError(f"cannot open metadata store at {path}: {one_line(error)}")
    found = re.search(r"PID (\d+)", text)
    pid = int(found.group(1)) if found else None
    if read_only:
        holder = read_holder(lock_path_for(path))
        who = describe_holder(holder) if holder else f"pid {pid if pid else 'unknown'}"
        return StoreLockedError(
            f"metadata store at {path} is being written by {who}; DuckDB does not let readers "
            "open a store a writer has open, retry when it finishes",
            pid=holder.pid if holder else pid,
            host=holder.host if holder else None,
        )
    return StoreLockedError(
        f"metadata store at {path} is open in another process (pid {pid if pid else 'unknown'}); "
        "DuckDB allows one writer or any number of readers, not both: close it and retry",
        pid=pid,
    )


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect, translating refusals; no progress bar, since it would garble CLI output."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as e:
        raise _open_error(e, path, read_only) from e
    con.execute("SET enable_progress_bar = false")
    return con


def _checked(limit: int | None) -> int | None:
    if limit is not None and limit < 0:
        raise StoreError(f"limit must be >= 0, got {limit}")
    return limit


class MetadataStore:
    """A handle on the store; build it with ``MetadataStore.open``, use it as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, lock: StoreLock | None) -> None:
        self._con: duckdb.DuckDBPyConnection | None = con
        self._lock = lock
        self.path = path
        self.index_root = layout.index_root(path)
        self._reader = PartReader(con, self.index_root)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> MetadataStore:
        """Open (creating and migrating if needed) for writing, or open an existing store to read.

        Writers take ``<path>.lock`` first, so a second writer learns who holds the store before
        DuckDB is involved; readers take no lock and cannot migrate, so they need a current store.
        """
        path = Path(path)
        if _GLOB_CHARACTERS.search(str(path.absolute())):
            raise StoreError(
                f"metadata store path {path} has a glob character (*, ? or [): DuckDB would "
                "read the paths of its parts as patterns; choose another --metadata_store or "
                "--output"
            )
        if read_only:
            if not path.is_file():
                raise StoreNotFoundError(f"no metadata store at {path}")
            con = _connect(path, read_only=True)
            try:
                migrations.check_current(con, str(path))
                if upgrade.has_legacy_table(con):
                    raise StoreError(
                        f"metadata store at {path} is half way through its upgrade to index "
                        "parts; open it once read-write to finish it"
                    )
                catalog.refresh_views(con, layout.index_root(path), persistent=False)
            except BaseException:
                con.close()
                raise
            return cls(con, path, None)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = StoreLock.acquire(lock_path_for(path), path)
        con = None
        try:
            con = _connect(path, read_only=False)
            migrations.migrate(con, str(path))
            root = layout.index_root(path)
            upgrade.convert_legacy(con, root, str(path))  # rows of a store older than v4
            catalog.refresh_views(con, root, persistent=True)  # the store may have moved
        except BaseException:
            if con is not None:
                con.close()
            lock.release()
            raise
        return cls(con, path, lock)

    @property
    def read_only(self) -> bool:
        return self._lock is None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise StoreError(f"metadata store at {self.path} is closed")
        return self._con

    def close(self) -> None:
        """Close DuckDB first, then drop the lock, so the next writer never meets DuckDB's lock."""
        self._reader.invalidate()  # closes the parts it holds open
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def load_run(
        self,
        run_id: str,
        parts_dir: str | os.PathLike[str],
        started_at: datetime,
        finished_at: datetime,
        argv: list[str],
        counters: dict[str, int],
        mode: str = "full",
    ) -> RunSummary:
        """Fold ``parts_dir`` (``store/runs/<run_id>``) into the store in one transaction.
        ``mode``: ``full``, or ``index`` for an --index_only run."""
        con = self._writable()
        try:
            return loading.load_run(
                con,
                self.index_root,
                run_id,
                Path(parts_dir),
                (started_at, finished_at),
                argv,
                counters,
                mode,
            )
        finally:
            self._reader.invalidate()

    def compact(self) -> int:
        """Fold every loaded layer into one (faster lookups and scans); returns the live rows."""
        con = self._writable()
        try:
            return upgrade.compact(con, self.index_root, str(self.path))
        finally:
            self._reader.invalidate()

    def merge_layers(self, max_layers: int = compaction.MAX_LAYERS) -> int:
        """Merge the newest layers as ``compaction.layers_to_merge`` says (at most
        ``max_layers`` left, the smaller ones merged first; 0 never merges); returns how many
        layers became one (0: none)."""
        con = self._writable()
        if max_layers == 0:
            return 0
        try:
            rows = [layer.records for layer in catalog.layers(con)]
            count = compaction.layers_to_merge(rows, max_layers)
            if count:
                upgrade.merge_newest(con, self.index_root, str(self.path), count)
            return count
        finally:
            self._reader.invalidate()

    def _writable(self) -> duckdb.DuckDBPyConnection:
        con = self._connection()
        if self.read_only:
            raise StoreError(f"metadata store at {self.path} was opened read-only")
        return con

    def accounting(self, run_id: str | None = None) -> Accounting:
        return queries.accounting(self._connection(), run_id)

    def locate(self, key: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Records whose record_id, url, source_uri, content_digest or doc_id equals ``key``."""
        con = self._connection()
        return lookup.locate(self._reader, key, _checked(limit), partial(queries.scan, con))

    def locate_prefix(self, prefix: str, limit: int | None = 100) -> list[dict[str, Any]]:
        """Records whose url or source_uri starts with ``prefix`` (a site, a directory)."""
        con = self._connection()
        return lookup.locate_prefix(
            self._reader, prefix, _checked(limit), partial(queries.scan, con)
        )

    def kept_shards_of(self, sources: list[str]) -> set[str]:
        """Shards (relative to the output) holding kept documents read from ``sources``."""
        return queries.kept_shards_of(self._connection(), sources)

    def shards_in_use(self, shards: list[str]) -> set[str]:
        """Which of ``shards`` (relative to the output) hold a kept document of the store."""
        return queries.shards_in_use(self._connection(), shards)

    def stats(self) -> dict[str, Any]:
        return queries.stats(self._connection())

    def runs(self) -> list[dict[str, Any]]:
        return queries.runs(self._connection())

    def failed(self, limit: int | None = None) -> list[dict[str, Any]]:
        return queries.failed(self._connection(), limit)
