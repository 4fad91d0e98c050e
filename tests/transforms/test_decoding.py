"""Decoding: charsets as a browser reads them, binary/HTML sniffing, bounded gunzip and lines."""

from __future__ import annotations

import codecs
import gzip
import io
import zlib

import pytest

from transforms.decoding import (
    decode_html,
    gunzip,
    iter_lines,
    looks_binary,
    looks_like_html,
    normalize_charset,
    open_content,
    parse_content_type,
    read_capped,
    sniff_declared_charset,
)

FRENCH = "café naïve – “quotes”"
JAPANESE = "日本語のテキストです。これは文字コードのテストです。"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ('"utf8"', "utf-8"),
        ("ISO-8859-1", "cp1252"),
        ("latin-1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("x-sjis", "shift_jis"),
        ("Shift_JIS", "shift_jis"),
        ("windows-31j", "cp932"),
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("EUC-JP", "euc_jp"),
        ("euc-kr", "cp949"),
        ("iso-8859-8-i", "iso8859-8"),
        ("utf-7", None),
        ("base64", None),
        ("rot13", None),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label, codec):
    assert normalize_charset(label) == codec


def test_windows_1252_without_declaration():
    assert decode_html(FRENCH.encode("cp1252")) == (FRENCH, "cp1252")
    assert decode_html(page(FRENCH).encode("cp1252")) == (page(FRENCH), "cp1252")


def test_windows_1252_declared_as_latin_1_decodes_like_a_browser():
    # 0x96 and 0x93/0x94 are C1 controls in ISO-8859-1 but dashes and quotes in windows-1252
    assert decode_html(FRENCH.encode("cp1252"), "iso-8859-1") == (FRENCH, "cp1252")


@pytest.mark.parametrize(("codec", "label"), [("shift_jis", "x-sjis"), ("euc_jp", "EUC-JP")])
def test_japanese_with_http_declaration(codec, label):
    html = page(JAPANESE)
    assert decode_html(html.encode(codec), label) == (html, normalize_charset(label))


@pytest.mark.parametrize(("codec", "label"), [("shift_jis", "Shift_JIS"), ("euc_jp", "euc-jp")])
def test_japanese_with_meta_declaration(codec, label):
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'
    html = page(JAPANESE, meta)
    assert decode_html(html.encode(codec)) == (html, codec)
    html5 = page(JAPANESE, f'<meta charset="{label}">')
    assert decode_html(html5.encode(codec)) == (html5, codec)


@pytest.mark.parametrize("codec", ["shift_jis", "euc_jp"])
def test_japanese_without_declaration_is_guessed(codec):
    text, _ = decode_html(page(JAPANESE).encode(codec))
    assert text == page(JAPANESE)


def test_shift_jis_page_with_windows_only_characters_falls_back_to_cp932():
    html = page("① ㈱ " + JAPANESE)  # NEC special characters: cp932 only
    with pytest.raises(UnicodeEncodeError):
        html.encode("shift_jis")
    assert decode_html(html.encode("cp932"), "shift_jis") == (html, "cp932")


def test_utf8_bom_wins_over_declarations():
    html = page(FRENCH, '<meta charset="windows-1252">')
    assert decode_html(b"\xef\xbb\xbf" + html.encode(), "iso-8859-1") == (html, "utf-8")


def test_utf16_bom():
    payload = codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le")
    assert decode_html(payload) == ("<p>é</p>", "utf-16-le")


def test_lying_declarations():
    # declared latin-1 (HTTP and meta), actually UTF-8: valid multi-byte UTF-8 wins
    html = page(FRENCH, '<meta charset="iso-8859-1">')
    assert decode_html(html.encode("utf-8"), "ISO-8859-1") == (html, "utf-8")
    # declared UTF-8, actually windows-1252: strict UTF-8 fails, the guess is right
    assert decode_html(page(FRENCH).encode("cp1252"), "utf-8") == (page(FRENCH), "cp1252")
    # declared nonsense and a refused codec: ignored
    assert decode_html(page(FRENCH).encode("utf-8"), "utf-7") == (page(FRENCH), "utf-8")


def test_meta_cannot_select_utf16():
    html = page(FRENCH, '<meta charset="utf-16">')
    assert decode_html(html.encode("utf-8")) == (html, "utf-8")


def test_ascii_and_empty():
    assert decode_html(b"<p>plain</p>") == ("<p>plain</p>", "utf-8")
    assert decode_html(b"") == ("", "utf-8")


def test_undecodable_bytes_never_raise():
    text, encoding = decode_html(bytes(range(256)) * 4, "shift_jis")
    assert isinstance(text, str) and encoding


def test_sniff_declared_charset():
    assert sniff_declared_charset(b"<meta charset='Big5'>") == "Big5"
    assert (
        sniff_declared_charset(
            b'<META HTTP-EQUIV="content-type" CONTENT="text/html;charset=koi8-r">'
        )
        == "koi8-r"
    )
    assert (
        sniff_declared_charset(b'<?xml version="1.0" encoding="ISO-8859-2"?><html>') == "ISO-8859-2"
    )
    assert sniff_declared_charset(b"x" * 5000 + b"<meta charset=utf-8>") is None
    assert sniff_declared_charset(b"<p>charset=utf-8</p>") is None


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ('Text/HTML; Charset="UTF-8"', ("text/html", "UTF-8")),
        ("text/html;charset=iso-8859-1;q=1", ("text/html", "iso-8859-1")),
        ("application/xhtml+xml", ("application/xhtml+xml", None)),
        ("text/html; charset=", ("text/html", None)),
        (None, ("", None)),
    ],
)
def test_parse_content_type(value, parsed):
    assert parse_content_type(value) == parsed


@pytest.mark.parametrize(
    ("payload", "binary"),
    [
        (b"%PDF-1.7\n", True),
        (b"\n\n%PDF-1.4", True),
        (b"\x89PNG\r\n\x1a\n", True),
        (b"\xff\xd8\xff\xe0JFIF", True),
        (b"GIF89a", True),
        (b"PK\x03\x04", True),
        (b"\x00\x00\x00\x18ftypmp42", True),
        (bytes(range(256)) * 16, True),
        (b"<html>\x00</html>" + b"x" * 200, False),  # one stray NUL in real text
        (b"<html>" + "é".encode("cp1252") * 100, False),
        (b"\xff\xfe<\x00p\x00>\x00", False),  # UTF-16 with BOM
        (b"<!doctype html>", False),
    ],
)
def test_looks_binary(payload, binary):
    assert looks_binary(payload) is binary


def test_looks_like_html():
    assert looks_like_html(b"  <!DOCTYPE HTML><p>x")
    assert looks_like_html(b"<?xml version='1.0'?>\n<HTML>")
    assert not looks_like_html(b"User-agent: *\nDisallow: /")
    assert not looks_like_html(b'{"html": "<p>"}')


def test_gunzip_multi_member_in_bounded_pieces():
    data = gzip.compress(b"a" * 3_000_000) + gzip.compress(b"b")
    pieces = list(gunzip([data[:100], data[100:]]))
    assert b"".join(pieces) == b"a" * 3_000_000 + b"b"
    assert max(map(len, pieces)) <= 1 << 20


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08\x00junk", gzip.compress(b"abc" * 100)[:-5]])
def test_gunzip_errors(data):
    with pytest.raises(zlib.error):
        b"".join(gunzip([data]))


def test_open_content_detects_gzip_by_magic():
    assert open_content(io.BytesIO(gzip.compress(b"hi")))[0] is True
    gz, pieces = open_content(io.BytesIO(b"plain"))
    assert (gz, b"".join(pieces)) == (False, b"plain")


def test_read_capped():
    assert read_capped([b"abc", b"def"], keep=4, cap=100) == (b"abcde", 6)
    assert read_capped(iter([b"abc"] * 1000), keep=2, cap=10) == (b"abc", 12)


def test_iter_lines_offsets_across_pieces():
    lines = list(iter_lines([b"ab", b"c\n\nde", b"f\r\nlast"], keep=100, cap=None))
    assert lines == [
        (0, 3, b"abc", None),
        (4, 0, b"", None),
        (5, 4, b"def\r", None),
        (10, 4, b"last", None),
    ]
