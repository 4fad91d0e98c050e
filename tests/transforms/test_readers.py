"""Readers: exact records and counters for small WARC/HTML/JSONL inputs built here, plus the
real WARCs in ../shared/data (no crash, every record located)."""

from __future__ import annotations

import gzip
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.readers import ReadLimits, detect_format, read_records
from transforms.records import InputFile, make_record_id, sha1_hex

PAGE = b"<!doctype html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>"
DATE = "2024-04-25T10:00:00Z"


def read(path, data, limits=None, stream=None):
    counts = Counter()

    def count(name):
        counts[name] += 1

    stream = stream or io.BytesIO(data)
    records = list(read_records(InputFile(path, len(data)), stream, limits or ReadLimits(), count))
    return records, dict(counts)


# --- building WARCs -----------------------------------------------------------------------------


def _http(status, content_type, extra=()):
    headers = [("Content-Type", content_type), *extra] if content_type else list(extra)
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def _chunked(data):
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)


# (record type, target URI, HTTP headers or None, body): one input record each.
SPECS = [
    ("warcinfo", None, None, b"software: test\r\n"),
    ("response", "http://example.com/", _http("200 OK", "text/html; charset=UTF-8"), PAGE),
    ("response", "http://example.com/missing", _http("404 Not Found", "text/html"), b"<p>no</p>"),
    ("response", "http://example.com/logo.png", _http("200 OK", "image/png"), b"\x89PNG\r\n\x1a\n"),
    ("response", "http://example.com/doc", _http("200 OK", "text/html"), b"%PDF-1.4\n%\xe2\xe3\n"),
    ("request", "http://example.com/", StatusAndHeaders("GET / HTTP/1.1", []), b""),
    ("revisit", "http://example.com/", _http("200 OK", "text/html"), b""),
    ("response", "http://example.com/empty", _http("200 OK", "text/html"), b""),
    ("resource", "<http://example.com/r.html>", None, PAGE),
    ("response", "http://example.com/plain", _http("200 OK", "text/plain"), PAGE),
    (
        "response",
        "http://example.com/gz",
        _http(
            "200 OK", "text/html", [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]
        ),
        _chunked(gzip.compress(PAGE, mtime=0)),
    ),
    ("metadata", "http://example.com/", None, b"via: x\r\n"),
    ("response", "dns:example.com", None, b"example.com. 300 IN A 1.2.3.4\n"),
]
# What each SPECS entry reads as: (url, problem, http_status, mime_type, charset); None = skipped.
EXPECTED = [
    None,
    ("http://example.com/", None, 200, "text/html", "UTF-8"),
    ("http://example.com/missing", "filtered:http_status", 404, "text/html", None),
    ("http://example.com/logo.png", "filtered:not_html", 200, "image/png", None),
    ("http://example.com/doc", "filtered:not_html", 200, "text/html", None),
    None,
    ("http://example.com/", "filtered:revisit", 200, "text/html", None),
    ("http://example.com/empty", "filtered:empty", 200, "text/html", None),
    ("http://example.com/r.html", None, None, "text/html", None),
    ("http://example.com/plain", None, 200, "text/plain", None),
    ("http://example.com/gz", None, 200, "text/html", None),
    None,
    ("dns:example.com", "filtered:not_html", None, "text/dns", None),
]
COUNTS = {
    "skipped:warc_warcinfo": 1,
    "skipped:warc_request": 1,
    "skipped:warc_metadata": 1,
    "read:warc_response": 8,
    "read:warc_revisit": 1,
    "read:warc_resource": 1,
}


def _warc_record(writer, i, kind, uri, http, body):
    headers = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{i:012d}>", "WARC-Date": DATE}
    if kind == "revisit":
        headers["WARC-Profile"] = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
    content_type = "text/dns" if (uri or "").startswith("dns:") else ""
    content_type = "text/html" if kind == "resource" else content_type  # else warcio's default
    return writer.create_warc_record(
        uri,
        kind,
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict=headers,
        warc_content_type=content_type,
    )


def build_warc(gz, specs=SPECS):
    """The WARC bytes and, per record, (offset, length) measured by writing records one by one."""
    parts = []
    for i, spec in enumerate(specs):
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=gz)
        record = _warc_record(writer, i, *spec)
        if spec[1] and spec[1].startswith("<"):  # wget quirk: keep the angle brackets
            record.rec_headers.replace_header("WARC-Target-URI", spec[1])
        writer.write_record(record)
        parts.append(buf.getvalue())
    offsets = [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    # uncompressed WARC record lengths exclude the two CRLFs that separate records
    spans = [
        (offset, len(part) - (0 if gz else 4)) for offset, part in zip(offsets, parts, strict=True)
    ]
    return b"".join(parts), spans


def expected_records(path, spans, shift_from=None, shift=0):
    rows = []
    for i, ((offset, length), want) in enumerate(zip(spans, EXPECTED, strict=True)):
        if want is not None:
            offset += shift if shift_from is not None and i >= shift_from else 0
            rows.append((make_record_id(path, offset), offset, length, *want))
    return rows


SUMMARY = "record_id source_offset source_length url problem http_status mime_type charset"


def summary(records):
    return [tuple(getattr(r, field) for field in SUMMARY.split()) for r in records]


# --- WARC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_warc_records_and_counters(gz):
    path = "mem://crawl.warc.gz" if gz else "mem://crawl.warc"
    data, spans = build_warc(gz)
    records, counts = read(path, data)
    assert summary(records) == expected_records(path, spans)
    assert counts == COUNTS
    kept = {r.url: r for r in records if r.problem is None}
    for url in ("http://example.com/", "http://example.com/r.html", "http://example.com/plain"):
        assert kept[url].payload == PAGE
        assert kept[url].content_digest == sha1_hex(PAGE)
    assert kept["http://example.com/gz"].payload == PAGE  # de-chunked and gunzipped
    assert kept["http://example.com/"].fetch_time == DATE
    assert all(r.payload is None and r.content_digest is None for r in records if r.problem)


def test_warc_from_unseekable_stream_is_identical():
    class Unseekable(io.RawIOBase):
        def __init__(self, data):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data, _ = build_warc(True)
    expected, _ = read("mem://a.warc.gz", data)
    records, _ = read("mem://a.warc.gz", data, stream=Unseekable(data))
    assert records == expected


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_warc_truncated_in_second_input_record(gz):
    path = "mem://cut.warc.gz" if gz else "mem://cut.warc"
    data, spans = build_warc(gz)
    cut = spans[2][0] + spans[2][1] // 2
    records, counts = read(path, data[:cut])
    first = expected_records(path, spans)[0]
    assert [summary(records)[0]] == [first]
    last = records[1]
    assert (last.source_offset, last.source_length, last.problem) == (
        spans[2][0],
        cut - spans[2][0],
        "error:truncated_record",
    )
    assert len(records) == 2 and last.payload is None
    assert counts["skipped:warc_warcinfo"] == 1 and counts["read:warc_response"] <= 2


def _garbage(n=500):
    noise = random.Random(7).randbytes(n)
    assert b"\x1f\x8b\x08" not in noise and b"WARC/1." not in noise
    return noise


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_warc_resynchronises_after_garbage_between_records(gz):
    path = "mem://noisy.warc.gz" if gz else "mem://noisy.warc"
    data, spans = build_warc(gz)
    at = spans[4][0]  # between the PDF response and the request
    noisy = data[:at] + _garbage() + data[at:]
    records, counts = read(path, noisy)
    good = expected_records(path, spans, shift_from=4, shift=500)
    gap = (make_record_id(path, at), at, 500)
    gap_row = (*gap, None, "error:unreadable_bytes", None, None, None)
    assert summary(records) == [*good[:3], gap_row, *good[3:]]
    assert counts == {**COUNTS, "resync:warc": 1, "read:warc_unreadable": 1}


def test_warc_garbage_at_the_end_is_one_unreadable_tail():
    data, _ = build_warc(True, SPECS[:3])
    records, counts = read("mem://t.warc.gz", data + _garbage())
    tail = records[-1]
    assert len(records) == 3
    assert (tail.source_offset, tail.source_length, tail.problem) == (
        len(data),
        500,
        "error:unreadable_tail",
    )
    assert counts["read:warc_unreadable"] == 1


def test_warc_payload_limit():
    data, _ = build_warc(True, SPECS[:2])
    records, _ = read("mem://l.warc.gz", data, ReadLimits(max_record_bytes=len(PAGE) - 1))
    assert [r.problem for r in records] == ["filtered:too_large"]
    records, _ = read("mem://l.warc.gz", data, ReadLimits(max_record_bytes=len(PAGE)))
    assert [r.problem for r in records] == [None]


def test_not_a_warc_at_all_is_one_error_record():
    records, counts = read("mem://x.warc", b"hello world\n" * 10)
    assert [(r.source_offset, r.source_length, r.problem) for r in records] == [
        (0, 120, "error:unreadable_tail")
    ]
    assert counts == {"read:warc_unreadable": 1}


# --- formats, HTML, JSONL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("gs://b/x.warc.gz", "warc"),
        ("/d/X.WARC", "warc"),
        ("a.html", "html"),
        ("a.HTM.gz", "html"),
        ("a.jsonl", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.json.gz", "jsonl"),
        ("a.json", None),
        ("a.warc.wet.gz", None),
        ("a.arc.gz", None),
        ("a.txt", None),
    ],
)
def test_detect_format(path, fmt):
    assert detect_format(path) == fmt


def test_unknown_format_is_one_error_record():
    records, counts = read("mem://a.txt", b"abc")
    assert [(r.source_offset, r.source_length, r.problem) for r in records] == [
        (0, 3, "error:unknown_format")
    ]
    assert counts == {"read:unknown_unreadable": 1}


@pytest.mark.parametrize(
    ("name", "data", "limits", "problem"),
    [
        ("p.html", PAGE, None, None),
        ("p.html.gz", gzip.compress(PAGE) + gzip.compress(b"<p>2</p>"), None, None),
        ("p.htm", b"", None, "filtered:empty"),
        ("p.html", b"\x89PNG\r\n\x1a\n" + bytes(64), None, "filtered:not_html"),
        ("p.html.gz", b"\x1f\x8b\x08\x00garbage", None, "error:bad_gzip"),
        ("p.html.gz", gzip.compress(PAGE)[:-12], None, "error:bad_gzip"),
        ("p.html", PAGE, ReadLimits(max_record_bytes=10), "filtered:too_large"),
        (
            "p.html.gz",
            gzip.compress(bytes(10_000)),
            ReadLimits(10, 5_000),
            "error:decompression_limit",
        ),
    ],
)
def test_html_file(name, data, limits, problem):
    path = f"mem://{name}"
    records, counts = read(path, data, limits)
    assert counts == {"read:html": 1}
    [record] = records
    assert (record.record_id, record.source_offset, record.source_length) == (
        make_record_id(path, 0),
        0,
        len(data),
    )
    assert (record.url, record.mime_type, record.problem) == (None, "text/html", problem)
    if problem is None:
        assert record.payload.startswith(PAGE) and record.content_digest == sha1_hex(record.payload)
    else:
        assert record.payload is None and record.content_digest is None


JSONL_LINES = [
    json.dumps({"id": 7, "text": "First doc.", "url": "http://a/", "date": "2024-01-01"}),
    "",
    "{not json",
    json.dumps({"id": "x", "text": 3}),
    "   ",
    json.dumps(["text"]),
    json.dumps({"text": "Second \ud800 doc."}),
    json.dumps({"text": "  "}),
    json.dumps({"text": "Last, no newline.", "fetch_time": "2024-02-02T00:00:00Z"}),
]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_jsonl(gz):
    plain = "\n".join(JSONL_LINES).encode()
    data = gzip.compress(plain) if gz else plain
    path = "mem://d.jsonl.gz" if gz else "mem://d.jsonl"
    records, counts = read(path, data)
    starts = [0]
    for line in JSONL_LINES:
        starts.append(starts[-1] + len(line.encode()) + 1)
    want = [  # (line number, problem, text, doc_id, url, fetch_time)
        (0, None, "First doc.", "7", "http://a/", "2024-01-01"),
        (2, "error:bad_json", None, None, None, None),
        (3, "error:missing_text", None, None, None, None),
        (5, "error:bad_json", None, None, None, None),
        (6, None, "Second ? doc.", None, None, None),
        (7, "filtered:empty", "  ", None, None, None),
        (8, None, "Last, no newline.", None, None, "2024-02-02T00:00:00Z"),
    ]
    got = [
        (r.source_offset, r.source_length, r.problem, r.text, r.doc_id, r.url, r.fetch_time)
        for r in records
    ]
    assert got == [(starts[n], len(JSONL_LINES[n].encode()), *rest) for n, *rest in want]
    assert [r.record_id for r in records] == [
        make_record_id(path, r.source_offset) for r in records
    ]
    assert counts == {"read:jsonl": 7, "skipped:jsonl_blank": 2}
    first = records[0]
    assert (first.mime_type, first.payload, first.content_digest) == (
        "text/plain",
        None,
        sha1_hex(b"First doc."),
    )


def test_jsonl_limits_and_broken_gzip():
    lines = [json.dumps({"text": "a" * 100}), json.dumps({"text": "ok"}), "x" * 5000, "{}"]
    plain = "\n".join(lines).encode()
    records, _ = read("mem://l.jsonl", plain, ReadLimits(max_record_bytes=50))
    assert [(r.source_offset, r.problem) for r in records] == [
        (0, "filtered:too_large"),
        (113, None),
        (128, "filtered:too_large"),
        (5129, "error:missing_text"),
    ]
    records, _ = read("mem://l.jsonl.gz", gzip.compress(plain), ReadLimits(50, 1000))
    assert [(r.source_offset, r.problem) for r in records] == [
        (0, "filtered:too_large"),
        (113, None),
        (128, "error:decompression_limit"),
    ]
    cut = gzip.compress(plain)[:-8]  # no CRC/size trailer: the stream ends inside the member
    records, _ = read("mem://c.jsonl.gz", cut)
    assert [(r.source_offset, r.source_length, r.problem) for r in records] == [
        (0, 112, None),
        (113, 14, None),
        (128, 5000, "error:bad_json"),
        (5129, 2, "error:bad_gzip"),
    ]


# --- the real WARCs -----------------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_warcs_read_without_errors_escaping(shared_data: Path):
    paths = sorted(p for p in shared_data.glob("warc-*/**/*.warc*") if detect_format(str(p)))
    assert len(paths) >= 15
    for path in paths:
        data = path.read_bytes()
        records, _ = read(str(path), data)
        ids = [r.record_id for r in records]
        assert all(ids) and len(set(ids)) == len(ids), path
        assert all(
            0 <= r.source_offset <= r.source_offset + r.source_length <= len(data) for r in records
        )


@pytest.mark.shared_data
def test_real_dolma_warc(shared_data: Path):
    path = shared_data / "warc-dolma" / "sample-0000.warc.gz"
    records, counts = read(str(path), path.read_bytes())
    responses = [r for r in records if r.mime_type == "text/html"]
    assert counts["read:warc_response"] == 22 and len(responses) == 22
    assert all(r.url.startswith("http") and not r.url.endswith(">") for r in responses)
    assert all(r.problem is None and r.payload for r in responses)


@pytest.mark.shared_data
def test_real_unreadable_edge_cases(shared_data: Path):
    edge = shared_data / "warc-warcio-edge-cases"
    path = edge / "example-bad-non-chunked.warc.gz"
    data = path.read_bytes()
    records, _ = read(str(path), data)
    assert [(r.source_offset, r.source_length, r.problem) for r in records] == [
        (0, len(data), "error:non_chunked_gzip")
    ]
    path = edge / "example-wrong-chunks.warc.gz"
    records, _ = read(str(path), path.read_bytes())
    assert [(r.source_offset, r.problem) for r in records] == [
        (0, "error:truncated_record"),
        (516, "error:unreadable_tail"),
    ]


def test_a_status_code_of_non_ascii_digits_is_no_status():
    """``"²0".isdigit()`` is true but ``int("²0")`` fails: the record is filtered, not lost."""
    specs = [("response", "http://example.com/odd", _http("200 OK", "text/html"), PAGE)]
    data, _ = build_warc(False, specs)
    data = data.replace(b"HTTP/1.1 200 OK", "HTTP/1.1 ²0 OK".encode(), 1)  # same length
    (record,), _ = read("/d/odd.warc", data)
    assert (record.url, record.problem, record.http_status) == (
        "http://example.com/odd",
        "filtered:http_status",
        None,
    )


class FlakyStream(io.BytesIO):
    """Fails once partway through, the way a GCS read can (not an OSError), then reads on."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        super().__init__(data)
        self.fail_at = fail_at

    def read(self, size: int = -1) -> bytes:
        if self.fail_at is not None and self.tell() + max(size, 1) > self.fail_at:
            from google.api_core.exceptions import ServiceUnavailable

            self.fail_at = None
            raise ServiceUnavailable("503 GET gs://bucket/crawl/a.warc.gz")
        return super().read(size)


def test_a_transport_error_mid_warc_is_raised_for_a_retry_not_recorded_as_bad_bytes():
    pytest.importorskip("google.api_core")
    data, spans = build_warc(True)
    with pytest.raises(Exception, match="503"):
        read("/d/a.warc.gz", data, stream=FlakyStream(data, spans[3][0]))
