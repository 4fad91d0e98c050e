"""Readers for ``--index_only``: where each record is and a digest of it, nothing decoded.

The same records as the full pipeline's readers (``transforms/readers.py``), with the same ids,
offsets and lengths, so a later full run supersedes them record for record:

* HTML: one record per file at offset 0, ``source_length`` the file's size, ``content_digest``
  the SHA-1 of its bytes (of the inflated bytes when gzipped, as the full pipeline digests them),
  streamed, so a file of any size is digested in bounded memory. No URL: a loose file has none.
* WARC: warcio and the full pipeline's resynchronisation, but every response/resource record's
  payload is digested (not only those that look like pages) and none is kept or judged.
* JSONL: the full pipeline's reader (the ``url`` and ``id`` fields need the line parsed).

Broken input still becomes ``error:<reason>`` records, exactly as in a full run. Reading never
raises for bad content; only ``OSError`` propagates (the runner retries).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, BinaryIO

from warcio.recordloader import ArcWarcRecord

from transforms import decoding, readers
from transforms.readers import Count, ReadLimits, detect_format
from transforms.records import InputFile, RawRecord, make_record_id

PIECE = 1 << 20  # read granularity for files and payloads too large to read at once


def _digest(pieces: Iterable[bytes], cap: int | None) -> tuple[str | None, int, bool]:
    """(SHA-1 hex, bytes, within cap) of the pieces; stops reading past ``cap`` bytes."""
    digest, total = hashlib.sha1(), 0
    for piece in pieces:
        total += len(piece)
        if cap is not None and total > cap:
            return None, total, False
        digest.update(piece)
    return digest.hexdigest(), total, True


def index_html(file: InputFile, stream: BinaryIO, limits: ReadLimits, count: Count) -> RawRecord:
    """The one record of an HTML file (gzip is recognised by its magic number, as in a full run:
    inflated no further than ``max_decompressed_bytes``)."""
    count("read:html")
    # A small page in one read of its listed size (+1 to see it end); reading 1 MiB into a
    # fresh buffer for a 3 KB page would cost more than digesting it.
    want = file.size + 1 if file.size < PIECE else PIECE
    first = stream.read(want)
    rest = iter(lambda: stream.read(PIECE), b"")
    problem, digest, size = None, None, 0
    if first[:2] == decoding.GZIP_MAGIC:
        try:
            digest, size, within = _digest(
                decoding.gunzip(chain([first], rest)), limits.max_decompressed_bytes
            )
        except zlib.error:
            problem = "error:bad_gzip"
        else:
            problem = None if within else "error:decompression_limit"
            digest = digest if within else None
    else:
        # the common case: a small page in one call, which one more (empty) read confirms; a
        # short read (NFS, FUSE) or a larger page is digested piece by piece
        more = stream.read(PIECE) if len(first) < want else b""
        if len(first) < want and not more:
            digest, size = hashlib.sha1(first).hexdigest(), len(first)
        else:
            digest, size, _ = _digest(chain([first, more], rest), None)
    if problem:
        count(problem)
    return RawRecord(
        record_id=make_record_id(file.path, 0),
        source_uri=file.path,
        source_offset=0,
        source_length=file.size,
        mime_type="text/html",
        content_digest=digest,
        payload_size=None if problem else size,
        problem=problem,
    )


def read_small_page(file: InputFile) -> bytes | None:
    """A local, uncompressed page smaller than ``PIECE``, read in one call (the fast path of
    indexing a tree of loose pages); None when the general path must read it: gzipped, not of
    its listed size any more, or failing to open (the general path records why)."""
    size = file.size
    if size >= PIECE or not file.path[-5:].lower().endswith((".html", ".htm")):
        return None
    try:  # the bare system calls: a file object per page costs more than digesting it
        fd = os.open(file.path, os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.read(fd, size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) != size or data[:2] == decoding.GZIP_MAGIC:  # changed since listed, or gzip
        return None
    return data


def index_warc_fields(rec: ArcWarcRecord, limits: ReadLimits) -> dict[str, Any]:
    """A WARC record's fields for the index: target URI, date, type, and the payload's SHA-1
    (the HTTP body, de-chunked and decoded as warcio gives it), streamed. A payload inflating
    past ``max_decompressed_bytes`` is located but not digested."""
    url = rec.rec_headers.get_header("WARC-Target-URI")
    if url and url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    http = rec.http_headers
    content_type = (http or rec.rec_headers).get_header("Content-Type")
    mime, charset = decoding.parse_content_type(content_type)
    code = http.get_statuscode() if http is not None else ""
    digest, size = None, None
    if rec.rec_type != "revisit":  # a revisit has no payload of its own
        content = rec.content_stream()
        pieces = iter(lambda: content.read(PIECE), b"")
        digest, size, within = _digest(pieces, limits.max_decompressed_bytes)
        if not within:
            size = None
    return {
        "url": url,
        "fetch_time": rec.rec_headers.get_header("WARC-Date"),
        "mime_type": mime or None,
        "charset": charset,
        "http_status": int(code) if code.isdigit() else None,
        "content_digest": digest,
        "payload_size": size,
    }


def index_records(
    file: InputFile, stream: BinaryIO, limits: ReadLimits, count: Count
) -> Iterator[RawRecord]:
    """Every record of one file, located and digested."""
    kind = detect_format(file.path)
    if kind == "html":
        yield index_html(file, stream, limits, count)
    elif kind == "warc":
        yield from readers.read_warc(file, stream, limits, count, fields_of=index_warc_fields)
    else:  # JSONL (and an unknown format, which becomes error:unknown_format)
        yield from readers.read_records(file, stream, limits, count)
