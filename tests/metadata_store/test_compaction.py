"""Merging the newest layers: the size-tiered policy, and lookups that answer as before."""

from __future__ import annotations

import math

import pytest

from metadata_store import MetadataStore
from metadata_store.catalog import layers
from metadata_store.compaction import layers_to_merge
from tests.metadata_store.test_store import A, B, C, file_row, load, location, rid, write_run

D = "/data/d.html"


@pytest.mark.parametrize(
    ("rows", "max_layers", "expected"),
    [
        ([], 4, 0),
        ([5], 4, 0),
        ([1, 1], 4, 2),  # two runs of one size: one layer
        ([1, 2], 4, 0),  # the older is bigger than all the newer ones: left alone
        ([1, 1, 2], 4, 3),  # the carry goes on: 1 + 1 = 2 takes in the 2
        ([3, 1, 5], 4, 2),  # a big run on a small one: merged, the bigger layer below stays
        ([1, 2, 4, 8], 4, 0),
        ([1, 2, 4, 8, 16], 4, 2),  # five layers, at most four: the two smallest
        ([1, 2, 4, 8, 16], 1, 5),
        ([0, 7], 4, 0),  # an empty layer (its run read files now empty) stays on a big one
        ([0, 0, 7], 4, 2),
    ],
)
def test_layers_to_merge(rows, max_layers, expected):
    assert layers_to_merge(rows, max_layers) == expected


def test_layers_to_merge_refuses_no_layer_at_all():
    with pytest.raises(ValueError, match="max_layers must be >= 1"):
        layers_to_merge([1, 1], 0)


def test_runs_of_one_size_keep_few_layers_and_rewrite_each_row_a_few_times():
    stack: list[int] = []  # newest first
    rewritten = 0
    for run in range(1, 101):
        stack.insert(0, 1000)
        count = layers_to_merge(stack)
        rewritten += sum(stack[:count])
        stack[:count] = [sum(stack[:count])] if count else []
        assert len(stack) <= 4
        assert len(stack) <= bin(run).count("1")  # a binary counter's set bits
    assert rewritten / (100 * 1000) <= math.log2(100) + 1


def all_rows(store: MetadataStore) -> list[tuple]:
    con = store._connection()
    return sorted(con.execute("SELECT * FROM records").fetchall(), key=repr)


def lookups(store: MetadataStore, keys: list[str]) -> dict[str, list]:
    return {key: sorted(map(repr, store.locate(key))) for key in keys}


def three_runs(tmp_path) -> tuple[MetadataStore, list[str]]:
    """run-1 reads A (two records) and C; run-2 reads A again, which now holds one record, so
    A at offset 100 is gone; run-3 reads B. Three layers."""
    store = MetadataStore.open(tmp_path / "m.duckdb")
    first = [location(A, 0, "filtered", reason="filtered:too_short")]
    first += [location(A, 100, "filtered", reason="filtered:too_short")]
    first += [location(C, 0, "indexed", url="https://c.example/")]
    load(
        store, write_run(tmp_path, "run-1", first, files=[file_row(A, 2), file_row(C, 1)]), "run-1"
    )
    again = [location(A, 0, "indexed", content_digest="new")]
    load(store, write_run(tmp_path, "run-2", again, files=[file_row(A, 1)]), "run-2")
    third = [location(B, 0, "indexed", doc_id="doc-b")]
    load(store, write_run(tmp_path, "run-3", third, files=[file_row(B, 1)]), "run-3")
    keys = [rid(A, 0), rid(A, 100), rid(B, 0), rid(C, 0), A, B, C, "https://c.example/", "doc-b"]
    return store, keys


def test_merging_the_newest_layers_keeps_what_a_newer_run_superseded_below(tmp_path):
    store, keys = three_runs(tmp_path)
    with store:
        before, answers = all_rows(store), lookups(store, keys)
        assert answers[rid(A, 100)] == []  # run-2 read A again: its older record is gone
        assert store.merge_layers(2) == 2  # run-2 and run-3 become one layer on run-1's
        remaining = layers(store._connection())
        assert len(remaining) == 2
        assert remaining[0].run_id is None and remaining[0].runs == {"run-2", "run-3"}
        # run-1's record at A:100 stays superseded: the merged layer still holds run-2
        assert all_rows(store) == before
        assert lookups(store, keys) == answers
    with MetadataStore.open(tmp_path / "m.duckdb", read_only=True) as reader:
        assert lookups(reader, keys) == answers
        assert all_rows(reader) == before


def test_a_merge_of_layers_with_no_live_row_still_supersedes_older_ones(tmp_path):
    store, keys = three_runs(tmp_path)
    with store:
        # run-4 reads C, now empty; run-5 reads B, now empty: two empty layers
        load(store, write_run(tmp_path, "run-4", files=[file_row(C, 0)]), "run-4")
        load(store, write_run(tmp_path, "run-5", files=[file_row(B, 0)]), "run-5")
        before, answers = all_rows(store), lookups(store, keys)
        assert answers[rid(C, 0)] == [] and answers[rid(B, 0)] == []
        assert store.merge_layers(4) == 2  # [0, 0, 1, 1, 3] rows: the two empty ones first
        assert layers(store._connection())[0].records == 0
        assert all_rows(store) == before
        assert lookups(store, keys) == answers


def test_a_run_reloaded_after_its_layer_was_merged_replaces_its_rows(tmp_path):
    store, _ = three_runs(tmp_path)
    with store:
        assert store.merge_layers(1) == 3  # everything: a compaction
        again = [location(A, 0, "indexed", content_digest="newer")]
        load(store, write_run(tmp_path, "run-2b", again, files=[file_row(A, 1)]), "run-2")
        rows = {row["record_id"]: row for row in store.locate(A)}
        assert list(rows) == [rid(A, 0)] and rows[rid(A, 0)]["content_digest"] == "newer"
        assert store.accounting().records_in == 3  # A:0, B:0, C:0


def test_merge_layers_zero_never_merges(tmp_path):
    store, _ = three_runs(tmp_path)
    with store:
        assert store.merge_layers(0) == 0
        assert len(layers(store._connection())) == 3
