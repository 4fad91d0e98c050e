"""Reading index parts: the catalog slice for a key, then the one row group that may hold it.

A ``PartReader`` belongs to one open store. It caches what it has looked up (the layers, the
parts of a (layer, kind, partition), the row-group bounds of a part, open Parquet footers), so a
long-lived reader pays for the catalog once per part; the caches are dropped after every write.
A lookup then costs one bisect in memory and one row-group read per kind and layer.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from metadata_store import catalog, keys
from metadata_store.catalog import Layer
from metadata_store.keys import prefix_bit
from metadata_store.layout import DATA_KIND

_OPEN_FILES = 256
_KEPT_GROUPS = 32  # decoded row groups kept: about 8 MB at most


@dataclass(frozen=True)
class PartInfo:
    part_id: int
    path: Path
    first_row: int
    rows: int
    min_key: str
    max_key: str


@dataclass(frozen=True)
class Groups:
    """Row-group bounds of one part, as parallel lists (keys sorted, so bisectable)."""

    first_rows: list[int]
    min_keys: list[str]
    max_keys: list[str]
    min_lens: list[int]
    max_lens: list[int]
    prefix_bits: list[int]

    def exact(self, key: str) -> list[int]:
        """Row groups that may hold ``key``."""
        lo, hi = bisect_left(self.max_keys, key), bisect_right(self.min_keys, key)
        n, bit = len(key), prefix_bit(key)
        return [
            i
            for i in range(lo, hi)
            if self.min_lens[i] <= n <= self.max_lens[i] and self.prefix_bits[i] & bit
        ]

    def overlapping(self, low: str, high: str) -> list[int]:
        """Row groups that may hold keys in ``[low, high)``."""
        return list(range(bisect_left(self.max_keys, low), bisect_left(self.min_keys, high)))

    def containing_row(self, row: int) -> int:
        return bisect_right(self.first_rows, row) - 1


class PartReader:
    """Cached access to one store's catalog and parts."""

    def __init__(self, con: duckdb.DuckDBPyConnection, root: Path) -> None:
        self._con = con
        self._root = root
        self._layers: list[Layer] | None = None
        self._parts: dict[tuple[int, str, int], list[PartInfo]] = {}
        self._first_rows: dict[tuple[int, str, int], list[int]] = {}  # per slot, for bisect
        self._by_id: dict[int, PartInfo] = {}
        self._kind_parts: dict[tuple[int, str], list[PartInfo]] = {}  # every partition's
        self._groups: dict[int, Groups] = {}
        self._files: OrderedDict[Path, pq.ParquetFile] = OrderedDict()
        # the last row groups read: a lookup in several layers asks the newer ones again whether
        # they hold the record it found (``lookup.live``)
        self._tables: OrderedDict[tuple[Path, int, tuple[str, ...] | None], pa.Table] = (
            OrderedDict()
        )

    def invalidate(self) -> None:
        """Forget the catalog (it changed) and close the open parts (compaction deletes them)."""
        for handle in self._files.values():
            handle.close()
        self._layers = None
        self._parts.clear()
        self._first_rows.clear()
        self._by_id.clear()
        self._kind_parts.clear()
        self._groups.clear()
        self._files.clear()
        self._tables.clear()

    def layers(self) -> list[Layer]:
        """Newest first."""
        if self._layers is None:
            self._layers = catalog.layers(self._con)
        return self._layers

    def latest_runs(self, sources: list[str]) -> dict[str, str]:
        """The run that last read each of ``sources`` (the ``files`` table), where known."""
        if not sources:
            return {}
        # the keys as literals (integers computed here): DuckDB probes the source_key index for
        # constants, not for parameters
        probed = ", ".join(f"{keys.source_key(source)}::UBIGINT" for source in sources)
        marks = ", ".join("?" for _ in sources)
        rows = self._con.execute(
            f"SELECT source_uri, run_id FROM files WHERE source_key IN ({probed}) "
            f"AND source_uri IN ({marks})",
            sources,
        ).fetchall()
        return {str(source): str(run_id) for source, run_id in rows}

    def parts(self, layer: int, kind: str, partition: int) -> list[PartInfo]:
        """The parts of one (layer, kind, partition), in row order; an index kind's row-group
        bounds come in the same query (a slot holds a handful of parts)."""
        slot = (layer, kind, partition)
        if slot not in self._parts:
            rows = self._con.execute(
                "SELECT part_id, path, first_row, rows, min_key, max_key FROM index_parts "
                "WHERE layer = ? AND kind = ? AND partition = ? ORDER BY first_row",
                [layer, kind, partition],
            ).fetchall()
            found = self._part_infos(rows)
            self._parts[slot] = found
            self._first_rows[slot] = [part.first_row for part in found]
            self._by_id.update((part.part_id, part) for part in found)
            if kind != DATA_KIND and rows:
                self._load_groups([int(r[0]) for r in rows])
        return self._parts[slot]

    def parts_in_range(self, layer: int, kind: str, low: str, high: str) -> list[PartInfo]:
        """The parts of one (layer, kind), every partition, whose keys may fall in
        ``[low, high)``. All the kind's parts come in one catalog query the first time (where
        probing each partition would cost one per partition: 32,768 at 10 billion records),
        then are filtered in memory."""
        every = self._kind_parts.get((layer, kind))
        if every is None:
            rows = self._con.execute(
                "SELECT part_id, path, first_row, rows, min_key, max_key FROM index_parts "
                "WHERE layer = ? AND kind = ? ORDER BY partition, first_row",
                [layer, kind],
            ).fetchall()
            every = self._part_infos(rows)
            self._kind_parts[(layer, kind)] = every
        found = [part for part in every if part.max_key >= low and part.min_key < high]
        missing = [part.part_id for part in found if part.part_id not in self._groups]
        if missing:
            self._load_groups(missing)
        return found

    def _part_infos(self, rows: list[tuple]) -> list[PartInfo]:
        """Catalog rows (part_id, path, first_row, rows, min_key, max_key) as parts."""
        return [
            PartInfo(int(i), self._root / p, int(f), int(n), lo, hi) for i, p, f, n, lo, hi in rows
        ]

    def _load_groups(self, part_ids: list[int]) -> None:
        marks = ", ".join("?" for _ in part_ids)
        rows = self._con.execute(
            "SELECT part_id, first_row, min_key, max_key, min_len, max_len, prefix_bits "
            f"FROM index_row_groups WHERE part_id IN ({marks}) ORDER BY part_id, row_group",
            part_ids,
        ).fetchall()
        by_part: dict[int, list[tuple]] = {i: [] for i in part_ids}
        for row in rows:
            by_part[int(row[0])].append(row[1:])
        for part_id, groups in by_part.items():
            columns = list(zip(*groups, strict=True)) if groups else [()] * 6
            self._groups[part_id] = Groups(*(list(c) for c in columns))

    def groups(self, part: PartInfo) -> Groups:
        if part.part_id not in self._groups:
            self._load_groups([part.part_id])
        return self._groups[part.part_id]

    def read(self, part: PartInfo, group: int, columns: list[str] | None = None) -> pa.Table:
        """One row group of a part (all columns unless told); the last few are kept."""
        slot = (part.path, group, None if columns is None else tuple(columns))
        table = self._tables.get(slot)
        if table is not None:
            self._tables.move_to_end(slot)
            return table
        table = self._read(part, group, columns)
        self._tables[slot] = table
        if len(self._tables) > _KEPT_GROUPS:
            self._tables.popitem(last=False)
        return table

    def _read(self, part: PartInfo, group: int, columns: list[str] | None) -> pa.Table:
        handle = self._files.get(part.path)
        if handle is None:
            handle = pq.ParquetFile(part.path, memory_map=True, pre_buffer=False)
            self._files[part.path] = handle
            if len(self._files) > _OPEN_FILES:
                self._files.popitem(last=False)[1].close()
        else:
            self._files.move_to_end(part.path)
        return handle.read_row_group(group, columns=columns, use_threads=False)

    def data_groups(
        self, layer: int, pointers: list[tuple[int, int]]
    ) -> dict[tuple[int, int], list[int]]:
        """Pointers grouped by the records row group that holds them: (part_id, group) -> rows."""
        wanted: dict[tuple[int, int], list[int]] = {}
        for partition, row in pointers:
            parts = self.parts(layer, DATA_KIND, partition)
            i = bisect_right(self._first_rows[(layer, DATA_KIND, partition)], row) - 1
            if i < 0 or row >= parts[i].first_row + parts[i].rows:
                continue  # cannot happen for a pointer the same layer wrote
            within = row - parts[i].first_row
            groups = self.groups(parts[i])
            g = groups.containing_row(within)
            wanted.setdefault((parts[i].part_id, g), []).append(within - groups.first_rows[g])
        return wanted

    def data_rows(self, layer: int, pointers: list[tuple[int, int]]) -> list[pa.Table]:
        """The records rows at ``(rec_partition, rec_row)`` pointers, one read per row group."""
        return [  # data_groups has loaded the parts' slots
            self.read(self._by_id[part_id], g).take(pa.array(sorted(set(offsets))))
            for (part_id, g), offsets in self.data_groups(layer, pointers).items()
        ]
