"""The index benchmark: its tree builder (deterministic, reused) and one tiny end-to-end round."""

from __future__ import annotations

import hashlib
import json

from bench import bench_index
from bench.index_tree import MARKER, build_tree, leaf_directories, page, plain_loop


def test_tree_is_deterministic_and_reused(tmp_path):
    assert build_tree(tmp_path / "a", 30, 4) is True
    assert build_tree(tmp_path / "a", 30, 4) is False  # same parameters: reused as it is
    assert build_tree(tmp_path / "b", 30, 4) is True
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.html"))
    assert len(files) == 30 and len({f.parent for f in files}) == 4
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert json.loads((tmp_path / "a" / MARKER).read_text())["files"] == 30
    assert leaf_directories(3, fanout=2) == ["s00/d000", "s00/d001", "s01/d002"]
    assert 1000 < len(page(7)) < 8000 and page(7) == page(7) != page(8)


def test_plain_loop_reads_every_page(tmp_path):
    build_tree(tmp_path, 12, 3)
    result = plain_loop(str(tmp_path), 1)
    total = sum(len(p.read_bytes()) for p in tmp_path.rglob("*.html"))
    assert (result["files"], result["bytes"]) == (12, total)
    assert plain_loop(str(tmp_path), 2)["files"] == 12
    assert hashlib.sha1(page(0)).hexdigest()  # the pages hash like any bytes


def test_benchmark_runs_on_a_tiny_tree(tmp_path, capsys):
    assert bench_index.main(["--files", "40", "--dirs", "4", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| crawlsift --index_only, 2 workers | 40 |" in out
    assert "| plain loop, 1 process | 40 |" in out and "files/s end to end" in out
