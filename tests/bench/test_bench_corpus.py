"""The benchmark crawl builder: deterministic bytes, wget-like records, real pages and variants."""

from __future__ import annotations

import hashlib

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.bench_corpus import build_corpus, near_duplicate, variant

pytestmark = pytest.mark.shared_data


def digests(paths: tuple[str, ...]) -> list[str]:
    return [hashlib.sha1(open(p, "rb").read()).hexdigest() for p in paths]


def test_same_arguments_give_the_same_bytes(tmp_path, shared_data):
    first = build_corpus(tmp_path / "a", n_records=12, n_files=3, data=shared_data)
    second = build_corpus(tmp_path / "b", n_records=12, n_files=3, data=shared_data)
    assert first.records == second.records == 12
    assert (first.payload_bytes, first.exact, first.near) == (second.payload_bytes, 0, 0)
    assert digests(first.files) == digests(second.files)


def test_a_smaller_rebuild_leaves_no_stale_files(tmp_path, shared_data):
    build_corpus(tmp_path, n_records=6, n_files=3, data=shared_data)
    info = build_corpus(tmp_path, n_records=2, n_files=1, data=shared_data)
    assert sorted(str(p) for p in tmp_path.glob("*.warc.gz")) == list(info.files)


def test_records_are_written_like_wget(tmp_path, shared_data):
    info = build_corpus(tmp_path, n_records=6, n_files=2, data=shared_data)
    types, responses = [], 0
    for path in info.files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                types.append(record.rec_type)
                assert record.rec_headers.get_header("WARC-Identified-Payload-Type") is None
                if record.rec_type == "response":
                    responses += 1
                    assert record.http_headers.get_statuscode() == "200"
                    assert b"<" in record.content_stream().read()
    assert responses == info.records == 6
    assert types.count("warcinfo") == 2 and types.count("request") == 6


def test_variants_are_exact_or_near_copies():
    html = b"<html><head></head><body><p>Some text.</p></body></html>"
    page = type("P", (), {"url": "https://a.example/x", "html": html})()
    assert variant(page, 0, 0) == ("https://a.example/x", html)
    url, exact = variant(page, 10, 1)  # passes 1, 8, 15, ... are exact copies
    assert exact == html and url != page.url
    url, near = variant(page, 11, 2)
    assert near == near_duplicate(html, 11) and near != html
    assert near.startswith(b"<html><head></head><body><p class=") and b"Some text." in near
