"""ListBatches: per-directory listing, distinct paths, committed skip, batches."""

from __future__ import annotations

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystems import FileSystems
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.util import assert_that, equal_to

from tests.beam_local import local_pipeline
from transforms.batched_listing import (
    SPREAD,
    Keep,
    ListBatches,
    ListBatchesWhereListed,
    ListPrefixFn,
    keeps_where_listed,
    new_files,
    whole_directories,
)
from transforms.batching import batch_id_for, is_warc, make_batches
from transforms.committed_files import (
    committed_by_directory,
    committed_versions,
    directories,
    expand_committed,
    read_committed,
)
from transforms.file_listing import parent_directory
from transforms.readers import detect_format
from transforms.records import FILE_SCHEMA, FileBatch, InputFile


def test_new_files_are_distinct_sorted_and_skip_committed_versions():
    listed = [
        (["/d/b.html", "/d/a.html"], [2, 1], [20.0, 10.0]),
        (["/d/a.html", "/d/c.html"], [1, 3], [10.0, 30.0]),  # a second pattern, overlapping
    ]
    committed = [(["/d/b.html", "/d/c.html"], [2, 3], [20.0, 31.0], ["r1", "r1"])]  # c changed
    files, skipped = new_files(listed, committed)
    assert files == [InputFile("/d/a.html", 1, 10.0), InputFile("/d/c.html", 3, 30.0)]
    assert skipped == 1
    assert new_files([listed[0]]) == (
        [InputFile("/d/a.html", 1, 10.0), InputFile("/d/b.html", 2, 20.0)],
        0,
    )


def test_a_file_listed_twice_with_different_metadata_is_one_file():
    listed = [(["/d/a.html"], [5], [2.0]), (["/d/a.html"], [4], [9.0])]
    assert new_files(listed) == ([InputFile("/d/a.html", 4, 9.0)], 0)
    assert new_files(list(reversed(listed))) == ([InputFile("/d/a.html", 4, 9.0)], 0)


def test_the_newest_run_that_read_a_file_decides_its_committed_version():
    lists = [
        (["/d/a", "/d/b"], [2, 3], [2.0, 3.0], ["20260102T000000Z-b", "20260101T000000Z-a"]),
        (["/d/a"], [1], [1.0], ["20260101T000000Z-a"]),
    ]
    assert committed_versions(lists) == {"/d/a": (2, 2.0), "/d/b": (3, 3.0)}


def test_a_file_restored_to_an_older_version_is_read_again():
    """A (run 1), then B (run 2), then A again: the store holds B, so A is new again."""
    committed = [
        (["/d/a"], [1], [1.0], ["20260101T000000Z-a"]),
        (["/d/a"], [2], [2.0], ["20260102T000000Z-b"]),
    ]
    assert new_files([(["/d/a"], [1], [1.0])], committed) == ([InputFile("/d/a", 1, 1.0)], 0)
    assert new_files([(["/d/a"], [2], [2.0])], committed) == ([], 1)


def test_directories_in_arrow():
    paths = pa.array(["/a/b/c.html", "gs://bucket/x/y.warc", "plain.html", "/top.html"])
    assert directories(paths).to_pylist() == ["/a/b", "gs://bucket/x", "", ""]


def test_committed_by_directory_cuts_a_table_per_directory():
    table = pa.table(
        {
            "source_uri": ["/b/2.html", "/a/1.html", "/b/1.html"],
            "size": pa.array([2, 1, 3], pa.int64()),
            "mtime": pa.array([None, 1.5, 3.5], pa.float64()),
            "run": ["r2", "r1", "r1"],
        }
    )
    assert list(committed_by_directory(table)) == [
        ("/a", (["/a/1.html"], [1], [1.5], ["r1"])),
        ("/b", (["/b/2.html", "/b/1.html"], [2, 3], [0.0, 3.5], ["r2", "r1"])),
    ]
    assert list(committed_by_directory(table.slice(0, 0))) == []


def _files_part(path, rows):
    table = pa.Table.from_pylist(
        [{"batch_id": "b", "n_records": 1, "error": None} | row for row in rows],
        schema=FILE_SCHEMA,
    )
    pq.write_table(table, path)


def test_expand_and_read_committed_parts(tmp_path):
    for i in range(5):
        _files_part(
            tmp_path / f"{i}.parquet", [{"source_uri": f"/d/{i}.html", "size": i, "mtime": 1.0}]
        )
    chunks = list(expand_committed(str(tmp_path / "*.parquet"), chunk=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    table = read_committed([p for chunk in chunks for p in chunk])
    assert sorted(table.column("source_uri").to_pylist()) == [f"/d/{i}.html" for i in range(5)]
    assert read_committed([]).num_rows == 0


def test_a_file_that_could_not_be_opened_is_not_committed(tmp_path):
    """It is read again next time (the failure may have been transient); other errors stay."""
    rows = [
        {"source_uri": "/d/gone.html", "size": 1, "mtime": 1.0, "error": "error:unreadable_file"},
        {"source_uri": "/d/cut.warc", "size": 2, "mtime": 1.0, "error": "error:truncated_record"},
        {"source_uri": "/d/ok.html", "size": 3, "mtime": 1.0},
    ]
    _files_part(tmp_path / "p.parquet", rows)
    table = read_committed([str(tmp_path / "p.parquet")])
    assert table.column_names == ["source_uri", "size", "mtime", "run"]
    assert table.column("source_uri").to_pylist() == ["/d/cut.warc", "/d/ok.html"]


def test_make_batches_warc_alone_and_is_warc():
    for name in ("a.warc", "a.WARC.gz", "a.html", "a.warc.bak", "a.jsonl.gz"):
        assert is_warc(name) == (detect_format(name) == "warc"), name
    files = [InputFile("/d/a.html", 1), InputFile("/d/b.warc.gz", 1), InputFile("/d/c.html", 1)]
    batches = list(make_batches(files, 10, 1000))
    assert [[f.path for f in b.files] for b in batches] == [
        ["/d/b.warc.gz"],
        ["/d/a.html", "/d/c.html"],
    ]
    assert batches[1].batch_id == batch_id_for(["/d/c.html", "/d/a.html"])


def test_file_batch_pickles_as_columns():
    import pickle

    batch = FileBatch("id", (InputFile("/d/a.html", 1, 2.5), InputFile("/d/b.html", 3, 0.0)))
    assert pickle.loads(pickle.dumps(batch)) == batch


def _write(root, names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<p>x</p>")


def _relative(root):
    return lambda batch: sorted(f.path[len(str(root)) :] for f in batch.files)


def test_list_batches_distinct_grouped_and_cut(tmp_path):
    _write(tmp_path, ["a/1.html", "a/2.html", "a/3.html", "b/x.warc.gz", "b/4.jsonl", "b/s.txt"])
    patterns = [str(tmp_path / "**" / "*"), str(tmp_path / "a" / "*.html")]  # overlapping
    with local_pipeline() as p:
        batches = p | ListBatches(patterns, files_per_batch=2, batch_bytes=1 << 20)
        assert_that(
            batches | beam.Map(_relative(tmp_path)),
            equal_to([["/a/1.html", "/a/2.html"], ["/a/3.html"], ["/b/4.jsonl"], ["/b/x.warc.gz"]]),
        )


def test_list_batches_skips_what_was_committed_with_the_same_size_and_mtime(tmp_path):
    _write(tmp_path / "in", ["a/1.html", "a/2.html", "b/3.html"])
    one, two = tmp_path / "in" / "a" / "1.html", tmp_path / "in" / "a" / "2.html"
    parts = tmp_path / "parts"
    parts.mkdir()
    _files_part(
        parts / "p.parquet",
        [
            {"source_uri": str(one), "size": one.stat().st_size, "mtime": one.stat().st_mtime},
            {"source_uri": str(two), "size": 999, "mtime": two.stat().st_mtime},  # changed
        ],
    )
    with local_pipeline() as p:
        batches = p | ListBatches(
            [str(tmp_path / "in" / "**")], 10, 1 << 20, [str(parts / "*.parquet")]
        )
        assert_that(
            batches | beam.Map(_relative(tmp_path / "in")),
            equal_to([["/a/2.html"], ["/b/3.html"]]),
        )


def test_whole_directories_only_for_one_pattern_without_overlaps_or_commits():
    assert whole_directories(["/t/**/*.html"], [])
    assert whole_directories(["/t/**"], [])
    assert whole_directories(["/t/*/x/*.html"], [])  # not fanned out: listed in one call
    assert whole_directories(["gs://b/**/*.warc.gz"], [])  # one FileSystems.match
    assert not whole_directories(["/t/**/*.html"], ["/o/store/runs/r/files/*.parquet"])
    assert not whole_directories(["/t/**/*.html", "/u/*.html"], [])
    assert not whole_directories(["/t/**/x/*.html"], [])  # "/" after **/: other directories
    assert not whole_directories(["/t/**/?.html"], [])  # ? matches "/" in Beam's globs


def test_first_run_of_one_pattern_batches_where_it_lists(tmp_path):
    names = [f"d{i % 3}/{j}/p{i}.html" for i in range(12) for j in ("a", "b")[: 1 + i % 2]]
    _write(tmp_path, [*names, "top.html", "d0/x.warc", "d1/skip.txt"])
    pattern = str(tmp_path / "**")
    assert whole_directories([pattern], [])
    by_directory: dict[str, list[InputFile]] = {}
    for m in FileSystems.match([pattern])[0].metadata_list:
        if detect_format(m.path):
            file = InputFile(m.path, m.size_in_bytes, m.last_updated_in_seconds)
            by_directory.setdefault(parent_directory(m.path), []).append(file)
    expected = [
        (b.batch_id, tuple(f.path for f in b.files))
        for files in by_directory.values()
        for b in make_batches(files, 3, 1 << 20)
    ]
    assert len(expected) > 6
    for patterns in ([pattern], [pattern, str(tmp_path / "none" / "*.html")]):  # fast, joined
        with local_pipeline() as p:
            batches = p | ListBatches(patterns, files_per_batch=3, batch_bytes=1 << 20)
            ids = batches | beam.Map(lambda b: (b.batch_id, tuple(f.path for f in b.files)))
            assert_that(ids, equal_to(expected))


def test_batch_id_is_the_digest_of_the_sorted_paths_each_followed_by_a_nul():
    import hashlib

    assert batch_id_for(["/b", "/a"]) == hashlib.sha1(b"/a\0/b\0").hexdigest()[:16]


def _small_and_large(root):
    _write(root, [f"small/{i}.html" for i in range(3)] + [f"large/{i}.html" for i in range(7)])


def test_a_prefix_of_few_files_keeps_its_batches_a_larger_one_spreads_them(tmp_path):
    _small_and_large(tmp_path)
    fn = ListPrefixFn((2, 1 << 20), keep=Keep(5, 1 << 20))
    small = list(fn.process(str(tmp_path / "small" / "*.html")))
    large = list(fn.process(str(tmp_path / "large" / "*.html")))
    assert [len(b.files) for b in small] == [2, 1]  # main output: plain batches
    assert all(isinstance(x, TaggedOutput) and x.tag == SPREAD for x in large)
    assert [len(x.value.files) for x in large] == [2, 2, 2, 1]
    few_but_big = list(
        ListPrefixFn((2, 1 << 20), keep=Keep(5, 20)).process(str(tmp_path / "small" / "*"))
    )
    assert [x.tag for x in few_but_big] == [SPREAD, SPREAD]  # 3 files of 8 bytes: over 20 bytes
    unkept = list(ListPrefixFn((2, 1 << 20)).process(str(tmp_path / "large" / "*.html")))
    assert [b.batch_id for b in unkept] == [x.value.batch_id for x in large]


def test_batches_where_listed_are_those_of_list_batches_split_by_prefix_size(tmp_path):
    _small_and_large(tmp_path)
    pattern = str(tmp_path / "**" / "*.html")
    ids = beam.Map(lambda b: (b.batch_id, len(b.files)))
    with local_pipeline() as p:
        every = p | "All" >> ListBatches([pattern], 2, 1 << 20) | "AllIds" >> ids
        kept, spread = p | "Split" >> ListBatchesWhereListed(
            [pattern], 2, 1 << 20, keep=Keep(5, 1 << 20)
        )
        kept_ids = kept | "KeptIds" >> beam.Map(lambda b: (b.batch_id, len(b.files)))
        spread_ids = spread | "SpreadIds" >> beam.Map(lambda b: (b.batch_id, len(b.files)))
        assert_that(
            (kept_ids, spread_ids) | beam.Flatten(),
            equal_to(
                [
                    (batch_id_for([str(tmp_path / "small" / f"{i}.html") for i in (0, 1)]), 2),
                    (batch_id_for([str(tmp_path / "small" / "2.html")]), 1),
                    *(
                        (
                            batch_id_for([str(tmp_path / "large" / f"{i}.html") for i in pair]),
                            len(pair),
                        )
                        for pair in ((0, 1), (2, 3), (4, 5), (6,))
                    ),
                ]
            ),
            label="SameBatches",
        )
        assert_that(kept_ids | beam.Map(lambda x: x[1]), equal_to([2, 1]), label="SmallKept")
        assert_that(every | "Count" >> beam.combiners.Count.Globally(), equal_to([6]), label="N")


def test_batches_where_listed_only_for_a_first_run_of_one_pattern():
    with pytest.raises(ValueError, match="not one pattern"):
        ListBatchesWhereListed(["/a/**", "/b/**"], 2, 1 << 20, keep=Keep(5, 1 << 20))


def test_an_archive_is_spread_even_from_a_small_prefix(tmp_path):
    _write(tmp_path, ["d/a.html", "d/b.html", "d/x.warc.gz"])
    out = list(ListPrefixFn((10, 1 << 20), keep=Keep(5, 1 << 20)).process(str(tmp_path / "d/*")))
    spread = [x.value.files[0].path for x in out if isinstance(x, TaggedOutput)]
    kept = [[f.path for f in b.files] for b in out if not isinstance(b, TaggedOutput)]
    assert spread == [str(tmp_path / "d" / "x.warc.gz")]
    assert kept == [[str(tmp_path / "d" / "a.html"), str(tmp_path / "d" / "b.html")]]


def test_only_local_patterns_that_fan_out_keep_batches_where_listed():
    assert keeps_where_listed("/t/**/*.html")
    assert keeps_where_listed("/t/**")
    assert not keeps_where_listed("/t/*.html")  # one prefix: one worker would index it all
    assert not keeps_where_listed("gs://b/**/*.html")  # one prefix, a request per file
    batches = ListBatchesWhereListed(["gs://b/**/*.html"], 10, 1 << 20, Keep(5, 1 << 20))
    assert batches.keep is None
