"""From raw bytes to content: gunzip, lines, binary/HTML sniffing, character encodings.

Everything here works in bounded memory and never raises for bad bytes (gzip errors excepted,
which the readers turn into records), because crawled bytes are hostile: gzip bombs, PNGs and
PDFs labelled ``text/html``, pages that declare ``iso-8859-1`` but are UTF-8, legacy labels
(``x-sjis``, ``gb2312``) that browsers read as broader encodings than Python does. We decode the
way a browser would, so the extractor sees the text a reader saw.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

import charset_normalizer

# How far into a page we look for magic numbers, control bytes, HTML tags and <meta charset>.
SNIFF_BYTES = 4096
# charset_normalizer is slow on big inputs; its guess from the first 64 KiB is as good.
GUESS_BYTES = 65536
_TIE = 0.1  # chaos/coherence difference below which two guesses are equally good
# gunzip() output granularity: a gzip bomb is never inflated in one call.
_PIECE = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG Encoding Standard: browsers decode these labels with a superset encoding.
_BROWSER_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
# Labels Python's codec registry does not know.
_EXTRA_LABELS = {
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "windows-874": "cp874",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
}
# When strict decoding with the declared codec fails, the vendor superset usually succeeds
# (Shift_JIS pages routinely contain Windows-only characters such as circled digits).
_VENDOR_FALLBACK = {"shift_jis": "cp932", "euc_jp": "cp932"}
# Text codecs a web page must never select: they execute escapes or are not charsets at all.
_REFUSED = {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.+-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_:.+-]+)""", re.I)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")

_TEXT_MAGIC = (b"%PDF-", b"%!PS")  # may follow a few blank lines
_MAGIC = (
    *_TEXT_MAGIC,
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"PK\x03\x04",  # ZIP, DOCX, XLSX, JAR
    b"\x1f\x8b",  # gzip (a body compressed twice)
    b"\x28\xb5\x2f\xfd",  # zstd
    b"BZh9",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"Rar!",
    b"RIFF",  # WebP, WAV, AVI
    b"OggS",
    b"ID3",  # MP3
    b"fLaC",
    b"wOFF",
    b"wOF2",
    b"\x00\x00\x01\x00",  # ICO
    b"\xd0\xcf\x11\xe0",  # OLE: DOC, XLS
    b"\x7fELF",
)  # ... and b"ftyp" at offset 4: MP4, MOV, HEIF
# WHATWG MIME sniffing's "binary data bytes": control characters that text never contains.
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_RATIO = 0.01  # tolerate a few stray control bytes, as real HTML has them


def normalize_charset(label: str | None) -> str | None:
    """Python codec name for a charset label as a browser would interpret it, or None."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = _EXTRA_LABELS.get(key, key)
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError):
        return None
    name = _BROWSER_SUPERSETS.get(info.name, info.name)
    if name in _REFUSED or not getattr(info, "_is_text_encoding", True):
        return None
    return name


def sniff_declared_charset(payload: bytes) -> str | None:
    """Charset label from ``<meta charset>``, ``<meta http-equiv>`` or ``<?xml encoding>``."""
    head = payload[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``'Text/HTML; Charset="UTF-8"'``; ``""`` when absent."""
    media, _, params = (value or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip("\"'"):
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def looks_binary(payload: bytes) -> bool:
    """True for images, PDFs, archives... served under an HTML label."""
    head = payload[:SNIFF_BYTES]
    if head.startswith(_MAGIC) or head.lstrip().startswith(_TEXT_MAGIC) or head[4:8] == b"ftyp":
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    n_binary = len(head) - len(head.translate(None, _BINARY_BYTES))
    return n_binary > _BINARY_RATIO * len(head)


def looks_like_html(payload: bytes) -> bool:
    """True when an unlabelled or text/plain body starts like an HTML document."""
    head = payload[:SNIFF_BYTES].lower()
    return any(marker in head for marker in _HTML_MARKERS)


def _strict(payload: bytes, encoding: str | None) -> tuple[str, str] | None:
    """Decode without errors, trying the vendor superset of ``encoding`` too."""
    for codec in (encoding, _VENDOR_FALLBACK.get(encoding or "")):
        if codec is None:
            continue
        try:
            return payload.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None


def _utf8_if_multibyte(payload: bytes) -> tuple[str, str] | None:
    """UTF-8 when it decodes and contains non-ASCII: legacy text is almost never valid UTF-8."""
    if payload.isascii():
        return None
    return _strict(payload, "utf-8")


def decode_html(payload: bytes, declared_charset: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding_used)``; never raises.

    Order: BOM; valid multi-byte UTF-8 (servers that declare latin-1 or GBK for UTF-8 pages are
    common, the reverse accident practically impossible); the declared (HTTP) charset if it
    decodes strictly; ``<meta>``/XML declaration; charset_normalizer's guess; cp1252 with
    replacement characters. Aliases map to the superset browsers use (latin-1 -> cp1252).
    """
    for bom, encoding in _BOMS:
        if payload.startswith(bom):
            return payload[len(bom) :].decode(encoding, errors="replace"), encoding
    found = _utf8_if_multibyte(payload) or _strict(payload, normalize_charset(declared_charset))
    if found:
        return found
    meta = normalize_charset(sniff_declared_charset(payload))
    if meta in ("utf-16", "utf-16-le", "utf-16-be"):
        meta = "utf-8"  # the HTML standard: a <meta> cannot select UTF-16
    found = _strict(payload, meta) or _strict(payload, "utf-8")
    if found:
        return found
    encoding = _guess(payload[:GUESS_BYTES]) or meta or "cp1252"
    return payload.decode(encoding, errors="replace"), encoding


def _guess(sample: bytes) -> str | None:
    """charset_normalizer's best guess, but windows-1252 wins near-ties, as in browsers.

    On short Western text the detector ranks cp1250/cp1257 (even cp1006) first at equal "chaos",
    which turns "naïve" into "naďve"; browsers default to windows-1252 for unlabelled pages.
    """
    best = charset_normalizer.from_bytes(sample).best()
    western = charset_normalizer.from_bytes(sample, cp_isolation=["cp1252"]).best()
    if western is not None and (
        best is None
        or (western.chaos <= best.chaos + _TIE and western.coherence >= best.coherence - _TIE)
    ):
        return "cp1252"
    return normalize_charset(best.encoding) if best is not None else None


def gunzip(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Multi-member gunzip in pieces of at most 1 MiB; ``zlib.error`` if corrupt or cut short."""
    inflater, started = zlib.decompressobj(31), False
    for block in blocks:
        data = block
        while True:
            started = started or bool(data)
            out = inflater.decompress(data, _PIECE)
            if out:
                yield out
            if inflater.eof:
                data, inflater, started = inflater.unused_data, zlib.decompressobj(31), False
                if not data:
                    break
            else:
                data = inflater.unconsumed_tail
                if not data and len(out) < _PIECE:
                    break
    if started:
        raise zlib.error("gzip data ends inside a member")


def open_content(stream: BinaryIO) -> tuple[bool, Iterator[bytes]]:
    """The file's bytes in pieces, gunzipped when they start with the gzip magic number."""
    head = stream.read(2)
    raw = chain([head], iter(lambda: stream.read(_PIECE), b""))
    gz = head == GZIP_MAGIC
    return gz, (gunzip(raw) if gz else raw)


def read_capped(pieces: Iterable[bytes], keep: int, cap: int) -> tuple[bytes, int]:
    """The first ``keep + 1`` bytes and the total length, reading no more than ``cap + 1``."""
    kept: list[bytes] = []
    total = 0
    for piece in pieces:
        if total <= keep:
            kept.append(piece[: keep + 1 - total])
        total += len(piece)
        if total > cap:
            break
    return b"".join(kept), total


def iter_lines(
    pieces: Iterable[bytes], keep: int, cap: int | None
) -> Iterator[tuple[int, int, bytes | None, str | None]]:
    """``(offset, length, line, problem)`` per line, newline excluded, in bounded memory.

    A line over ``keep`` bytes is measured, not kept (``filtered:too_large``); a line over ``cap``
    (a gzip bomb) or a gzip error ends the file.
    """
    offset, length, parts = 0, 0, []
    try:
        for piece in pieces:
            start = 0
            while start < len(piece):
                newline = piece.find(b"\n", start)
                end = len(piece) if newline < 0 else newline
                if length + end - start <= keep:
                    parts.append(piece[start:end])
                length += end - start
                if cap is not None and length > cap:
                    yield offset, length, None, "error:decompression_limit"
                    return
                if newline < 0:
                    break
                yield offset, length, *_line_or_too_large(parts, length, keep)
                offset, length, parts, start = offset + length + 1, 0, [], newline + 1
    except zlib.error:
        yield offset, length, None, "error:bad_gzip"
        return
    if length:
        yield offset, length, *_line_or_too_large(parts, length, keep)


def _line_or_too_large(
    parts: list[bytes], length: int, keep: int
) -> tuple[bytes | None, str | None]:
    return (b"".join(parts), None) if length <= keep else (None, "filtered:too_large")
