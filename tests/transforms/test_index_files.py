"""Index-only reading: the full readers' records (ids, offsets, URLs), digested, not kept."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.transforms.test_readers import build_warc
from transforms.index_files import _IndexBatch
from transforms.index_readers import PIECE, index_records, read_small_page
from transforms.index_rows import IndexRows, unreadable_file
from transforms.layout import OutputLayout
from transforms.readers import ReadLimits, read_records
from transforms.records import (
    FILE_SCHEMA,
    LOCATION_SCHEMA,
    FileBatch,
    InputFile,
    make_record_id,
    sha1_hex,
)

PAGE = b"<html><body><p>An indexed page.</p></body></html>"


def indexed(path, data, limits=None):
    counts = Counter()
    file = InputFile(path, len(data))
    stream, limits = io.BytesIO(data), limits or ReadLimits()
    records = list(index_records(file, stream, limits, lambda name: counts.update([name])))
    return records, counts


def test_html_page_is_one_record_with_the_digest_of_its_bytes():
    (record,), counts = indexed("/d/p.html", PAGE)
    assert (record.record_id, record.source_offset, record.source_length) == (
        make_record_id("/d/p.html", 0),
        0,
        len(PAGE),
    )
    assert (record.content_digest, record.size, record.url, record.problem) == (
        sha1_hex(PAGE),
        len(PAGE),
        None,
        None,
    )
    assert record.payload is None  # nothing kept
    assert counts == Counter({"read:html": 1})


def test_gzipped_and_broken_html():
    (record,), _ = indexed("/d/p.html.gz", gzip.compress(PAGE))
    assert (record.content_digest, record.size, record.problem) == (sha1_hex(PAGE), len(PAGE), None)
    (record,), counts = indexed("/d/p.html.gz", gzip.compress(PAGE)[:-12])
    assert (record.problem, record.content_digest) == ("error:bad_gzip", None)
    assert counts["error:bad_gzip"] == 1
    bomb = gzip.compress(b"x" * 5000)
    (record,), _ = indexed("/d/b.html.gz", bomb, ReadLimits(max_decompressed_bytes=1000))
    assert (record.problem, record.content_digest) == ("error:decompression_limit", None)


def test_a_page_larger_than_one_piece_is_digested_in_pieces():
    data = b"<p>" + b"y" * (PIECE * 2 + 7) + b"</p>"
    (record,), _ = indexed("/d/big.html", data, ReadLimits(max_record_bytes=10))
    assert (record.content_digest, record.size, record.problem) == (sha1_hex(data), len(data), None)


class ShortReads(io.RawIOBase):
    """A raw stream that returns at most 10 bytes per read, as NFS or FUSE may."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.data.read(min(size, 10) if size >= 0 else 10)


def test_a_short_read_is_not_taken_for_the_end_of_the_page():
    file = InputFile("/d/p.html", len(PAGE))
    stream = ShortReads(PAGE)
    (record,) = index_records(file, stream, ReadLimits(), lambda name: None)
    assert (record.content_digest, record.size) == (sha1_hex(PAGE), len(PAGE))


def test_small_page_fast_path(tmp_path):
    page = tmp_path / "p.html"
    page.write_bytes(PAGE)
    assert read_small_page(InputFile(str(page), len(PAGE))) == PAGE
    assert read_small_page(InputFile(str(page), len(PAGE) - 1)) is None  # grew since listed
    assert read_small_page(InputFile(str(page), len(PAGE) + 1)) is None  # shrank since listed
    gz = tmp_path / "g.html"
    gz.write_bytes(gzip.compress(PAGE))
    assert read_small_page(InputFile(str(gz), gz.stat().st_size)) is None  # gzip: general path
    assert read_small_page(InputFile(str(tmp_path / "gone.html"), 5)) is None
    assert read_small_page(InputFile(str(tmp_path / "d.jsonl"), 5)) is None


@pytest.mark.parametrize("gz", [True, False])
def test_warc_records_are_located_like_the_full_reader_and_digested(gz):
    data, _ = build_warc(gz)
    path = "/d/a.warc.gz" if gz else "/d/a.warc"
    full = list(read_records(InputFile(path, len(data)), io.BytesIO(data)))
    index, _ = indexed(path, data)
    assert [(r.record_id, r.source_offset, r.source_length, r.url) for r in index] == [
        (r.record_id, r.source_offset, r.source_length, r.url) for r in full
    ]
    for full_record, record in zip(full, index, strict=True):
        assert (record.problem or "").startswith("error:") == (
            full_record.problem or ""
        ).startswith("error:")
        if full_record.payload is not None:  # the digest a full run stores, where it stores one
            assert record.content_digest == full_record.content_digest
    png = next(r for r in index if r.url == "http://example.com/logo.png")
    assert png.content_digest == sha1_hex(b"\x89PNG\r\n\x1a\n")  # every payload is digested


def test_truncated_warc_keeps_its_error():
    data, spans = build_warc(True)
    cut = data[: spans[3][0] + spans[3][1] // 2]
    index, _ = indexed("/d/t.warc.gz", cut)
    full = list(read_records(InputFile("/d/t.warc.gz", len(cut)), io.BytesIO(cut)))
    assert [(r.record_id, r.problem) for r in index if r.problem] == [
        (r.record_id, r.problem) for r in full if r.problem and r.problem.startswith("error:")
    ]
    assert index[-1].problem and index[-1].problem.startswith("error:")


def test_jsonl_lines_with_url_and_id():
    lines = [{"text": "one", "url": "https://j.example/1", "id": "doc-1"}, {"text": "two"}]
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines) + b"{broken\n"
    index, _ = indexed("/d/x.jsonl", data)
    assert [(r.url, r.doc_id, r.problem) for r in index] == [
        ("https://j.example/1", "doc-1", None),
        (None, None, None),
        (None, None, "error:bad_json"),
    ]
    assert index[0].content_digest == sha1_hex(b"one")


def test_index_rows_mix_pages_and_records_into_the_store_schemas():
    rows = IndexRows("batch")
    rows.add_page(InputFile("/d/p.html", len(PAGE), 1.5), PAGE)
    (record,), _ = indexed("/d/b.html.gz", b"\x1f\x8bnot gzip")
    first = rows.general_rows()
    rows.add_record(record)
    rows.add_file(InputFile("/d/b.html.gz", 10, 2.5), first)
    rows.add_record(unreadable_file(InputFile("/d/gone.html", 3)))
    rows.add_file(InputFile("/d/gone.html", 3, 0.0), first + 1)
    locations, files = rows.tables()
    assert locations.schema == LOCATION_SCHEMA and files.schema == FILE_SCHEMA
    by_uri = {r["source_uri"]: r for r in locations.to_pylist()}
    assert by_uri["/d/p.html"] == {
        "record_id": make_record_id("/d/p.html", 0),
        "doc_id": None,
        "url": None,
        "source_uri": "/d/p.html",
        "source_offset": 0,
        "source_length": len(PAGE),
        "content_digest": sha1_hex(PAGE),
        "fetch_time": None,
        "mime_type": "text/html",
        "size": len(PAGE),
        "language": None,
        "status": "indexed",
        "reason": None,
        "batch_id": "batch",
    }
    assert (by_uri["/d/b.html.gz"]["status"], by_uri["/d/b.html.gz"]["reason"]) == (
        "error",
        "error:bad_gzip",
    )
    assert by_uri["/d/gone.html"]["reason"] == "error:unreadable_file"
    assert {r["source_uri"]: (r["n_records"], r["error"]) for r in files.to_pylist()} == {
        "/d/p.html": (1, None),
        "/d/b.html.gz": (1, "error:bad_gzip"),
        "/d/gone.html": (1, "error:unreadable_file"),
    }
    assert len(rows) == 3


def test_index_batch_writes_its_parts(tmp_path):
    tree = tmp_path / "in"
    tree.mkdir()
    files = []
    for name, data in [
        ("a.html", PAGE),
        ("b.html.gz", gzip.compress(PAGE)),
        ("c.jsonl", b'{"text": "t"}\n'),
    ]:
        (tree / name).write_bytes(data)
        stat = os.stat(tree / name)
        files.append(InputFile(str(tree / name), stat.st_size, stat.st_mtime))
    files.append(InputFile(str(tree / "vanished.html"), 4, 0.0))
    layout = OutputLayout(str(tmp_path / "out"), "run")
    fn = _IndexBatch(layout, ReadLimits(), 2000)
    assert list(fn.process(FileBatch("b1", tuple(files)))) == [("b1", 4)]
    locations = pq.read_table(Path(layout.store_part("locations", "b1"))).to_pylist()
    assert sorted((r["source_uri"].rsplit("/", 1)[1], r["status"]) for r in locations) == [
        ("a.html", "indexed"),
        ("b.html.gz", "indexed"),
        ("c.jsonl", "indexed"),
        ("vanished.html", "error"),
    ]
    digests = {r["source_uri"].rsplit("/", 1)[1]: r["content_digest"] for r in locations}
    assert digests["a.html"] == digests["b.html.gz"] == hashlib.sha1(PAGE).hexdigest()
    assert pq.read_table(Path(layout.store_part("files", "b1"))).num_rows == 4
