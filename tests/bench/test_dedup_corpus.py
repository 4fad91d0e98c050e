"""The dedup benchmark's corpus builder and scoring (pure functions)."""

from __future__ import annotations

import random

import pytest

from bench import dedup_corpus as dc
from transforms.minhash import normalise_for_dedup

PAGE = "\n".join(
    " ".join(f"w{random.Random(p).randrange(3000)}x{i}" for i in range(60)) for p in range(6)
)
ZH = "\n".join(["我们今天去公园散步，天气非常好。", "他们明天要去北京看望朋友。"] * 4)


def test_substitute_rate_and_tokens():
    rng = random.Random(0)
    edited = dc.substitute(PAGE, 0.1, by_char=False, rng=rng)
    before, after = PAGE.split(), edited.split()
    assert len(before) == len(after)
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    assert 0.05 * len(before) < changed < 0.15 * len(before)
    assert edited.count("\n") == PAGE.count("\n")  # separators are kept
    zh = dc.substitute(ZH, 0.2, by_char=True, rng=random.Random(1))
    assert len(zh) == len(ZH) and zh != ZH and zh.count("\n") == ZH.count("\n")
    assert dc.substitute(PAGE, 0.0, by_char=False, rng=rng) == PAGE


def test_drop_paragraph():
    dropped = dc.drop_paragraph(PAGE, random.Random(0))
    assert dropped is not None and dropped.count("\n") == PAGE.count("\n") - 1
    assert dropped.split("\n")[0] == PAGE.split("\n")[0]  # never the first paragraph
    assert dc.drop_paragraph("one paragraph only", random.Random(0)) is None


def test_variants_and_corpus_are_deterministic():
    sources = [dc.Source("page-1", "", PAGE), dc.Source("zh-000", "zh", ZH)]
    docs = dc.build_corpus(sources, seed=3)
    assert docs == dc.build_corpus(sources, seed=3)
    assert docs != dc.build_corpus(sources, seed=4)
    names = [d.variant for d in docs if d.family == "page-1"]
    substituted = [f"sub{r:g}" for r in dc.SUBSTITUTION_RATES]
    assert names == ["orig", *substituted, "dropped", "boiler", "reformat"]
    assert {d.group for d in docs} == {"other", "zh"}
    assert len({d.doc_id for d in docs}) == len(docs)
    by_id = {d.doc_id: d for d in docs}
    reformat, orig = by_id["page-1-reformat"], by_id["page-1-orig"]
    assert normalise_for_dedup(reformat.text) == normalise_for_dedup(orig.text)
    assert dc.build_corpus(sources, seed=3, max_docs=12) == [
        d for d in docs if d.family == "page-1"
    ]


def test_exact_jaccard_of_family_pairs():
    docs = dc.build_corpus([dc.Source("page-1", "", PAGE), dc.Source("zh-000", "zh", ZH)])
    sets = {d.doc_id: dc.shingle_set(d) for d in docs}
    pairs = dc.family_pairs(docs, sets)
    assert len(pairs) == 2 * (10 * 9 // 2)
    assert all(p.a.split("-")[:2] == p.b.split("-")[:2] for p in pairs)  # within families
    by_pair = {(p.a, p.b): p.jaccard for p in pairs}
    assert by_pair[("page-1-orig", "page-1-reformat")] == 1.0
    # more substitutions, less similar; the boilerplate line costs little
    rates = [by_pair[("page-1-orig", f"page-1-sub{r:g}")] for r in dc.SUBSTITUTION_RATES]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0.9 and rates[-1] < 0.6
    assert by_pair[("page-1-orig", "page-1-boiler")] > 0.95
    assert dc.jaccard(frozenset({b"a", b"b"}), frozenset({b"b", b"c"})) == pytest.approx(1 / 3)
    assert dc.jaccard(frozenset(), frozenset()) == 1.0


def test_score_precision_and_recall():
    docs = [
        dc.BenchDoc(name, "f", "other", "en", name, text)
        for name, text in {"a": "1 2 3 4 5 6", "b": "1 2 3 4 5 7", "c": "9 9 9 9 9 8"}.items()
    ]
    sets = {"a": frozenset({1, 2, 3, 4}), "b": frozenset({1, 2, 3, 5}), "c": frozenset({7, 8})}
    pairs = [dc.Pair("a", "b", "other", 0.9), dc.Pair("a", "c", "other", 0.0)]
    pairs.append(dc.Pair("b", "c", "other", 0.0))
    # b removed as a duplicate of kept a (exact J 0.6 >= 0.7? no: wrong); c kept
    score = dc.score(docs, pairs, sets, {"b": ["a"]}, threshold=0.8, groups=("other",))
    assert (score.removed, score.wrong, score.true_pairs, score.missed) == (1, 1, 1, 0)
    assert score.precision == 0.0 and score.recall == 1.0
    score = dc.score(docs, pairs, sets, {}, threshold=0.6, groups=("other",))
    assert (score.precision, score.recall, score.missed) == (1.0, 0.0, 1)
    assert dc.score(docs, pairs, sets, {}, 0.8, groups=("zh",)).true_pairs == 0


def test_templated_docs():
    pages = dc.templated_docs(" ".join(f"w{i}" for i in range(100)), n=50, slots=3)
    assert len(pages) == 50 and len({text for _, text in pages}) == 50
    assert all(len(text.split()) == 100 for _, text in pages)
    first, second = pages[0][1].split(), pages[1][1].split()
    assert sum(a != b for a, b in zip(first, second, strict=True)) == 3


def test_sentence_sources(shared_data):
    zh = dc.sentence_sources(shared_data, "zh", per_doc=10)
    assert len(zh) == 36 and all(s.text.count("\n") == 9 for s in zh)
    assert {s.language for s in zh} == {"zh"} and len({s.family for s in zh}) == 36
