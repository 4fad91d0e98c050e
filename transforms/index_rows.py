"""A batch's store rows in ``--index_only``, kept as columns: no dict, no object per row.

Most records of a tree of loose pages take the fast path (``add_page``: only what varies per page
is kept, the constant columns are filled in when the tables are built); any other record (WARC,
JSONL, gzipped or broken files) comes as a ``RawRecord`` (``add_record``) followed by its file's
row (``add_file``). ``tables`` gives the ``locations`` and ``files`` parts' tables.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa

from transforms.records import (
    ERROR,
    FILE_SCHEMA,
    INDEXED,
    LOCATION_SCHEMA,
    InputFile,
    RawRecord,
    make_record_id,
)


class IndexRows:
    """A batch's ``locations`` and ``files`` rows, kept as columns (no dict per row)."""

    def __init__(self, batch_id: str) -> None:
        self.batch_id = batch_id
        self.locations: dict[str, list[Any]] = {name: [] for name in LOCATION_SCHEMA.names}
        self.files: dict[str, list[Any]] = {name: [] for name in FILE_SCHEMA.names}
        self.pages: list[InputFile] = []
        self.page_digests: list[str] = []
        self.page_sizes: list[int] = []

    def __len__(self) -> int:
        return len(self.locations["record_id"]) + len(self.pages)

    def general_rows(self) -> int:
        """Rows added with ``add_record`` so far (where the next file's records start)."""
        return len(self.locations["record_id"])

    def add_record(self, raw: RawRecord) -> None:
        columns = self.locations
        error = raw.problem if raw.problem and raw.problem.startswith("error:") else None
        columns["record_id"].append(raw.record_id)
        columns["doc_id"].append(raw.doc_id)  # a JSONL id; no document was made from others
        columns["url"].append(raw.url)
        columns["source_uri"].append(raw.source_uri)
        columns["source_offset"].append(raw.source_offset)
        columns["source_length"].append(raw.source_length)
        columns["content_digest"].append(None if error else raw.content_digest)
        columns["fetch_time"].append(raw.fetch_time)
        columns["mime_type"].append(raw.mime_type)
        columns["size"].append(raw.size)
        columns["language"].append(None)
        columns["status"].append(ERROR if error else INDEXED)
        columns["reason"].append(error)
        columns["batch_id"].append(self.batch_id)

    def add_page(self, file: InputFile, page: bytes) -> None:
        """An HTML file read whole (the fast path): only what varies is kept per page, the
        rest of its rows is filled in by ``tables``."""
        self.pages.append(file)
        self.page_digests.append(hashlib.sha1(page).hexdigest())
        self.page_sizes.append(len(page))

    def add_file(self, file: InputFile, first_record: int) -> None:
        """The file's row, after its records (``first_record``: its first row in ``locations``)."""
        errors = (r for r in self.locations["reason"][first_record:] if r is not None)
        columns = self.files
        columns["source_uri"].append(file.path)
        columns["size"].append(file.size)
        columns["mtime"].append(file.mtime)
        columns["batch_id"].append(self.batch_id)
        columns["n_records"].append(self.general_rows() - first_record)
        columns["error"].append(next(errors, None))

    def _page_tables(self) -> tuple[pa.Table, pa.Table]:
        n, paths = len(self.pages), [f.path for f in self.pages]
        sizes = pa.array([f.size for f in self.pages], pa.int64())
        batch = pa.array([self.batch_id] * n, pa.string())
        locations = {
            "record_id": pa.array([make_record_id(p, 0) for p in paths], pa.string()),
            "source_uri": pa.array(paths, pa.string()),
            "source_offset": pa.array([0] * n, pa.int64()),
            "source_length": sizes,
            "content_digest": pa.array(self.page_digests, pa.string()),
            "mime_type": pa.array(["text/html"] * n, pa.string()),
            "size": pa.array(self.page_sizes, pa.int64()),
            "status": pa.array([INDEXED] * n, pa.string()),
            "batch_id": batch,
        }
        files = {
            "source_uri": locations["source_uri"],
            "size": sizes,
            "mtime": pa.array([f.mtime for f in self.pages], pa.float64()),
            "batch_id": batch,
            "n_records": pa.array([1] * n, pa.int64()),
        }
        return _filled(locations, LOCATION_SCHEMA, n), _filled(files, FILE_SCHEMA, n)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """(locations, files) with the store's schemas (row order is of no importance)."""
        general = pa.table(self.locations, schema=LOCATION_SCHEMA)
        files = pa.table(self.files, schema=FILE_SCHEMA)
        if not self.pages:
            return general, files
        page_locations, page_files = self._page_tables()
        return pa.concat_tables([general, page_locations]), pa.concat_tables([files, page_files])


def _filled(columns: dict[str, pa.Array], schema: pa.Schema, n: int) -> pa.Table:
    """A table of ``schema`` from the given columns; the others are null."""
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def unreadable_file(file: InputFile) -> RawRecord:
    """A file that cannot be opened is one ``error:unreadable_file`` record, as in a full run."""
    return RawRecord(
        make_record_id(file.path, 0), file.path, 0, file.size, problem="error:unreadable_file"
    )
