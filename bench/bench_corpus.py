"""A deterministic benchmark crawl built from real pages, written the way wget writes WARCs.

Pages: the trafilatura evaluation pages (``trafilatura-eval/html/*.gz``, real HTML of about
130 KiB each) plus the HTML responses of the real WARC crawls in ``../shared/data`` (kept with
their own HTTP headers). Records cycle through the pages; the first pass writes each page as it
is, later passes write variants, as a real crawl sees them:

* pass 1 (and 8, 15, ...): an exact duplicate (same bytes under another URL, as for http/https
  or a tracking parameter);
* the other passes: a near duplicate: a dated banner paragraph and a session comment are
  inserted, so the bytes (and payload digest) differ while the extracted text barely does.

Each file holds a ``warcinfo`` record, then a ``request``/``response`` pair per page, with the
HTTP headers and *without* ``WARC-Identified-Payload-Type`` (as wget, Heritrix and warcio write
them). Everything derives from the record index, so the same arguments give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
WARC_SOURCES = ("warc-dolma", "warc-ukwa-webarchive-test-suite", "warc-jwarc")
EXACT_EVERY = 7  # passes 1, 8, 15, ... write exact duplicates, the other passes near ones
_BODY = re.compile(rb"<body[^>]*>", re.IGNORECASE)
_DATE = "2024-05-{day:02d}T{hour:02d}:{minute:02d}:00Z"


@dataclass(frozen=True)
class Page:
    """One real page: its URL, HTTP header lines and HTML bytes."""

    url: str
    headers: tuple[tuple[str, str], ...]
    html: bytes


@dataclass(frozen=True)
class CorpusInfo:
    """What was written: files, response records (of which exact and near duplicates), and the
    HTML payload bytes they carry."""

    files: tuple[str, ...]
    records: int
    payload_bytes: int
    exact: int = 0
    near: int = 0


def eval_pages(data: Path = SHARED_DATA) -> list[Page]:
    """The trafilatura evaluation pages, in file-name order, with plain ``text/html`` headers."""
    pages = []
    for path in sorted((data / "trafilatura-eval" / "html").glob("*.gz")):
        name = path.name.removesuffix(".gz")
        url = f"https://eval.example/{hashlib.sha1(name.encode()).hexdigest()[:12]}.html"
        pages.append(
            Page(url, (("Content-Type", "text/html"),), gzip.decompress(path.read_bytes()))
        )
    return pages


def warc_pages(data: Path = SHARED_DATA) -> list[Page]:
    """The HTML 200 responses of the real WARC crawls, with their own HTTP headers."""
    pages = []
    for source in WARC_SOURCES:
        for path in sorted((data / source).rglob("*.warc.gz")):
            with path.open("rb") as stream:
                for rec in ArchiveIterator(stream):
                    http = rec.http_headers
                    if rec.rec_type != "response" or http is None:
                        continue
                    html = rec.content_stream().read()
                    kind = http.get_header("Content-Type") or ""
                    if http.get_statuscode() == "200" and "html" in kind and html:
                        url = (rec.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
                        headers = tuple(
                            (k, v)
                            for k, v in http.headers
                            if k.lower() not in ("transfer-encoding", "content-encoding")
                        )
                        pages.append(Page(url, headers, html))
    return pages


def near_duplicate(html: bytes, index: int) -> bytes:
    """The page with a dated banner after ``<body>`` and a session comment at the end."""
    banner = f'<p class="updated">Updated {index % 28 + 1} May 2024, edition {index}.</p>'.encode()
    comment = f"<!-- session {hashlib.sha1(str(index).encode()).hexdigest()} -->".encode()
    match = _BODY.search(html)
    at = match.end() if match else 0
    return html[:at] + banner + html[at:] + comment


def variant(page: Page, index: int, copy: int) -> tuple[str, bytes]:
    """The URL and bytes of the ``copy``-th occurrence of ``page`` (0 = the page itself)."""
    if copy == 0:
        return page.url, page.html
    sep = "&" if "?" in page.url else "?"
    url = f"{page.url}{sep}utm_source=bench{copy}"
    if copy % EXACT_EVERY == 1:
        return url, page.html
    return url, near_duplicate(page.html, index)


def records(pages: list[Page], n_records: int) -> Iterator[tuple[int, str, Page, bytes]]:
    """``(index, url, page, payload)`` for every response record of the corpus."""
    for index in range(n_records):
        page = pages[index % len(pages)]
        url, payload = variant(page, index, index // len(pages))
        yield index, url, page, payload


def _headers(name: str, date: str) -> dict[str, str]:
    """WARC headers with a record id derived from ``name`` (warcio's would be random)."""
    digest = hashlib.sha1(name.encode()).hexdigest()[:32]
    return {"WARC-Record-ID": f"<urn:uuid:{uuid.UUID(hex=digest)}>", "WARC-Date": date}


def _write_pair(writer: WARCWriter, index: int, url: str, page: Page, payload: bytes) -> None:
    date = _DATE.format(day=index % 28 + 1, hour=index % 24, minute=index % 60)
    host = url.split("/")[2] if "://" in url else "localhost"
    request = f"GET /{index} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Wget/1.21.4\r\n\r\n".encode()
    writer.write_record(
        writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request),
            length=len(request),
            warc_headers_dict=_headers(f"request {index}", date),
        )
    )
    headers = [(k, v) for k, v in page.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(payload))))
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=http,
            warc_headers_dict=_headers(f"response {index}", date),
        )
    )


def build_corpus(
    output: Path, n_records: int, n_files: int = 8, data: Path = SHARED_DATA
) -> CorpusInfo:
    """Write ``n_records`` response records over ``n_files`` files ``bench-NNN.warc.gz``."""
    output.mkdir(parents=True, exist_ok=True)
    for stale in output.glob("bench-*.warc.gz"):  # of an earlier build with more files
        stale.unlink()
    pages = eval_pages(data) + warc_pages(data)
    if not pages:
        raise FileNotFoundError(f"no pages under {data}")
    n_files = max(1, min(n_files, n_records))
    paths = [output / f"bench-{i:03d}.warc.gz" for i in range(n_files)]
    streams = [path.open("wb") for path in paths]
    writers = [WARCWriter(stream, gzip=True) for stream in streams]
    for i, writer in enumerate(writers):
        info = f"software: crawlsift bench_corpus\r\nfilename: {paths[i].name}\r\n".encode()
        headers = _headers(f"warcinfo {i}", _DATE.format(day=1, hour=0, minute=0))
        headers["Content-Type"] = "application/warc-fields"
        record = writer.create_warc_record(
            "", "warcinfo", io.BytesIO(info), len(info), warc_headers_dict=headers
        )
        writer.write_record(record)
    payload_bytes, kinds = 0, {"exact": 0, "near": 0}
    try:
        for index, url, page, payload in records(pages, n_records):
            _write_pair(writers[index % n_files], index, url, page, payload)
            payload_bytes += len(payload)
            if index >= len(pages):
                kinds["exact" if payload is page.html else "near"] += 1
    finally:
        for stream in streams:
            stream.close()
    return CorpusInfo(tuple(str(p) for p in paths), n_records, payload_bytes, **kinds)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("bench-out/corpus"))
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    info = build_corpus(args.output, args.records, args.files)
    print(f"{info.records} records, {info.payload_bytes / 1e6:.1f} MB of HTML in {args.output}")


if __name__ == "__main__":
    main()
