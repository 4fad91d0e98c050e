"""Older copies of documents a run read again, in shards that run did not write.

A file is read again when it changed (new size or mtime) or under ``--reprocess``. Its documents
are published in this run's shards, and their older copies are superseded in the store. But the
older copies can sit in shards of batches this run did not write: batches are cut from what a run
lists, so an incremental run that reads one changed file puts it in a new batch, and its old
batch's shards (named by the old batch) still hold it. Left there, the document would appear
twice in ``data/``.

So the driver, before loading the store, asks it which shards hold kept documents of the files
this run read (``plan``), writes that list to ``_work/<run_id>/superseded.json``, loads the store,
then rewrites those shards without the rows of those files (``finish``). A run killed between the
load and the rewrite leaves the list behind, and the next run finishes it (``recovery``).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.layout import OutputLayout, join, read_parquet

PENDING = "superseded.json"


def sources_read(layout: OutputLayout) -> list[str]:
    """The files this run read, from its ``files`` store parts."""
    pattern = join(layout.run_parts_dir, "files", "*.parquet")
    sources: set[str] = set()
    for metadata in FileSystems.match([pattern])[0].metadata_list:
        sources.update(read_parquet(metadata.path).column("source_uri").to_pylist())
    return sorted(sources)


def without_sources(table: pa.Table, sources: pa.Array) -> pa.Table:
    """The rows of a shard whose ``source_uri`` is not one of ``sources``."""
    return table.filter(pc.invert(pc.is_in(table.column("source_uri"), value_set=sources)))


def rewrite_shard(layout: OutputLayout, shard: str, sources: pa.Array) -> int:
    """Rewrite one shard (relative to the output) without rows of ``sources``, atomically; a
    shard left empty is deleted. Returns the rows removed."""
    path = layout.absolute(shard)
    if not FileSystems.exists(path):
        return 0
    table = read_parquet(path)
    kept = without_sources(table, sources)
    removed = table.num_rows - kept.num_rows
    if removed and kept.num_rows:
        layout.write_parquet(kept, path)
    elif removed:
        FileSystems.delete([path])
    return removed


def plan(layout: OutputLayout, candidates: set[str]) -> list[str]:
    """Record the shards to rewrite (``candidates``: none of them this run's) in the work
    directory, so that a killed run's successor can finish; returns them."""
    shards = sorted(candidates)
    if shards:
        with FileSystems.create(
            join(layout.work_dir, PENDING), compression_type=CompressionTypes.UNCOMPRESSED
        ) as stream:
            stream.write(json.dumps(shards).encode())
    return shards


def finish(layout: OutputLayout) -> int:
    """Rewrite the shards ``plan`` recorded for ``layout.run_id``; returns the rows removed."""
    pending = join(layout.work_dir, PENDING)
    if not FileSystems.exists(pending):
        return 0
    with FileSystems.open(pending, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        shards = json.loads(stream.read().decode())
    sources = pa.array(sources_read(layout), pa.string())
    removed = sum(rewrite_shard(layout, shard, sources) for shard in shards)
    FileSystems.delete([pending])
    return removed
