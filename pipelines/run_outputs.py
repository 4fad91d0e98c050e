"""What a run leaves in OUTPUT besides its store parts, and how the driver tidies it.

After the load: the shards this run published (named in its outcome parts), stale shards of its
batches that it did not write again, older copies of documents it read again (superseded.py),
its temporary work directory, and ``summary.json``.
"""

from __future__ import annotations

import posixpath

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from metadata_store import MetadataStore
from pipelines import superseded
from pipelines.summary import RunSummary
from transforms.layout import OutputLayout, join, read_parquet, remove_tree


def batch_of_shard(shard: str) -> str | None:
    """``data/language=xx/part-<batch_id>-<nnnnn>.parquet`` -> ``<batch_id>``."""
    name = posixpath.basename(shard)
    return name.split("-")[1] if name.startswith("part-") else None


def shards_of_batches(layout: OutputLayout, batch_ids: set[str]) -> list[str]:
    """The shards under ``data/`` (relative to the output) named after one of ``batch_ids``."""
    pattern = join(layout.data_dir, "**", "*.parquet")
    found = []
    for metadata in FileSystems.match([pattern])[0].metadata_list:
        relative = metadata.path[len(layout.output) + 1 :]
        if batch_of_shard(relative) in batch_ids:
            found.append(relative)
    return sorted(found)


def remove_stale_shards(layout: OutputLayout, current: set[str], batch_ids: set[str]) -> int:
    """Delete shards of the batches this run processed that this run did not write again (a
    rerun with other settings may write fewer); shards of other batches are left alone."""
    stale = [s for s in shards_of_batches(layout, batch_ids) if s not in current]
    if stale:
        FileSystems.delete([layout.absolute(shard) for shard in stale])
    return len(stale)


def batches_of_run(layout: OutputLayout) -> set[str]:
    """The batch ids this run processed, from its location parts."""
    pattern = join(layout.run_parts_dir, "locations", "*.parquet")
    return {
        posixpath.basename(m.path).removesuffix(".parquet")
        for m in FileSystems.match([pattern])[0].metadata_list
    }


def shards_of_run(layout: OutputLayout) -> set[str]:
    """The shards this run published, from its outcome parts (works on any filesystem)."""
    pattern = join(layout.run_parts_dir, "outcomes", "*.parquet")
    shards: set[str] = set()
    for metadata in FileSystems.match([pattern])[0].metadata_list:
        shards.update(s for s in read_parquet(metadata.path).column("shard").to_pylist() if s)
    return shards


def plan_superseded(store: MetadataStore, layout: OutputLayout) -> None:
    """Before the load: which earlier shards hold older copies of documents this run read again
    (pipelines/superseded.py). Shards of this run's own batches (which include every shard it
    published) are republished or removed as stale anyway."""
    if not store.runs():
        return
    batches = batches_of_run(layout)
    candidates = {
        shard
        for shard in store.kept_shards_of(superseded.sources_read(layout))
        if batch_of_shard(shard) not in batches
    }
    superseded.plan(layout, candidates)


def remove_work_dir(layout: OutputLayout) -> None:
    """Remove the run's temporary files, and ``OUTPUT/_work`` itself once it is empty."""
    remove_tree(layout.work_dir)
    parent = join(layout.output, "_work")
    if not FileSystems.match([join(parent, "*")])[0].metadata_list and FileSystems.exists(parent):
        FileSystems.delete([parent])


def write_summary(output: str, summary: RunSummary) -> None:
    with FileSystems.create(
        join(output, "summary.json"), compression_type=CompressionTypes.UNCOMPRESSED
    ) as stream:
        stream.write(summary.to_json().encode())


def tidy(layout: OutputLayout) -> set[str]:
    """After the load: remove stale and superseded shard rows and the work directory; returns
    the shards this run published."""
    shards = shards_of_run(layout)
    remove_stale_shards(layout, shards, batches_of_run(layout))
    superseded.finish(layout)
    remove_work_dir(layout)
    return shards
