"""ListInputs: batching rules (pure) and the composite on a real directory tree."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.beam_local import local_pipeline
from transforms.listing import ListInputs, batch_id_for, make_batches, parent_directory
from transforms.records import InputFile


def test_batch_id_is_order_independent_and_stable():
    assert batch_id_for(["b", "a"]) == batch_id_for(["a", "b"])
    assert batch_id_for(["a"]) != batch_id_for(["a", "b"])
    assert len(batch_id_for(["a"])) == 16


def test_make_batches_by_count_and_bytes_with_large_files_alone():
    files = [InputFile(f"/d/{i:02d}.html", 10) for i in range(5)] + [InputFile("/d/big.warc", 600)]
    batches = list(make_batches(files, files_per_batch=2, batch_bytes=1000))
    assert sorted([f.path for f in b.files] for b in batches) == [
        ["/d/00.html", "/d/01.html"],
        ["/d/02.html", "/d/03.html"],
        ["/d/04.html"],
        ["/d/big.warc"],
    ]
    small_warcs = [InputFile("/d/a.warc.gz", 10), InputFile("/d/b.warc", 10)]
    assert sorted([f.path for f in b.files] for b in make_batches(small_warcs, 10, 1000)) == [
        ["/d/a.warc.gz"],
        ["/d/b.warc"],
    ]
    assert sorted([f.path for f in b.files] for b in make_batches(files[:5], 10, 35)) == [
        ["/d/00.html", "/d/01.html", "/d/02.html"],
        ["/d/03.html", "/d/04.html"],
    ]


def test_parent_directory_for_local_and_cloud_paths():
    assert parent_directory("/a/b/c.warc.gz") == "/a/b"
    assert parent_directory("gs://bucket/x/y.html") == "gs://bucket/x"


def test_list_inputs_distinct_files_grouped_by_directory(tmp_path):
    for name in ["a/1.html", "a/2.html", "b/3.jsonl", "b/skip.txt"]:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    patterns = [str(tmp_path / "**" / "*"), str(tmp_path / "a" / "*.html")]  # overlapping
    with local_pipeline() as p:
        batches = p | ListInputs(patterns, files_per_batch=10, batch_bytes=1 << 20)
        paths = batches | beam.Map(lambda b: sorted(f.path[len(str(tmp_path)) :] for f in b.files))
        assert_that(paths, equal_to([["/a/1.html", "/a/2.html"], ["/b/3.jsonl"]]))
