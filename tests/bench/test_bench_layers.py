"""The layers benchmark on a small store: runs load, merge and answer lookups."""

from __future__ import annotations

from bench import bench_layers, bench_store


def test_merging_leaves_at_most_the_default_layers(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_store, "OUT", tmp_path)
    monkeypatch.setattr(bench_layers, "OUT", tmp_path)
    source = bench_store.synthesise(3000)
    never, by_id, by_url = bench_layers.measure(source, 6, 0, lookups=20)
    merged, *_ = bench_layers.measure(source, 6, bench_layers.MAX_LAYERS, lookups=20)
    assert never["layers"] == 6
    assert 1 <= merged["layers"] <= bench_layers.MAX_LAYERS
    assert by_id[0] > 0 and by_url[0] > 0
