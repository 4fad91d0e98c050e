"""Where a run puts things under ``--output``, and atomic Parquet writes through Beam FileSystems.

```
OUTPUT/
  data/language=<xx>/part-<batch_id>-<nnnnn>.parquet   final shards (published atomically)
  store/runs/<run_id>/locations/<batch_id>.parquet       one row per input record
  store/runs/<run_id>/outcomes/<batch_id>.parquet        kept / duplicate rows of candidates
  store/runs/<run_id>/files/<batch_id>.parquet           one row per input file
  store/runs/<run_id>/signatures/<batch_id>.parquet      kept documents' dedup rows (later runs)
  _work/<run_id>/candidates/<batch_id>.parquet           extracted texts before deduplication
  _work/<run_id>/signatures/<batch_id>.parquet           every candidate's dedup row
  _work/<run_id>/tmp/                                    files being written, renamed when done
  metadata.duckdb                                        the metadata store (driver only)
  summary.json                                           the run summary
```
Every path goes through ``FileSystems`` so gs:// and s3:// outputs work the same as local ones.
Every file is written under ``_work/<run_id>/tmp/`` and renamed into place, so a reader (or a
rerun after a crash) never sees a partial file under ``data/`` or ``store/``.
"""

from __future__ import annotations

import posixpath
import uuid
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base.rstrip("/"), *parts)


@dataclass(frozen=True)
class OutputLayout:
    output: str
    run_id: str

    @property
    def data_dir(self) -> str:
        return join(self.output, "data")

    @property
    def run_parts_dir(self) -> str:
        return join(self.output, "store", "runs", self.run_id)

    @property
    def work_dir(self) -> str:
        return join(self.output, "_work", self.run_id)

    def candidates_part(self, batch_id: str) -> str:
        return join(self.work_dir, "candidates", f"{batch_id}.parquet")

    def store_part(self, kind: str, batch_id: str) -> str:
        return join(self.run_parts_dir, kind, f"{batch_id}.parquet")

    def shard_name(self, language: str, batch_id: str, index: int) -> str:
        """The shard's path relative to OUTPUT (what the store records)."""
        return f"data/language={language}/part-{batch_id}-{index:05d}.parquet"

    def absolute(self, relative: str) -> str:
        return join(self.output, *relative.split("/"))

    @property
    def temp_dir(self) -> str:
        return join(self.work_dir, "tmp")

    def write_parquet(self, table: pa.Table, path: str, row_group_rows: int = 2000) -> None:
        """Publish ``table`` at ``path`` atomically (see ``write_parquet_atomically``)."""
        write_parquet_atomically(table, path, self.temp_dir, row_group_rows)


def ensure_directory(path: str) -> None:
    """Create ``path`` if the filesystem has directories (object stores do not need them)."""
    if FileSystems.exists(path):
        return
    try:
        FileSystems.mkdirs(path)
    except (OSError, BeamIOError):  # created meanwhile by another worker
        if not FileSystems.exists(path):
            raise


def write_parquet_atomically(
    table: pa.Table, path: str, temp_dir: str, row_group_rows: int = 2000
) -> None:
    """Write ``table`` as zstd Parquet under ``temp_dir``, then rename it to ``path``.

    ``temp_dir`` is on the same filesystem as ``path`` (under OUTPUT/_work), so the rename is
    atomic locally, and nothing half-written ever appears under ``data/`` or ``store/``."""
    temporary = join(temp_dir, f"{uuid.uuid4().hex}.parquet")
    with FileSystems.create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        pq.write_table(
            table,
            stream,
            compression="zstd",
            row_group_size=row_group_rows,
            use_dictionary=["language", "source_uri", "status", "reason", "mime_type"],
        )
    ensure_directory(posixpath.dirname(path))
    FileSystems.rename([temporary], [path])


def read_parquet(path: str) -> pa.Table:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return pq.read_table(stream)


def remove_tree(directory: str) -> None:
    """Delete a directory and everything below it: at once on a local disk; on an object store
    (where a "directory" is only a prefix, and ``*`` does not cross a ``/``) every object
    below the prefix."""
    if "://" not in directory:
        if FileSystems.exists(directory):
            FileSystems.delete([directory])
        return
    found = [m.path for m in FileSystems.match([join(directory, "**")])[0].metadata_list]
    if found:
        FileSystems.delete(found)


def run_of_part(path: str) -> str:
    """``.../store/runs/<run_id>/<kind>/<batch_id>.parquet`` -> ``<run_id>`` (run ids start with
    their UTC start time, so they sort by time)."""
    return path.rstrip("/").split("/")[-3]
