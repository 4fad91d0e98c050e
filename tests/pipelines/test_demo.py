"""The sample-crawl generator behind `make demo`: files, manifest, WARC validity, determinism,
and that the text is real-looking language wrapped in boilerplate that extraction can strip."""

from __future__ import annotations

import html
import json
import re
import zlib
from itertools import combinations
from pathlib import Path
from random import Random

import pytest
import trafilatura
from langdetect import DetectorFactory, detect
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipelines import demo_content as content
from pipelines.demo import MAX_PAGES, Manifest, compose_article, generate, main, near_duplicate

PAGES, SEED = 60, 7


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Manifest]:
    output = tmp_path_factory.mktemp("demo")
    return output / "crawl", generate(output, pages=PAGES, seed=SEED)


@pytest.fixture(scope="module")
def found(demo) -> dict[str, dict]:
    """The response records of the demo crawl by URL."""
    root, manifest = demo
    records = [r for name in manifest.files["warc"] for r in read_warc(root / name)]
    return {r["uri"]: r for r in records if r["type"] == "response"}


def read_warc(path: Path) -> list[dict]:
    """Every record warcio reads; ``complete`` is False for a body cut short or unreadable."""
    records = []
    with path.open("rb") as stream:
        try:
            for record in ArchiveIterator(stream):
                http, headers = record.http_headers, dict(record.rec_headers.headers)
                body = record.content_stream().read()
                declared = http.get_header("Content-Length") if http else None
                is_response = record.rec_type == "response"
                records.append(
                    {
                        "type": record.rec_type,
                        "uri": headers.get("WARC-Target-URI"),
                        "warc": headers,
                        "status": http.get_statuscode() if is_response else None,
                        "content_type": http.get_header("Content-Type") if is_response else None,
                        "body": body,
                        "complete": declared is None or len(body) == int(declared),
                    }
                )
        except (ArchiveLoadFailed, EOFError, zlib.error):
            records.append({"type": "unreadable", "uri": None, "complete": False})
    return records


def extracted(record: dict) -> str:
    charset = record["content_type"].split("charset=")[1]
    return trafilatura.extract(record["body"].decode(charset)) or ""


def jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard similarity of word 5-grams (of characters when the text has no spaces)."""
    sets = []
    for text in (a, b):
        units = text.lower().split() if " " in text.strip() else list(text)
        sets.append({tuple(units[i : i + n]) for i in range(max(1, len(units) - n + 1))})
    return len(sets[0] & sets[1]) / len(sets[0] | sets[1])


def all_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def copies(manifest: Manifest) -> set[str]:
    return {c for _, c in manifest.exact_duplicate_pairs + manifest.near_duplicate_pairs}


def test_files_exist_and_manifest_is_saved(demo):
    root, manifest = demo
    names = [Path(name).name for name in manifest.files["warc"]]
    assert len(names) >= 3 and names == [f"crawl-{k:03d}.warc.gz" for k in range(len(names))]
    for name in (*manifest.files["warc"], *manifest.files["html"], *manifest.files["jsonl"]):
        assert (root / name).stat().st_size > 0, name
    assert (root / "html" / "Straßenfest Bericht.html").is_file()  # a space and a non-ASCII letter
    saved = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    assert saved == json.loads(manifest.to_json())


def test_manifest_counts_add_up(demo):
    _, manifest = demo
    records, counts = manifest.records, manifest.counts
    assert sum(records.values()) == counts["pages"] == PAGES
    assert counts["warc_records"] == counts["warc_files"] + 2 * PAGES
    assert records["exact_duplicate"] == len(manifest.exact_duplicate_pairs) >= 2
    assert records["near_duplicate"] == len(manifest.near_duplicate_pairs) >= 2
    for category, urls in manifest.urls.items():
        assert len(urls) == records[category] >= 1, category
    assert records["not_html"] == 2 and records["not_found"] == records["truncated"] == 1
    with_text = ("article", "exact_duplicate", "near_duplicate", "truncated")
    expected = sum(records[c] for c in with_text) + counts["html_files"] + counts["jsonl_documents"]
    assert sum(manifest.languages.values()) == len(manifest.document_languages) == expected
    assert len(manifest.languages) >= 6
    assert set(manifest.charsets.values()) == {"Shift_JIS", "windows-1252"}


def test_warcs_parse_except_the_truncated_tail(demo):
    root, manifest = demo
    pairs = 0
    for name in manifest.files["warc"]:
        records = read_warc(root / name)
        assert records[0]["type"] == "warcinfo" and records[0]["warc"]["WARC-Filename"] in name
        broken = [r for r in records if not r["complete"]]
        if name != manifest.files["warc"][-1]:
            assert not broken, name
        else:
            assert broken == records[-1:], "only the very last record is cut short"
            assert records[-1]["uri"] in manifest.urls["truncated"]
        for request, response in zip(records[1::2], records[2::2], strict=True):
            assert (request["type"], response["type"]) == ("request", "response")
            assert request["warc"]["WARC-Concurrent-To"] == response["warc"]["WARC-Record-ID"]
            assert request["uri"] == response["uri"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", response["warc"]["WARC-Date"])
            pairs += 1
    assert pairs == PAGES


def test_special_pages(demo, found):
    _, manifest = demo
    other = {found[u]["content_type"]: found[u]["body"] for u in manifest.urls["not_html"]}
    assert other["image/png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert other["application/pdf"].startswith(b"%PDF-1.4\n")
    assert other["application/pdf"].endswith(b"%%EOF\n")
    assert [found[u]["status"] for u in manifest.urls["not_found"]] == ["404"]
    (binary,) = manifest.urls["binary"]
    assert found[binary]["content_type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        found[binary]["body"].decode("utf-8")
    for url in manifest.urls["tiny"]:
        main_part = re.search(r'<main id="content">(.*?)</main>', found[url]["body"].decode(), re.S)
        assert len(re.sub(r"<[^>]+>", " ", main_part.group(1)).split()) < 20, url


def test_declared_charsets_match_the_bytes(demo, found):
    _, manifest = demo
    for url, charset in manifest.charsets.items():
        body = found[url]["body"]
        assert found[url]["content_type"] == f"text/html; charset={charset}"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        page = body.decode(charset)
        assert f'<meta charset="{charset}">' in page
        first = re.search(r"<article>.*?<p>(.*?)</p>", page, re.S).group(1)
        pool = {p for _, p in content.PARAGRAPHS[manifest.document_languages[url]]}
        assert html.unescape(first) in pool


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name, pages=40, seed=seed)
    a, b, c = (all_files(tmp_path / name / "crawl") for name in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[name] != c[name] for name in a if name.startswith("warc/"))


def test_regenerating_replaces_an_earlier_crawl(tmp_path):
    generate(tmp_path, pages=90, seed=1)
    manifest = generate(tmp_path, pages=40, seed=1)
    written = [*manifest.files["warc"], *manifest.files["html"], *manifest.files["jsonl"]]
    assert sorted(all_files(tmp_path / "crawl")) == sorted([*written, "MANIFEST.json"])


def test_langdetect_identifies_the_articles(demo, found):
    DetectorFactory.seed = 0
    _, manifest = demo
    urls = [u for u in manifest.document_languages if u in found and found[u]["complete"]]
    assert len(urls) >= 40
    right = [
        detect(extracted(found[u])).split("-")[0] == manifest.document_languages[u] for u in urls
    ]
    assert sum(right) >= 0.9 * len(urls)
    rng, composed = Random(0), []
    for language in content.PARAGRAPHS:
        taken: list = []
        composed += [(language, compose_article(rng, language, taken)) for _ in range(5)]
    right = [detect("\n".join(a.paragraphs)).split("-")[0] == lang for lang, a in composed]
    assert sum(right) >= 0.9 * len(composed)


def test_extraction_keeps_the_article_and_drops_the_chrome(demo, found):
    _, manifest = demo
    url = next(
        u
        for u, lang in manifest.document_languages.items()
        if lang == "en" and u in found and u not in copies(manifest) and found[u]["complete"]
    )
    page = html.unescape(found[url]["body"].decode())
    text, chrome = extracted(found[url]), content.CHROME["en"]
    paragraphs = [p for _, p in content.PARAGRAPHS["en"] if p in page]
    assert len(paragraphs) >= 3 and all(p in text for p in paragraphs)
    assert '<nav class="main-nav">' in page and '<div class="ad">Advertisement' in page
    assert "<footer" in page and chrome["rights"] in page
    assert not set(text.splitlines()) & set(chrome["nav"]), "menu entries"
    for boilerplate in (chrome["newsletter_title"], chrome["rights"], chrome["cookie"][:30]):
        assert boilerplate not in text, boilerplate
    assert "Advertisement" not in text and chrome["accept"] not in text


def test_duplicates(demo, found):
    _, manifest = demo
    for original, copy in manifest.exact_duplicate_pairs:
        assert original != copy and found[original]["body"] == found[copy]["body"]
    for original, copy in manifest.near_duplicate_pairs:
        assert found[original]["body"] != found[copy]["body"]
        assert 0.85 <= jaccard(extracted(found[original]), extracted(found[copy])) < 1
    for language in ("en", "de", "ja"):
        urls = [u for u, lang in manifest.document_languages.items() if lang == language]
        urls = [u for u in urls if u in found and u not in copies(manifest)]
        texts = [extracted(found[u]) for u in urls if found[u]["complete"]]
        assert max(jaccard(a, b) for a, b in combinations(texts, 2)) < 0.7, language


def test_jsonl_has_one_broken_line_between_good_ones(demo):
    root, manifest = demo
    lines = (root / "jsonl" / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == manifest.counts["jsonl_documents"] + manifest.counts["jsonl_broken_lines"]
    good = []
    for number, line in enumerate(lines):
        try:
            good.append(json.loads(line))
        except json.JSONDecodeError:
            assert 0 < number < len(lines) - 1
    assert len(good) == manifest.counts["jsonl_documents"]
    for doc in good:
        assert set(doc) == {"id", "url", "text"} and len(doc["text"]) > 200
        assert doc["url"] in manifest.document_languages


def test_composition_is_pure_and_seeded():
    first = compose_article(Random(5), "de", [])
    assert first == compose_article(Random(5), "de", [])
    assert 3 <= len(first.paragraphs) <= 6
    taken: list = []
    articles = [compose_article(Random(k), "fr", taken) for k in range(30)]
    for a, b in combinations(articles, 2):
        shared, union = set(a.paragraphs) & set(b.paragraphs), set(a.paragraphs) | set(b.paragraphs)
        assert len(shared) / len(union) <= 0.5
    for k, article in enumerate(articles):
        variant = near_duplicate(Random(k), article)
        assert variant != article
        assert jaccard("\n".join(variant.paragraphs), "\n".join(article.paragraphs)) >= 0.85


def test_cli_writes_and_prints_one_paragraph(tmp_path, capsys):
    assert main(["--output", str(tmp_path), "--pages", "40", "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "40 pages" in out and "MANIFEST.json" in out
    assert json.loads((tmp_path / "crawl" / "MANIFEST.json").read_text())["seed"] == 9


@pytest.mark.parametrize(
    "argv",
    [
        ["--output", "OUT", "--pages", "many"],
        ["--output", "OUT", "--pages", "5"],
        ["--output", "OUT", "--pages", str(MAX_PAGES + 1)],
        ["--pages", "40"],
        ["--output", "OUT", "--colour"],
    ],
)
def test_cli_bad_arguments_exit_2_with_one_line(argv, tmp_path, capsys):
    argv = [str(tmp_path) if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("python -m pipelines.demo: error: ")
    assert not (tmp_path / "crawl").exists()


def test_cli_refuses_to_overwrite_a_directory_it_did_not_write(tmp_path, capsys):
    (tmp_path / "crawl").mkdir()
    (tmp_path / "crawl" / "notes.txt").write_text("mine")
    assert main(["--output", str(tmp_path)]) == 2
    assert "not overwriting" in capsys.readouterr().err
    assert (tmp_path / "crawl" / "notes.txt").read_text() == "mine"
