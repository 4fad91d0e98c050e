"""A near-duplicate corpus with known exact Jaccard similarities, built from real text.

Each *family* is one real text (the extracted main text of a shared page, or zh/ja/th sentences
grouped into a document) plus edited copies: token substitutions at several rates, a dropped
paragraph, an appended boilerplate line, and a reformatted copy (an exact duplicate after
normalisation). Tokens are words, or characters for zh/ja/th. The exact Jaccard of every
within-family pair is computed on the very shingles the pipeline uses (``transforms.minhash``).
Everything here is deterministic for a given seed.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from transforms.decoding import decode_html
from transforms.extract import count_words, extract_text
from transforms.minhash import MinHasher, band_keys, exact_key, lsh_params, shingles
from transforms.minhash import signature_bytes as to_bytes
from transforms.records import DedupCandidate, make_record_id

GROUPS = {"all": ("other", "zh", "ja", "th"), "pages": ("other",), "zh+ja": ("zh", "ja")}
GROUPS |= {"zh": ("zh",), "ja": ("ja",), "th": ("th",)}  # rows of the score table
SUBSTITUTION_RATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1)
CHAR_TOKEN_LANGUAGES = ("zh", "ja", "th")  # edited character by character
BOILERPLATE = {
    "zh": "分享到：微信 | 微博 | 邮件 —— 版权所有 © 2024 保留所有权利。",
    "ja": "この記事をシェア：Twitter | Facebook | メール ― © 2024 無断転載を禁じます。",
    "th": "แชร์บทความนี้: Facebook | Twitter | อีเมล — © 2024 สงวนลิขสิทธิ์",
    "": "Share this article: Facebook | Twitter | Email — © 2024 Example Media. "
    "All rights reserved.",
}


@dataclass(frozen=True)
class Source:
    """A real text that founds a family; ``language`` is "" when it is not known."""

    family: str
    language: str
    text: str


@dataclass(frozen=True)
class BenchDoc:
    doc_id: str
    family: str
    group: str  # "zh", "ja", "th" or "other": the rows of the benchmark's per-script table
    language: str
    variant: str
    text: str


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    group: str
    jaccard: float


def page_sources(shared_data: Path, min_words: int = 150) -> list[Source]:
    """The extracted text of every shared trafilatura page with at least ``min_words`` words."""
    sources = []
    for i, path in enumerate(sorted((shared_data / "trafilatura-eval" / "html").glob("*.gz"))):
        html, _ = decode_html(gzip.decompress(path.read_bytes()))
        text = extract_text(html)
        if text and count_words(text) >= min_words:
            sources.append(Source(f"page-{i:03d}", "", text))
    return sources


def sentence_sources(shared_data: Path, language: str, per_doc: int = 10) -> list[Source]:
    """Consecutive sentences of ``lingua-sentences/<language>.txt``, ``per_doc`` to a document
    (one sentence per line, so each sentence is a paragraph)."""
    path = shared_data / "lingua-sentences" / f"{language}.txt"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    return [
        Source(f"{language}-{i // per_doc:03d}", language, "\n".join(lines[i : i + per_doc]))
        for i in range(0, len(lines) - per_doc + 1, per_doc)
    ]


def all_sources(shared_data: Path, seed: int = 0) -> list[Source]:
    """The pages and the zh/ja/th sentence documents, shuffled (a size cap keeps every script)."""
    sources = page_sources(shared_data)
    sources += [s for lang in CHAR_TOKEN_LANGUAGES for s in sentence_sources(shared_data, lang)]
    random.Random(seed).shuffle(sources)
    return sources


def first_words(sources: Sequence[Source], n: int) -> list[str]:
    """The first ``n`` words of every page text that has at least ``n``."""
    return [
        " ".join(s.text.split()[:n]) for s in sources if not s.language and len(s.text.split()) >= n
    ]


def _tokens(text: str, by_char: bool) -> list[str]:
    """``text`` cut into tokens and separators: joining the list gives ``text`` back."""
    return list(text) if by_char else re.split(r"(\s+)", text)


def substitute(text: str, rate: float, by_char: bool, rng: random.Random) -> str:
    """Replace each token with probability ``rate`` by another token of the same text."""
    parts = _tokens(text, by_char)
    words = [i for i, p in enumerate(parts) if p.strip()]
    vocabulary = sorted({parts[i] for i in words})
    for i in words:
        if rng.random() < rate and len(vocabulary) > 1:
            choice = rng.choice(vocabulary)
            while choice == parts[i]:
                choice = rng.choice(vocabulary)
            parts[i] = choice
    return "".join(parts)


def drop_paragraph(text: str, rng: random.Random) -> str | None:
    """Without one paragraph other than the first, of at most a quarter of the text (the
    smallest one when none is that short); None for a single-paragraph text."""
    paragraphs = text.split("\n")
    if len(paragraphs) < 2:
        return None
    total = sum(len(p) for p in paragraphs)
    small = [i for i in range(1, len(paragraphs)) if len(paragraphs[i]) <= total / 4]
    drop = (
        rng.choice(small)
        if small
        else min(range(1, len(paragraphs)), key=lambda i: len(paragraphs[i]))
    )
    return "\n".join(p for i, p in enumerate(paragraphs) if i != drop)


def variants(source: Source, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(variant name, text) for the original and each edited copy."""
    by_char = source.language in CHAR_TOKEN_LANGUAGES
    yield "orig", source.text
    for rate in SUBSTITUTION_RATES:
        yield f"sub{rate:g}", substitute(source.text, rate, by_char, rng)
    dropped = drop_paragraph(source.text, rng)
    if dropped is not None:
        yield "dropped", dropped
    yield "boiler", source.text + "\n" + BOILERPLATE.get(source.language, BOILERPLATE[""])
    yield "reformat", "  ".join(source.text.split()).upper() + " ."


def group_of(language: str) -> str:
    return language if language in CHAR_TOKEN_LANGUAGES else "other"


def build_corpus(
    sources: Sequence[Source], seed: int = 0, max_docs: int | None = None
) -> list[BenchDoc]:
    """The families of ``sources`` (whole families, at most ``max_docs`` documents)."""
    docs: list[BenchDoc] = []
    for source in sources:
        rng = random.Random(f"{seed}:{source.family}")
        family = [
            BenchDoc(
                f"{source.family}-{name}",
                source.family,
                group_of(source.language),
                source.language or "und",
                name,
                text,
            )
            for name, text in variants(source, rng)
        ]
        if max_docs is not None and len(docs) + len(family) > max_docs:
            break
        docs.extend(family)
    return docs


def shingle_set(doc: BenchDoc) -> frozenset[bytes]:
    return frozenset(shingles(doc.text, doc.language))


def jaccard(a: frozenset[bytes], b: frozenset[bytes]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def family_pairs(docs: Sequence[BenchDoc], sets: dict[str, frozenset[bytes]]) -> list[Pair]:
    """Every within-family pair with its exact Jaccard similarity."""
    families: dict[str, list[BenchDoc]] = {}
    for doc in docs:
        families.setdefault(doc.family, []).append(doc)
    return [
        Pair(a.doc_id, b.doc_id, a.group, jaccard(sets[a.doc_id], sets[b.doc_id]))
        for members in families.values()
        for a, b in combinations(members, 2)
    ]


def group_candidate(i: int, kind: str, template: str, threshold: float) -> DedupCandidate:
    """The dedup row of page ``i`` of a large group: ``template`` itself (``kind="identical"``)
    or its templated variant, as ``ProcessFiles`` would emit it (8 candidate parts)."""
    text = template if kind == "identical" else templated_page(template.split(), i)
    sig = MinHasher().signature(shingles(text, "und"))
    keys = band_keys(sig, lsh_params(threshold))
    return DedupCandidate(
        make_record_id("group", i), f"part-{i % 8}", exact_key(text), keys, to_bytes(sig)
    )


def templated_page(words: Sequence[str], i: int, slots: int = 3, seed: int = 0) -> str:
    """Page ``i`` of a site: ``words`` with ``slots`` of them (the same positions on every page)
    replaced by values of its own, like a product or city page."""
    positions = sorted(random.Random(seed).sample(range(len(words)), min(slots, len(words))))
    page, rng = list(words), random.Random(f"{seed}:{i}")
    for slot, position in enumerate(positions):
        page[position] = f"item{slot}x{rng.randrange(10**9)}"
    return " ".join(page)


def templated_docs(template: str, n: int, slots: int = 3, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` near-identical pages (doc id, text) of one template (see :func:`templated_page`)."""
    words = template.split()
    return [(f"tmpl-{i:05d}", templated_page(words, i, slots, seed)) for i in range(n)]


@dataclass(frozen=True)
class Score:
    removed: int
    wrong: int  # removed documents without a kept document of exact J >= threshold - 0.1
    true_pairs: int  # within-family pairs with exact J >= threshold + 0.05
    missed: int  # true pairs that both survive

    @property
    def precision(self) -> float:
        return 1.0 - self.wrong / self.removed if self.removed else 1.0

    @property
    def recall(self) -> float:
        return 1.0 - self.missed / self.true_pairs if self.true_pairs else 1.0


def score(
    docs: Sequence[BenchDoc],
    pairs: Sequence[Pair],
    sets: dict[str, frozenset[bytes]],
    matched: dict[str, Sequence[str]],
    threshold: float,
    groups: Sequence[str],
) -> Score:
    """Precision and recall of a deduplication restricted to documents/pairs of ``groups``.

    ``matched`` maps each removed doc id to the doc ids it was matched with (may be empty); a
    removal is right when one of those, or a document of its family, is kept and has an exact
    Jaccard >= ``threshold - 0.1`` with it. A pair of exact Jaccard >= ``threshold + 0.05`` is
    missed when both documents are kept.
    """
    kept = {doc.doc_id for doc in docs} - matched.keys()
    family_kept: dict[str, list[str]] = {}
    for doc in docs:
        if doc.doc_id in kept:
            family_kept.setdefault(doc.family, []).append(doc.doc_id)
    wrong = removed = 0
    for doc in docs:
        if doc.group not in groups or doc.doc_id not in matched:
            continue
        removed += 1
        others = [d for d in matched[doc.doc_id] if d in kept] + family_kept.get(doc.family, [])
        mine = sets[doc.doc_id]
        wrong += not any(jaccard(mine, sets[other]) >= threshold - 0.1 for other in others)
    true_pairs = [p for p in pairs if p.group in groups and p.jaccard >= threshold + 0.05]
    missed = sum(1 for p in true_pairs if p.a in kept and p.b in kept)
    return Score(removed, wrong, len(true_pairs), missed)


def score_rows(
    docs: Sequence[BenchDoc],
    pairs: Sequence[Pair],
    sets: dict[str, frozenset[bytes]],
    systems: dict[str, dict[str, Sequence[str]]],
    threshold: float,
) -> list[tuple]:
    """(docs, system, precision, removed, wrong, recall, pairs, both kept) per ``GROUPS`` entry
    and system (``systems`` maps a name to its ``matched``, see :func:`score`)."""
    rows = []
    for name, groups in GROUPS.items():
        for system, matched in systems.items():
            s = score(docs, pairs, sets, matched, threshold, groups)
            rows.append(
                (name, system, s.precision, s.removed, s.wrong, s.recall, s.true_pairs, s.missed)
            )
    return rows
