"""Where a run puts things under ``--output``, and atomic Parquet writes through Beam FileSystems.

```
OUTPUT/
  data/language=<xx>/part-<batch_id>-<nnnnn>.parquet   final shards (published atomically)
  store/runs/<run_id>/locations/<batch_id>.parquet       one row per input record
  store/runs/<run_id>/outcomes/<batch_id>.parquet        kept / duplicate rows of candidates
  store/runs/<run_id>/files/<batch_id>.parquet           one row per input file
  _work/<run_id>/candidates/<batch_id>.parquet           extracted texts before deduplication
  metadata.duckdb                                        the metadata store (driver only)
  summary.json                                           the run summary
```
Every path goes through ``FileSystems`` so gs:// and s3:// outputs work the same as local ones.
Every file is written under a temporary name and renamed into place, so a reader (or a rerun
after a crash) never sees a partial file under its final name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
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


def write_parquet_atomically(table: pa.Table, path: str, row_group_rows: int = 2000) -> None:
    """Write ``table`` as zstd Parquet to a temporary name next to ``path``, then rename it."""
    temporary = f"{path}.tmp-{uuid.uuid4().hex}"
    with FileSystems.create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        pq.write_table(
            table,
            stream,
            compression="zstd",
            row_group_size=row_group_rows,
            use_dictionary=["language", "source_uri", "status", "reason", "mime_type"],
        )
    FileSystems.rename([temporary], [path])


def read_parquet(path: str) -> pa.Table:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return pq.read_table(stream)
