"""Turn one input file (WARC, HTML or JSONL; gzipped or not) into ``RawRecord`` values.

Readers are pure generators over an open binary stream, testable without Beam. Bad content never
raises: every input record and every unreadable stretch of a file becomes a record (with a
``problem`` unless it is a usable document), so the accounting covers the whole input. Only
``OSError`` propagates: an I/O failure should be retried by the runner, not recorded as data loss.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from transforms import decoding
from transforms.records import InputFile, RawRecord, make_record_id, sha1_hex

Count = Callable[[str], None]
FieldsOf = Callable[[ArcWarcRecord, "ReadLimits"], dict[str, Any]]

INPUT_TYPES = frozenset({"response", "resource", "revisit"})
NON_DOCUMENT_TYPES = frozenset({"warcinfo", "request", "metadata", "conversion", "continuation"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Labels servers send when they do not know: the body decides (it must look like HTML).
SNIFFED_TYPES = frozenset({"", "text/plain", "application/octet-stream"})

_BLOCK = 1 << 20  # spool/scan granularity
_NON_CHUNKED = "non-chunked gzip"  # in warcio's message when one gzip member holds many records
_RECORD_START = {True: re.compile(rb"\x1f\x8b\x08"), False: re.compile(rb"WARC/1\.[01]\r?\n")}


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep one hostile record from exhausting a worker's memory."""

    max_record_bytes: int = 20 * 1024 * 1024  # larger payloads: "filtered:too_large"
    max_decompressed_bytes: int = 64 * 1024 * 1024  # gzip bombs: "error:decompression_limit"


DEFAULT_LIMITS = ReadLimits()


def _ignore(name: str) -> None:
    """The default counter; Beam and the tests inject real ones."""


def detect_format(path: str) -> str | None:
    """``"warc"``, ``"html"`` or ``"jsonl"`` from the file name (case-insensitive), else None.

    ``.json.gz`` counts as JSONL because Dolma-style corpora are published that way.
    """
    name = path.lower()
    gzipped = name.endswith(".gz")
    name = name.removesuffix(".gz")
    if name.endswith(".warc"):
        return "warc"
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(".jsonl") or (gzipped and name.endswith(".json")):
        return "jsonl"
    return None


def read_records(
    file: InputFile,
    stream: BinaryIO,
    limits: ReadLimits = DEFAULT_LIMITS,
    count: Count = _ignore,
) -> Iterator[RawRecord]:
    """Yield every input record of one file. Never raises for bad content."""
    readers = {"warc": read_warc, "html": _read_html, "jsonl": _read_jsonl}
    reader = readers.get(detect_format(file.path) or "")
    if reader is None:
        yield _unreadable(file, 0, file.size, "error:unknown_format", count)
    else:
        yield from reader(file, stream, limits, count)


def _unreadable(file: InputFile, offset: int, length: int, problem: str, count: Count) -> RawRecord:
    """A stretch of a file that holds no readable record."""
    count(f"read:{detect_format(file.path) or 'unknown'}_unreadable")
    return RawRecord(make_record_id(file.path, offset), file.path, offset, length, problem=problem)


def _record(file: InputFile, offset: int, length: int, **fields: Any) -> RawRecord:
    payload = fields.get("payload")
    if payload is not None:
        fields["content_digest"] = sha1_hex(payload)
    return RawRecord(make_record_id(file.path, offset), file.path, offset, length, **fields)


@functools.cache
def transport_errors() -> tuple[type[BaseException], ...]:
    """What means that reading failed, not that the bytes are bad: ``OSError`` (requests' errors
    are ``OSError`` too), and the object-store clients' own errors, which are not."""
    found: list[type[BaseException]] = [OSError]
    with contextlib.suppress(ImportError):
        from google.api_core.exceptions import GoogleAPIError

        found.append(GoogleAPIError)
    with contextlib.suppress(ImportError):
        from botocore.exceptions import BotoCoreError, ClientError

        found += [BotoCoreError, ClientError]
    return tuple(found)


def read_warc(
    file: InputFile,
    stream: BinaryIO,
    limits: ReadLimits,
    count: Count,
    fields_of: FieldsOf | None = None,
) -> Iterator[RawRecord]:
    """Read with warcio; when it gives up, resynchronise on the next record start and go on.

    ``fields_of`` makes a record's fields from warcio's record (default ``_warc_fields``; the
    index-only reader digests every payload instead, ``transforms/index_readers.py``).

    An unreadable stretch becomes one record: ``error:non_chunked_gzip`` (several records in one
    gzip member: warcio cannot locate them), else ``error:unreadable_bytes`` when good records
    follow it, ``error:truncated_record`` when it starts like a record, ``error:unreadable_tail``.
    """
    with tempfile.SpooledTemporaryFile(64 * _BLOCK) as spool:
        if not (hasattr(stream, "seekable") and stream.seekable()):
            shutil.copyfileobj(stream, spool, _BLOCK)
            stream = spool  # resynchronising needs to seek
        size = stream.seek(0, 2)
        gz = _read_at(stream, 0, 2) == decoding.GZIP_MAGIC
        pos, bad_from, reason = 0, None, None
        while True:
            reached = pos
            run = _warc_run(file, stream, pos, size, limits, count, fields_of or _warc_fields)
            for record, start, end, failure in run:
                reached, reason = end, reason or failure
                if start is not None and bad_from is not None:  # resynchronised
                    count("resync:warc")
                    why = reason or "error:unreadable_bytes"
                    yield _unreadable(file, bad_from, start - bad_from, why, count)
                    bad_from, reason = None, None
                if record is not None:
                    yield record
            head = _read_at(stream, reached, 64)
            if size - reached <= 64 and not head.strip(b"\r\n\t \0"):
                return
            if bad_from is None:  # past the CRLFs that end an uncompressed record
                bad_from = reached + len(head) - len(head.lstrip(b"\r\n"))
            pos = _find_record_start(stream, max(pos, bad_from) + 1, gz)
            if pos is None:
                why = "error:truncated_record" if _starts_record(stream, bad_from, gz) else None
                why = reason or why or "error:unreadable_tail"
                yield _unreadable(file, bad_from, size - bad_from, why, count)
                return


def _read_at(stream: BinaryIO, offset: int, n: int) -> bytes:
    stream.seek(offset)
    return stream.read(n)[:n]


def _starts_record(stream: BinaryIO, offset: int, gz: bool) -> bool:
    """Whether the bytes at ``offset`` begin a WARC record (possibly in a gzip member)."""
    head = _read_at(stream, offset, 512)
    try:
        head = zlib.decompressobj(31).decompress(head, 64) if gz else head
    except zlib.error:
        return False
    return head.lstrip().startswith(b"WARC/")


def _find_record_start(stream: BinaryIO, start: int, gz: bool) -> int | None:
    """Offset of the next gzip member header (or ``WARC/1.x`` line) at or after ``start``."""
    while True:
        block = _read_at(stream, start, _BLOCK)
        match = _RECORD_START[gz].search(block)
        if match:
            return start + match.start()
        if len(block) < _BLOCK:
            return None
        start += _BLOCK - 16  # overlap: a header may straddle two blocks


def _warc_run(
    file: InputFile,
    stream: BinaryIO,
    pos: int,
    size: int,
    limits: ReadLimits,
    count: Count,
    fields_of: FieldsOf,
) -> Iterator[tuple[RawRecord | None, int | None, int, str | None]]:
    """``(record, start, end, None)`` from ``pos`` on; ``record`` is None for skipped records.

    When warcio gives up, a last ``(None, None, end, failure)`` says how far the file was readable
    (and why it stopped, when the defect is recognised)."""
    stream.seek(pos)
    records, end = ArchiveIterator(stream), pos
    try:
        for rec in records:
            kind = rec.rec_type or ""
            fields = fields_of(rec, limits) if kind in INPUT_TYPES else None
            records.read_to_end()
            offset, length = records.get_record_offset(), records.get_record_length()
            if length <= 0 or not end <= offset <= size - length:
                raise ArchiveLoadFailed(_NON_CHUNKED)  # warcio's offsets mix gzip and plain bytes
            if not kind:
                raise ArchiveLoadFailed("no WARC-Type: not a record start")
            end = offset + length
            if fields is None:
                count(f"skipped:warc_{kind if kind in NON_DOCUMENT_TYPES else 'other'}")
                yield None, offset, end, None
                continue
            if getattr(rec.raw_stream, "limit", 0) > 0:  # the record ends before its length
                fields.update(payload=None, problem="error:truncated_record")
            count(f"read:warc_{kind}")
            yield _record(file, offset, length, **fields), offset, end, None
    except Exception as exc:  # the boundary: what warcio cannot parse becomes an error record
        if isinstance(exc, transport_errors()):
            raise  # an I/O failure, not bad content: let the runner retry
        yield None, None, end, "error:non_chunked_gzip" if _NON_CHUNKED in str(exc) else None


def _warc_fields(rec: ArcWarcRecord, limits: ReadLimits) -> dict[str, Any]:
    """A WARC record's RawRecord fields; reads the payload only when it may be a page."""
    url = rec.rec_headers.get_header("WARC-Target-URI")
    if url and url.startswith("<") and url.endswith(">"):
        url = url[1:-1]  # wget writes <uri>; warcio strips it too, but not in every version
    http = rec.http_headers
    content_type = (http or rec.rec_headers).get_header("Content-Type")
    mime, charset = decoding.parse_content_type(content_type)
    code = http.get_statuscode() if http is not None else ""
    status = int(code) if code.isascii() and code.isdigit() else None  # not "²"
    payload, problem = None, None
    if rec.rec_type == "revisit":
        problem = "filtered:revisit"
    elif http is not None and status != 200:
        problem = "filtered:http_status"
    elif mime not in HTML_TYPES and mime not in SNIFFED_TYPES:
        problem = "filtered:not_html"
    else:
        payload = rec.content_stream().read(limits.max_record_bytes + 1)
        problem = _payload_problem(payload, mime, limits)
    return {
        "url": url,
        "fetch_time": rec.rec_headers.get_header("WARC-Date"),
        "mime_type": mime or None,
        "charset": charset,
        "http_status": status,
        "payload": None if problem else payload,
        "problem": problem,
    }


def _payload_problem(payload: bytes, mime: str, limits: ReadLimits) -> str | None:
    if len(payload) > limits.max_record_bytes:
        return "filtered:too_large"
    if not payload or payload.isspace():  # no copy, unlike strip()
        return "filtered:empty"
    unlabelled = mime in SNIFFED_TYPES and not decoding.looks_like_html(payload)
    if unlabelled or decoding.looks_binary(payload):
        return "filtered:not_html"
    return None


def _read_html(
    file: InputFile, stream: BinaryIO, limits: ReadLimits, count: Count
) -> Iterator[RawRecord]:
    """One page per file. A gzip bomb is inflated no further than ``max_decompressed_bytes``."""
    gz, content = decoding.open_content(stream)
    keep = limits.max_record_bytes
    try:
        cap = limits.max_decompressed_bytes if gz else keep
        payload, total = decoding.read_capped(content, keep, cap)
    except zlib.error:
        payload, problem = b"", "error:bad_gzip"
    else:
        bomb = gz and total > limits.max_decompressed_bytes
        problem = "error:decompression_limit" if bomb else _payload_problem(payload, "", limits)
    count("read:html")
    payload = None if problem else payload
    yield _record(file, 0, file.size, mime_type="text/html", payload=payload, problem=problem)


def _read_jsonl(
    file: InputFile, stream: BinaryIO, limits: ReadLimits, count: Count
) -> Iterator[RawRecord]:
    """One record per non-blank line; offsets are in the decompressed stream."""
    gz, content = decoding.open_content(stream)
    cap = limits.max_decompressed_bytes if gz else None
    for offset, length, line, problem in decoding.iter_lines(content, limits.max_record_bytes, cap):
        if line is not None and not line.strip():
            count("skipped:jsonl_blank")
            continue
        count("read:jsonl")
        fields = _jsonl_fields(line) if line is not None else {"problem": problem}
        yield _record(file, offset, length, **fields)


def _jsonl_fields(line: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return {"problem": "error:bad_json"}
    text = obj.get("text") if isinstance(obj, dict) else None
    if not isinstance(text, str):
        return {"problem": "error:missing_text" if isinstance(obj, dict) else "error:bad_json"}
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800"): Arrow cannot store them
        data = text.encode("utf-8", "replace")
        text = data.decode("utf-8")
    url, doc_id = obj.get("url"), obj.get("id")
    fetch_time = obj.get("fetch_time") or obj.get("date")
    return {
        "url": url if isinstance(url, str) else None,
        "fetch_time": fetch_time if isinstance(fetch_time, str) else None,
        "mime_type": "text/plain",
        "text": text,
        "doc_id": None if doc_id is None else str(doc_id),
        "content_digest": sha1_hex(data),
        "problem": None if text.strip() else "filtered:empty",
    }
