"""PublishShards: turn candidate parts into final shards, dropping what deduplication removed.

The removal decisions (a few tens of bytes each) are grouped by the candidate part they concern;
each part is then read back on one worker, its removed documents dropped, and the rest written as
language-partitioned, size-bounded zstd Parquet shards with deterministic names. The same worker
writes the part's outcome rows (kept with its shard, or duplicate of which) for the store, and
the kept documents' signature rows that later runs deduplicate against (signature_parts.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
from apache_beam.metrics import Metrics

from transforms.layout import OutputLayout, read_parquet
from transforms.local_worker import exit_promptly
from transforms.records import DUPLICATE, KEPT, OUTCOME_SCHEMA, Removal
from transforms.signature_parts import publish_kept_signatures


def batch_id_of_part(part: str) -> str:
    """``.../candidates/<batch_id>.parquet`` -> ``<batch_id>``."""
    return posixpath.basename(part).removesuffix(".parquet")


def plan_shards(table: pa.Table, max_rows_per_shard: int) -> Iterator[tuple[str, int, pa.Table]]:
    """Split a table of kept documents into (language, index, rows) shards, in row order."""
    for language in sorted(set(table.column("language").to_pylist())):
        rows = table.filter(pc.equal(table.column("language"), language))
        for index, start in enumerate(range(0, rows.num_rows, max_rows_per_shard)):
            yield language, index, rows.slice(start, max_rows_per_shard)


def outcome_rows(
    table: pa.Table, removed: dict[str, Removal], shard_of: dict[str, str]
) -> list[dict[str, Any]]:
    """One OUTCOME_SCHEMA row per candidate document of a part."""
    rows = []
    for record_id in table.column("record_id").to_pylist():
        removal = removed.get(record_id)
        if removal is not None:
            rows.append(
                {
                    "record_id": record_id,
                    "status": DUPLICATE,
                    "reason": removal.reason,
                    "duplicate_of": removal.duplicate_of,
                    "similarity": removal.similarity,
                    "shard": None,
                }
            )
        else:
            rows.append(
                {
                    "record_id": record_id,
                    "status": KEPT,
                    "reason": None,
                    "duplicate_of": None,
                    "similarity": None,
                    "shard": shard_of[record_id],
                }
            )
    return rows


class _PublishPart(beam.DoFn):
    def __init__(self, layout: OutputLayout, max_rows_per_shard: int, row_group_rows: int) -> None:
        self.layout = layout
        self.max_rows_per_shard = max_rows_per_shard
        self.row_group_rows = row_group_rows
        self.kept = Metrics.counter("crawlsift", "status:kept")
        self.duplicates = Metrics.counter("crawlsift", "status:duplicate")
        self.shards = Metrics.counter("crawlsift", "shards:written")

    def setup(self) -> None:
        exit_promptly()

    def process(self, element: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[dict[str, Any]]:
        part, grouped = element
        removed = {removal.record_id: removal for removal in grouped["removed"]}
        table = read_parquet(part)
        batch_id = batch_id_of_part(part)
        keep_mask = pa.array([rid not in removed for rid in table.column("record_id").to_pylist()])
        kept = table.filter(keep_mask)
        shard_of: dict[str, str] = {}
        for language, index, rows in plan_shards(kept, self.max_rows_per_shard):
            name = self.layout.shard_name(language, batch_id, index)
            self.layout.write_parquet(rows, self.layout.absolute(name), self.row_group_rows)
            shard_of.update(dict.fromkeys(rows.column("record_id").to_pylist(), name))
            self.shards.inc()
            yield {"shard": name, "language": language, "rows": rows.num_rows}
        self.layout.write_parquet(
            pa.Table.from_pylist(outcome_rows(table, removed, shard_of), schema=OUTCOME_SCHEMA),
            self.layout.store_part("outcomes", batch_id),
        )
        publish_kept_signatures(self.layout, batch_id, set(shard_of))
        self.kept.inc(kept.num_rows)
        self.duplicates.inc(table.num_rows - kept.num_rows)


class PublishShards(beam.PTransform):
    """(parts: PCollection[str], removals: PCollection[Removal]) -> PCollection[shard info]."""

    def __init__(self, layout: OutputLayout, max_rows_per_shard: int, row_group_rows: int) -> None:
        super().__init__()
        self.fn = _PublishPart(layout, max_rows_per_shard, row_group_rows)

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        parts, removals = inputs
        return (
            {
                "part": parts | "KeyParts" >> beam.Map(lambda part: (part, None)),
                "removed": removals | "KeyRemovalsByPart" >> beam.Map(lambda r: (r.part, r)),
            }
            | "GroupRemovalsByPart" >> beam.CoGroupByKey()
            | "WriteShards" >> beam.ParDo(self.fn)
        )
