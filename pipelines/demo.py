"""Write a small, realistic, deterministic sample crawl of our own text (``make demo``, tests)."""

import argparse
import html
import io
import json
import re
import shutil
import sys
import unicodedata
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from random import Random

from warcio.warcwriter import WARCWriter

from pipelines import demo_content as content

MIN_PAGES, MAX_PAGES = 30, 1000
SPACELESS = ("ja", "zh")  # no near-duplicates there: word 5-grams need spaces between words
MAX_OVERLAP = 0.5  # most Jaccard similarity of paragraph sets allowed between distinct articles
BASE_TIME = datetime(2024, 3, 1, 6, 0, tzinfo=timezone.utc)
ISO = "%Y-%m-%dT%H:%M:%SZ"
SPECIAL = ("tiny", "not_html", "not_found", "binary", "truncated")


@dataclass(frozen=True)
class Article:
    language: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    url: str
    category: str  # "article", "exact_duplicate", "near_duplicate" or one of SPECIAL
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    language: str | None = None
    original: str | None = None  # the URL a duplicate copies

    @property
    def charset(self) -> str | None:
        return self.content_type.partition("charset=")[2] or None


@dataclass(frozen=True)
class Manifest:
    """What a run wrote, saved as ``DIR/crawl/MANIFEST.json`` (paths relative to ``DIR/crawl``)."""

    seed: int
    files: dict[str, tuple[str, ...]]  # "warc", "html", "jsonl" -> paths
    counts: dict[str, int]  # pages (WARC request/response pairs), warc_records, jsonl_documents...
    records: dict[str, int]  # WARC pages per category, adding up to counts["pages"]
    languages: dict[str, int]  # documents with text per language: WARC, HTML and JSONL
    document_languages: dict[str, str]  # URL (WARC, JSONL) or html/<name> -> language
    exact_duplicate_pairs: tuple[tuple[str, str], ...]  # (original URL, duplicate URL)
    near_duplicate_pairs: tuple[tuple[str, str], ...]  # (original URL, URL of the edited copy)
    urls: dict[str, tuple[str, ...]]  # category in SPECIAL -> URLs, in crawl order
    charsets: dict[str, str]  # URL -> declared charset, for the HTML pages not in UTF-8

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def compose_article(rng: Random, language: str, taken: list, min_paragraphs: int = 3) -> Article:
    """3–6 paragraphs whose set overlaps no earlier article's (in ``taken``) by more than half."""
    pool = content.PARAGRAPHS[language]
    for _ in range(5000):
        chosen = rng.sample(range(len(pool)), rng.randint(min_paragraphs, 6))
        key = frozenset(chosen)
        if all(len(key & t) / len(key | t) <= MAX_OVERLAP for t in taken):
            taken.append(key)
            return Article(language, pool[chosen[0]][0], tuple(pool[i][1] for i in chosen))
    raise RuntimeError(f"no distinct {language} article left to compose; ask for fewer pages")


def near_duplicate(rng: Random, article: Article) -> Article:
    """The same article with an update note appended, or with two words edited out."""
    paragraphs = list(article.paragraphs)
    if rng.random() < 0.5:
        paragraphs[-1] += " " + content.CHROME[article.language]["update"]
    else:
        for _ in range(2):
            k = rng.randrange(len(paragraphs))
            words = paragraphs[k].split(" ")
            del words[rng.randrange(1, len(words) - 1)]
            paragraphs[k] = " ".join(words)
    return replace(article, paragraphs=tuple(paragraphs))


def chrome_fields(rng: Random, language: str) -> dict[str, str]:
    """The language's site furniture escaped for HTML, with three freshly drawn ad blocks."""
    chrome, esc = content.CHROME[language], html.escape
    fields = {k: esc(v) for k, v in chrome.items() if isinstance(v, str)} | {"lang": language}
    for slot in ("top_ad", "side_ad", "inline_ad"):
        copy = esc(rng.choice(chrome["ad_copy"]))
        fields[slot] = content.AD.format(**fields, n=rng.randrange(10**6), copy=copy)
    return fields


def render_page(rng: Random, fields: dict, site: int, title: str, main: str, charset: str) -> bytes:
    """A whole page of the ``site``-th site of the language of ``fields`` (from
    :func:`chrome_fields`): ``main`` wrapped in menus, banners, ads, sidebar and footer."""
    chrome, esc = content.CHROME[fields["lang"]], html.escape
    related = rng.sample([h for h, _ in content.PARAGRAPHS[fields["lang"]]], rng.randint(3, 5))
    nav = zip(content.NAV_PATHS, chrome["nav"], strict=True)
    nav = "".join(f'<li><a href="/{path}">{esc(name)}</a></li>' for path, name in nav)
    links = (f'<li><a href="/story/{rng.randrange(10**5)}">{esc(h)}</a></li>' for h in related)
    footer = (f'<li><a href="/info/{i}">{esc(x)}</a></li>' for i, x in enumerate(chrome["footer"]))
    fields = {**fields, "nav": nav, "links": "".join(links), "footer_links": "".join(footer)}
    fields["cookie"] = content.COOKIE.format(**fields) if rng.random() < 0.9 else ""
    fields["side_ad"] = fields["side_ad"] if rng.random() < 0.7 else ""
    fields.update(charset=charset, title=esc(title), main=main)
    page = content.PAGE.format(**fields, site=esc(chrome["sites"][site][0]), year=BASE_TIME.year)
    return page.encode(charset, errors="xmlcharrefreplace")


def article_page(rng: Random, article: Article, site: int, charset: str = "utf-8") -> bytes:
    """``article`` as a page of the language's ``site``-th site, encoded in ``charset``."""
    fields = chrome_fields(rng, article.language)
    authors = content.CHROME[article.language]["authors"]
    body = [f"<p>{html.escape(p)}</p>" for p in article.paragraphs]
    body.insert(rng.randint(1, len(body) - 1), fields["inline_ad"])
    when = (BASE_TIME - timedelta(days=rng.randrange(1, 400))).date().isoformat()
    fields.update(title=html.escape(article.title), author=html.escape(rng.choice(authors)))
    main = content.ARTICLE.format(**fields, date=when, body="\n".join(body))
    return render_page(rng, fields, site, article.title, main, charset)


def site_url(language: str, site: int, path: str) -> str:
    return f"https://www.{content.CHROME[language]['sites'][site][1]}.example/{path}"


def article_url(rng: Random, article: Article, site: int, number: int) -> str:
    ascii_title = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50].strip("-") or "article"
    section = rng.choice(content.NAV_PATHS[1:])
    return site_url(article.language, site, f"{section}/{slug}-{number}.html")


def plan_crawl(rng: Random, pages: int, taken: dict[str, list]) -> list[Page]:
    """``pages`` WARC pages in crawl order, the one to truncate last: distinct articles, their
    exact and near duplicates, tiny pages, an image, a PDF, a 404 and binary junk."""
    n_dup, n_tiny = max(2, round(pages * 0.05)), max(2, pages // 100)
    n_distinct = pages - 2 * n_dup - n_tiny - 4  # 4 other pages; the last article truncates
    langs = [content.LANGUAGE_CYCLE[i % len(content.LANGUAGE_CYCLE)] for i in range(n_distinct)]
    near = rng.sample([i for i, lang in enumerate(langs[:-1]) if lang not in SPACELESS], n_dup)
    exact = rng.sample([i for i in range(n_distinct - 1) if i not in near], n_dup)
    charsets = {langs.index("fr"): "windows-1252", langs.index("ja"): "Shift_JIS"}
    out = []
    for i, lang in enumerate(langs):
        article = compose_article(rng, lang, taken[lang], 4 if i in near else 3)
        site, charset = rng.randrange(2), charsets.get(i, "utf-8")
        url = article_url(rng, article, site, len(out))
        body = article_page(rng, article, site, charset)
        out.append(Page(url, "article", body, f"text/html; charset={charset}", language=lang))
        if i in exact:
            copy = url + rng.choice(content.TRACKING)
            out.append(replace(out[-1], url=copy, category="exact_duplicate", original=url))
        if i in near:
            variant = near_duplicate(rng, article)
            copy = article_url(rng, variant, 1 - site, len(out))
            body = article_page(rng, variant, 1 - site)
            out.append(Page(copy, "near_duplicate", body, language=lang, original=url))
    last = replace(out.pop(), category="truncated")  # the last article, never duplicated
    kinds = [(lang, k) for lang in content.PARAGRAPHS for k in (0, 1)]  # the two tiny pages
    for lang, k in rng.sample(kinds, n_tiny):
        title, text = content.CHROME[lang]["tiny"][k]
        main = content.TINY.format(title=html.escape(title), text=html.escape(text))
        body = render_page(rng, chrome_fields(rng, lang), 0, title, main, "utf-8")
        url = site_url(lang, 0, content.TINY_PATHS[k] + str(len(out)))
        out.append(Page(url, "tiny", body, language=lang))
    for lang, site, path, category, body, content_type, status in content.OTHER_PAGES:
        body = rng.randbytes(3000) if body is None else body
        out.append(Page(site_url(lang, site, path), category, body, content_type, status))
    rng.shuffle(out)
    where = {page.url: k for k, page in enumerate(out)}
    for a, b in [(where[p.original], k) for k, p in enumerate(out) if p.original]:
        out[min(a, b)], out[max(a, b)] = out[a], out[b]  # the original is crawled first
    return [*out, last]


def warc_files(rng: Random, pages: list[Page], seed: int) -> dict[str, bytes]:
    """Gzipped WARC files of ``pages``; the last file ends halfway into its last record."""
    count = min(8, max(3, len(pages) // 50))
    bounds = [len(pages) * j // count for j in range(count + 1)]
    files, clock = {}, BASE_TIME

    def ids() -> str:
        return f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"

    for j in range(count):
        name, out = f"crawl-{j:03d}.warc.gz", io.BytesIO()
        info = {"WARC-Filename": name, "WARC-Record-ID": ids(), "WARC-Date": clock.strftime(ISO)}
        records = [("warcinfo", "", content.WARCINFO.format(seed=seed).encode(), info)]
        for page in pages[bounds[j] : bounds[j + 1]]:
            clock += timedelta(seconds=rng.randint(1, 90))
            request = content.REQUEST.format(url=page.url.split("/", 3)).encode()
            http_date = format_datetime(clock, usegmt=True)
            head = content.RESPONSE.format(page=page, length=len(page.body), date=http_date)
            response = {"WARC-Record-ID": ids(), "WARC-Date": clock.strftime(ISO)}
            req = {"WARC-Concurrent-To": response["WARC-Record-ID"], "WARC-Record-ID": ids()}
            records.append(("request", page.url, request, {**response, **req}))
            records.append(("response", page.url, head.encode() + page.body, response))
        writer = WARCWriter(out, gzip=True)
        for kind, url, data, h in records:
            last, payload = out.tell(), io.BytesIO(data)
            record = writer.create_warc_record(url, kind, payload, len(data), warc_headers_dict=h)
            writer.write_record(record)
        data = out.getvalue()
        files[f"warc/{name}"] = data[: last + (len(data) - last) // 2] if j == count - 1 else data
    return files


def extra_documents(rng: Random, taken: dict[str, list]) -> tuple:
    """Loose HTML pages, the JSONL file (a broken line after the third) and their languages."""
    html_files, lines = {}, []
    languages = {f"html/{name}": lang for name, lang in content.HTML_FILES}
    for name, lang in content.HTML_FILES:
        article = compose_article(rng, lang, taken[lang])
        html_files[f"html/{name}"] = article_page(rng, article, rng.randrange(2))
    for k, lang in enumerate(content.JSONL_LANGUAGES):
        article = compose_article(rng, lang, taken[lang])
        url = article_url(rng, article, rng.randrange(2), 9000 + k)
        text = "\n\n".join((article.title, *article.paragraphs))
        doc = {"id": f"demo-doc-{k:04d}", "url": url, "text": text}
        lines.append(json.dumps(doc, ensure_ascii=False))
        languages[url] = lang
    lines.insert(3, '{"id": "demo-doc-broken", "url": "https://www.morningkettle.example/x", "te')
    return html_files, "\n".join([*lines, ""]).encode(), languages


def generate(output: Path, pages: int = 300, seed: int = 42) -> Manifest:
    """Write the sample crawl under ``output/crawl`` (replacing an earlier one) and describe it."""
    if not MIN_PAGES <= pages <= MAX_PAGES:
        raise ValueError(f"pages must be from {MIN_PAGES} to {MAX_PAGES}, not {pages}")
    root = Path(output) / "crawl"
    if (root / "MANIFEST.json").is_file():
        shutil.rmtree(root)
    elif root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not a demo crawl; not overwriting it")
    rng, taken = Random(seed), {lang: [] for lang in content.PARAGRAPHS}
    crawl = plan_crawl(rng, pages, taken)
    warcs = warc_files(rng, crawl, seed)
    html_files, jsonl, languages = extra_documents(rng, taken)
    for name, data in {**warcs, **html_files, "jsonl/docs.jsonl": jsonl}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    languages.update({p.url: p.language for p in crawl if p.category not in SPECIAL[:-1]})
    counts = {"pages": pages, "warc_files": len(warcs), "warc_records": len(warcs) + 2 * pages}
    counts |= {"html_files": len(html_files), "jsonl_documents": len(content.JSONL_LANGUAGES)}
    counts["jsonl_broken_lines"] = 1
    of = {k: [p for p in crawl if p.category == k] for k in {p.category for p in crawl}}
    manifest = Manifest(
        seed=seed,
        files={"warc": tuple(warcs), "html": tuple(html_files), "jsonl": ("jsonl/docs.jsonl",)},
        counts=counts,
        records={k: len(of[k]) for k in sorted(of)},
        languages=dict(sorted(Counter(languages.values()).items())),
        document_languages=languages,
        exact_duplicate_pairs=tuple((p.original, p.url) for p in of["exact_duplicate"]),
        near_duplicate_pairs=tuple((p.original, p.url) for p in of["near_duplicate"]),
        urls={k: tuple(p.url for p in of[k]) for k in SPECIAL},
        charsets={p.url: p.charset for p in crawl if p.charset not in (None, "utf-8")},
    )
    (root / "MANIFEST.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # main() reports it in one line, exit status 2
        raise argparse.ArgumentError(None, message)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m pipelines.demo", description=content.CLI_DESCRIPTION)
    add = parser.add_argument
    add("--output", metavar="DIR", type=Path, required=True, help="write DIR/crawl/ (see above)")
    add("--pages", metavar="N", type=int, default=300, help="WARC pages, 30 to 1000 (%(default)s)")
    add("--seed", metavar="S", type=int, default=42, help="random seed (%(default)s)")
    try:
        args = parser.parse_args(argv)
        manifest = generate(args.output, args.pages, args.seed)
    except (argparse.ArgumentError, ValueError, OSError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, OSError) and not isinstance(exc, FileExistsError) else 2
    languages = ", ".join(f"{k} {v}" for k, v in manifest.languages.items())
    print(content.SUMMARY.format(m=manifest, root=args.output / "crawl", languages=languages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
