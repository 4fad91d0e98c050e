"""Builders of hostile inputs, each with the outcome crawlsift must give every record in it.

Pure: every builder returns bytes (sizes, paths and URLs are parameters), so the same corpus is
built at test sizes for ``make test`` and at full sizes for ``make bench-faults``. An outcome is a
record's reason code, or its status when it has no reason (``kept``).
"""

from __future__ import annotations

import io
import os
import random
import zlib
from dataclasses import dataclass

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

KEPT = "kept"
TRUNCATED, GARBAGE = "error:truncated_record", "error:unreadable_bytes"
BOMB, TOO_LARGE = "error:decompression_limit", "filtered:too_large"
NOT_HTML = ("filtered:not_html",) * 4
SECRET = "CRAWLSIFT-SECRET-7f3a9c"  # written to a local file an external entity points at
_WORD_TEXT = (
    "river harbour market window garden village teacher morning letter bridge mountain station "
    "winter summer kitchen library museum doctor engine forest island castle valley ocean farmer "
    "painter soldier student theatre festival journey history silver yellow quiet ancient modern "
    "gentle narrow bright heavy simple careful famous hidden public private early late often "
    "always never perhaps during between across beyond around under after before while because "
    "builds carries follows writes reads opens closes watches remembers explains describes "
    "discovers repairs travels answers changes gathers measures prepares protects returns"
)
WORDS = tuple(_WORD_TEXT.split())


@dataclass(frozen=True)
class Sizes:
    """How big the big inputs are: full sizes for the bench, small ones for ``make test``."""

    huge_page_bytes: int = 30_000_000
    bomb_inflated_bytes: int = 1 << 30
    depth: int = 200_000


FULL = Sizes()
SMALL = Sizes(huge_page_bytes=4_000_000, bomb_inflated_bytes=100 << 20)
# Limits the small corpus is run with (the full corpus runs with the defaults: 20 MiB, 64 MiB).
SMALL_LIMITS = ("--max_record_bytes", str(3 << 20), "--max_decompressed_bytes", str(16 << 20))


@dataclass(frozen=True)
class FaultCase:
    """One input file and what must become of it."""

    name: str
    path: str  # relative to the corpus directory
    data: bytes
    outcomes: tuple[str, ...]  # one per input record, in any order
    must_contain: tuple[str, ...] = ()  # substrings of the kept text (correct decoding)


def prose(seed: str, n_words: int = 120) -> str:
    """Distinct English-looking text: no two seeds share the 5-grams deduplication compares."""
    rng = random.Random(seed)
    sentences, words = [], 0
    while words < n_words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 14))]
        sentences.append(" ".join(sentence).capitalize() + ".")
        words += len(sentence)
    return " ".join(sentences)


def page(body: str, head: str = "", title: str = "A page") -> str:
    return (
        f"<!doctype html><html><head>{head}<title>{title}</title></head>"
        f"<body><article>{body}</article></body></html>"
    )


def article(seed: str) -> bytes:
    return page("".join(f"<p>{prose(f'{seed}/{i}', 60)}</p>" for i in range(3))).encode()


def warc(records: list[tuple[str, str, bytes]]) -> tuple[bytes, list[int]]:
    """A gzipped WARC of ``(url, content type, body)`` responses; returns it and the offsets at
    which each record (its own gzip member) starts, plus the end."""
    out, offsets = io.BytesIO(), []
    writer = WARCWriter(out, gzip=True)
    for url, content_type, body in records:
        offsets.append(out.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    offsets.append(out.tell())
    return out.getvalue(), offsets


def truncated_warc() -> bytes:
    """Two good records, then one cut in the middle (a download that died)."""
    data, offsets = warc(
        [(f"http://cut.example/{i}", "text/html", article(f"cut{i}")) for i in "abc"]
    )
    return data[: (offsets[2] + offsets[3]) // 2]


def garbage_member_warc() -> tuple[bytes, bytes]:
    """A good record, a corrupt gzip member, a good record; returns the WARC and the garbage."""
    first, _ = warc([("http://garbage.example/a", "text/html", article("garbage-a"))])
    second, _ = warc([("http://garbage.example/b", "text/html", article("garbage-b"))])
    noise = random.Random("garbage").randbytes(4000).replace(b"\x1f\x8b", b"\x1f\x00")
    garbage = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + noise
    return first + garbage + second, garbage


def binary_as_html_warc() -> bytes:
    """Images, a PDF and random bytes served as ``text/html``, and one real page."""
    rng = random.Random("binary")
    bodies = [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(3000),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(3000),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + rng.randbytes(3000),
        rng.randbytes(5000),
        article("binary-real"),
    ]
    return warc([(f"http://binary.example/{i}", "text/html", b) for i, b in enumerate(bodies)])[0]


WRONG = "Die Straße am Fluss führt über die Brücke zum Schloß."


def declared_wrong_warc() -> bytes:
    """A UTF-8 page whose server says ISO-8859-1: browsers (and we) read UTF-8."""
    text = f"{WRONG} " * 12
    body = page(f"<p>{text}</p><p>{prose('declared-wrong')}</p>").encode("utf-8")
    return warc([("http://wrong.example/", "text/html; charset=iso-8859-1", body)])[0]


def huge_page(size: int) -> bytes:
    """A well-formed page of ``size`` bytes: many paragraphs of text."""
    paragraphs, total, i = [], 0, 0
    while total < size:
        paragraph = f"<p>{prose(f'huge{i % 50}', 150)} {i}</p>\n"
        paragraphs.append(paragraph)
        total, i = total + len(paragraph), i + 1
    return page("".join(paragraphs)).encode()


def deep_page(depth: int) -> bytes:
    """Elements nested ``depth`` levels deep, the text at the bottom (a parser bomb)."""
    return page("<div>" * depth + f"<p>{prose('deep')}</p>" + "</div>" * depth).encode()


CP1252_TEXT = (
    "Le café de la gare sert un crème brûlée délicieux pour 4 € seulement. "
    "« C’est la meilleure adresse du quartier », dit Hélène, “sans hésiter”. "
)
JAPANESE_TEXT = (
    "東京の古い町並みには、小さな喫茶店や本屋が今も残っています。"
    "朝早くから店を開ける人々は、近所の子どもたちに声をかけ、季節の移り変わりを楽しみます。"
    "週末になると、遠くから多くの観光客が訪れ、伝統的な祭りや美味しい料理を味わいます。"
)


def encoded_page(text: str, encoding: str, declare: bool) -> bytes:
    head = f'<meta charset="{encoding}">' if declare else ""
    return page(f"<p>{text * 6}</p>", head=head).encode(encoding)


def gzip_bomb(inflated: int) -> bytes:
    """One gzip member of ``inflated`` zero bytes (about 1/1000 of that on disk)."""
    deflater, out, block = zlib.compressobj(9, zlib.DEFLATED, 31), [], bytes(1 << 20)
    for _ in range(inflated // len(block)):
        out.append(deflater.compress(block))
    out.append(deflater.flush())
    return b"".join(out)


def broken_jsonl() -> bytes:
    """Good lines with broken ones between them."""
    good = [f'{{"id": "jsonl-{i}", "text": "{prose(f"jsonl{i}")}"}}' for i in range(3)]
    lines = [
        good[0],
        '{"id": "cut", "text": "a line that ends in the middle',
        "\x00\x01 not json at all \xff".encode("latin-1").decode("utf-8", "replace"),
        good[1],
        "[1, 2, 3]",
        '{"id": "no-text", "url": "http://x.example/"}',
        '{"id": "number", "text": 42}',
        "[" * 200_000 + "]" * 200_000,  # deeper than json's recursion limit
        good[2],
    ]
    return ("\n".join(lines) + "\n").encode()


def xxe_page(secret_path: str, network_url: str, seed: str = "xxe") -> bytes:
    """XHTML with external entities (a local file, a URL), a parameter entity and a small
    "billion laughs": nothing may be resolved, fetched or expanded into the text."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!DOCTYPE html [\n"
        f'  <!ENTITY secret SYSTEM "file://{secret_path}">\n'
        f'  <!ENTITY remote SYSTEM "{network_url}/entity">\n'
        f'  <!ENTITY % dtd SYSTEM "{network_url}/dtd"> %dtd;\n'
        '  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        '  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
        "]>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title>'
        f'<link rel="stylesheet" href="{network_url}/style.css"/></head><body><article>'
        f"<p>{prose(seed)}</p><p>secret: &secret; remote: &remote; laughs: &lol3;</p>"
        f'<img src="{network_url}/image.png"/><iframe src="file://{secret_path}"></iframe>'
        "</article></body></html>"
    ).encode()


EUC_JP_TEXT = (
    "北海道の冬は長く厳しいですが、雪に覆われた山々の景色はとても美しいです。"
    "地元の漁師たちは夜明け前に港を出て、新鮮な魚を市場へ運びます。"
    "温泉宿では旅人が湯につかり、一日の疲れを癒やしながら星空を眺めます。"
)
ODD_HTML = "odd names/page [1] (copy) #2 100% ünïcödé 日本.html"
ODD_JSONL = "odd names/data (v2) [final].jsonl"


def build_cases(sizes: Sizes, secret_path: str, network_url: str) -> list[FaultCase]:
    """Every fault case; ``secret_path`` names a local file and ``network_url`` a server that
    nothing may read or contact (see ``xxe_page``)."""
    garbage_warc, _ = garbage_member_warc()
    xxe = xxe_page(secret_path, network_url)
    xhtml = xxe_page(secret_path, network_url, "xxe-warc")
    xxe_warc = warc([("http://xxe.example/", "application/xhtml+xml", xhtml)])[0]
    huge, deep = huge_page(sizes.huge_page_bytes), deep_page(sizes.depth)
    bomb = gzip_bomb(sizes.bomb_inflated_bytes)
    bomb_jsonl = gzip_bomb(sizes.bomb_inflated_bytes // 4)
    cp1252 = encoded_page(CP1252_TEXT, "cp1252", declare=False)
    sjis = encoded_page(JAPANESE_TEXT, "shift_jis", declare=False)
    eucjp = encoded_page(EUC_JP_TEXT, "euc_jp", declare=True)
    odd_line = f'{{"id": "odd-jsonl", "text": "{prose("odd-jsonl")}"}}\n'.encode()
    cp1252_text = ("crème brûlée délicieux pour 4 € seulement", "« C’est", "“sans hésiter”")
    bad_lines = (*("error:bad_json",) * 4, *("error:missing_text",) * 2, KEPT, KEPT, KEPT)
    table = [
        ("truncated WARC", "warc/truncated.warc.gz", truncated_warc(), (TRUNCATED, KEPT, KEPT)),
        ("garbage gzip member", "warc/garbage member.warc.gz", garbage_warc, (GARBAGE, KEPT, KEPT)),
        ("binary as text/html", "warc/binary.warc.gz", binary_as_html_warc(), (*NOT_HTML, KEPT)),
        ("UTF-8 said ISO-8859-1", "warc/wrong.warc.gz", declared_wrong_warc(), (KEPT,), (WRONG,)),
        ("XXE, XHTML in a WARC", "warc/xxe.warc.gz", xxe_warc, (KEPT,)),
        ("empty WARC", "warc/empty.warc.gz", b"", ()),
        (f"{sizes.huge_page_bytes / 1e6:g} MB page", "html/huge.html", huge, (TOO_LARGE,)),
        (f"nested {sizes.depth:,} deep", "html/deep.html", deep, ("filtered:no_text",)),
        ("windows-1252, undeclared", "html/cp1252.html", cp1252, (KEPT,), cp1252_text),
        ("Shift_JIS, undeclared", "html/shift_jis.html", sjis, (KEPT,), (JAPANESE_TEXT[:40],)),
        ("EUC-JP, declared", "html/euc_jp.html", eucjp, (KEPT,), (EUC_JP_TEXT[:40],)),
        ("empty HTML", "html/empty.html", b"", ("filtered:empty",)),
        (f"gzip bomb, {sizes.bomb_inflated_bytes >> 20} MiB", "html/bomb.html.gz", bomb, (BOMB,)),
        ("XXE in HTML", "html/xxe.html", xxe, (KEPT,)),
        ("broken JSONL lines", "jsonl/broken.jsonl", broken_jsonl(), bad_lines),
        ("JSONL gzip bomb", "jsonl/bomb.jsonl.gz", bomb_jsonl, (BOMB,)),
        ("empty JSONL", "jsonl/empty.jsonl", b"", ()),
        ("odd file name, HTML", ODD_HTML, article("odd-html"), (KEPT,)),
        ("odd file name, JSONL", ODD_JSONL, odd_line, (KEPT,)),
    ]
    return [FaultCase(*row) for row in table]


def write_corpus(root: str, cases: list[FaultCase]) -> None:
    """Write every case's file under ``root``."""
    for case in cases:
        path = os.path.join(root, case.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(case.data)
