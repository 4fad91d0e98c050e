"""What earlier runs committed, read back as per-directory file lists for the incremental skip.

The driver passes globs of the ``files`` store parts (``store/runs/<run_id>/files/*.parquet``) of
the runs whose files a new run may skip. A run of many small files has thousands of such parts,
so the globs are expanded into chunks of part paths that workers read in parallel, as Arrow
tables (no per-row dicts), and cut into one ``CommittedList`` per directory (paths, sizes, mtimes
and the run that committed each): the unit the listing joins on
(``transforms/batched_listing.py``), where only the newest run's version of a file is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.layout import run_of_part
from transforms.prefixes import is_local

COMMITTED_COLUMNS = ("source_uri", "size", "mtime", "error")
# A file that could not be opened may open next time (a GCS 503, an NFS hiccup): never skipped.
RETRIED_ERROR = "error:unreadable_file"
PARTS_PER_READ = 64


def expand_committed(glob: str, chunk: int = PARTS_PER_READ) -> Iterator[list[str]]:
    """The part paths a glob matches, in sorted chunks of at most ``chunk``."""
    paths = sorted(m.path for m in FileSystems.match([glob])[0].metadata_list)
    for start in range(0, len(paths), chunk):
        yield paths[start : start + chunk]


CommittedList = tuple[list[str], list[int], list[float], list[str]]  # paths, sizes, mtimes, runs


def _read_one(path: str) -> pa.Table:
    columns = list(COMMITTED_COLUMNS)
    if is_local(path) and not path.startswith("file://"):
        table = pq.read_table(path, columns=columns, use_threads=False)
    else:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
            table = pq.read_table(stream, columns=columns, use_threads=False)
    return table.append_column("run", pa.array([run_of_part(path)] * table.num_rows, pa.string()))


def read_committed(paths: Sequence[str]) -> pa.Table:
    """The ``(source_uri, size, mtime, run)`` rows of some files parts, as one table, without
    the files that could not be opened (``RETRIED_ERROR``)."""
    schema = pa.schema(
        [
            ("source_uri", pa.string()),
            ("size", pa.int64()),
            ("mtime", pa.float64()),
            ("error", pa.string()),
            ("run", pa.string()),
        ]
    )
    tables = [_read_one(path).cast(schema) for path in paths]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    opened = pc.fill_null(pc.not_equal(table.column("error"), RETRIED_ERROR), True)
    return table.filter(opened).drop_columns(["error"])


def directories(paths: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``posixpath.dirname`` of each path, in Arrow: everything before the last ``/``."""
    paths = paths.combine_chunks() if isinstance(paths, pa.ChunkedArray) else paths
    pieces = pc.split_pattern(paths, "/", max_splits=1, reverse=True)
    heads = pieces.values.take(pieces.offsets[:-1])  # the first piece of each list
    no_slash = pc.equal(pc.list_value_length(pieces), 1)
    return pc.if_else(no_slash, "", heads)


def committed_by_directory(table: pa.Table) -> Iterator[tuple[str, CommittedList]]:
    """One ``(directory, (paths, sizes, mtimes, runs))`` per directory of the table's files."""
    if not table.num_rows:
        return
    keys = directories(table.column("source_uri"))
    order = pc.sort_indices(keys)
    keys, table = keys.take(order), table.take(order)
    runs = pc.run_end_encode(keys)
    start = 0
    mtimes = pc.fill_null(table.column("mtime"), 0.0)
    for directory, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
        length = end - start
        yield (
            directory,
            (
                table.column("source_uri").slice(start, length).to_pylist(),
                table.column("size").slice(start, length).to_pylist(),
                mtimes.slice(start, length).to_pylist(),
                table.column("run").slice(start, length).to_pylist(),
            ),
        )
        start = end


def committed_versions(lists: Iterable[CommittedList]) -> dict[str, tuple[int, float]]:
    """path -> the (size, mtime) the newest run that read it committed. Only that version is
    skipped: a file restored to an older version (A, then B, then A again) is read again."""
    newest: dict[str, tuple[str, tuple[int, float]]] = {}
    for paths, sizes, mtimes, runs in lists:
        for path, size, mtime, run in zip(paths, sizes, mtimes, runs, strict=True):
            version = (run, (int(size), float(mtime)))
            previous = newest.get(path)
            if previous is None or version > previous:
                newest[path] = version
    return {path: version for path, (_, version) in newest.items()}
