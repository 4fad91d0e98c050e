"""Language tagging: code normalisation, sampling, and a deterministic, picklable tagger."""

from __future__ import annotations

import pickle
import random

import langdetect
import pytest

from transforms.language import (
    LanguageTagger,
    dominant_script,
    normalise_language_code,
    sample_text,
)


@pytest.fixture(scope="module")
def tagger() -> LanguageTagger:
    loaded = LanguageTagger()
    loaded.load()
    return loaded


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-cn", "zh"),
        ("zh-tw", "zh"),
        ("ZH-TW", "zh"),
        ("EN", "en"),
        (" de ", "de"),
        ("pt_BR", "pt"),
        ("unknown", "und"),
        ("", "und"),
        ("123", "und"),
        ("e", "und"),
    ],
)
def test_normalise_language_code(code, expected):
    assert normalise_language_code(code) == expected


def test_sample_text_drops_short_lines_urls_mail_and_numbers():
    text = (
        "Home\nMenu\n"
        "The quick brown fox jumps over the lazy dog, see https://x.com/a?b=1 "
        "or mail a@b.com on 12.03.2024.\n42"
    )
    assert (
        sample_text(text, 2000) == "The quick brown fox jumps over the lazy dog, see or mail on ."
    )


def test_sample_text_keeps_short_lines_when_nothing_else_is_left():
    assert sample_text("Home\n\n  Contact   us \n", 2000) == "Home\nContact us"
    assert sample_text("", 2000) == ""
    assert sample_text("123 456\nhttps://example.com", 2000) == ""


def test_sample_text_takes_the_start_and_the_middle_cut_between_words():
    text = "\n".join(
        ["Intro line one is here"] + [f"Paragraph {i} talks about harbours" for i in range(6)]
    )
    assert sample_text(text, 80) == (
        "Intro line one is here\nParagraph talks\nharbours\nParagraph talks about"
    )


def test_sample_text_is_bounded():
    text = "\n".join(f"Line {i} has some words in it and then some more" for i in range(500))
    for max_chars in (0, 1, 10, 99, 100, 2000):
        assert len(sample_text(text, max_chars)) <= max_chars
    cjk = "这是一个用于测试的中文句子。" * 10
    assert sample_text(cjk, 20) == "这是一个用于测试的中\n这是一个用于测试的"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Hello world", "latin"),
        ("日本語のテキストです", "kana"),
        ("这是中文", "han"),
        ("한국어 문장", "hangul"),
        ("Привет мир", "cyrillic"),
        ("12345 !!!", None),
    ],
)
def test_dominant_script(text, script):
    assert dominant_script(text) == script


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The quick brown fox jumps over the lazy dog and runs into the forest.", "en"),
        ("Der schnelle braune Fuchs springt über den faulen Hund.", "de"),
        ("Le renard brun rapide saute par-dessus le chien paresseux.", "fr"),
        ("El rápido zorro marrón salta sobre el perro perezoso.", "es"),
        ("Это предложение написано на русском языке.", "ru"),
        ("这是一个用于测试的中文句子。", "zh"),
        ("日本語のテキストです。これはテストです。", "ja"),
        ("한국어 문장입니다. 이것은 테스트입니다.", "ko"),
        # Han only, no Hangul: plain langdetect answers "ko" for this one (lingua zh.txt)
        (
            "一九四六三年三月二十日，里赫氏研究生罗特将新研制的变形魔法在赫氏一年一度的校庆活动上公开表演",
            "zh",
        ),
    ],
)
def test_detect(tagger, text, language):
    code, probability = tagger.detect(text)
    assert code == language
    assert 0.5 < probability <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12345 !!! 678", "https://example.com/a/b"])
def test_undetectable_text(tagger, text):
    assert tagger.detect(text) == ("und", 0.0)


TEXTS = [
    "Dit is een korte Nederlandse zin over het weer.",
    "Ovo je kratka rečenica.",
    "Jeg har ikke tid i dag, men kanskje i morgen.",
    "ok ok",
]


def test_same_text_same_label_and_probability(tagger):
    first = [tagger.detect(t) for t in TEXTS]
    assert [tagger.detect(t) for t in reversed(TEXTS)] == list(reversed(first))
    other = LanguageTagger()
    assert [other.detect(t) for t in TEXTS] == first


def test_independent_of_global_random_state(tagger, monkeypatch):
    expected = [tagger.detect(t) for t in TEXTS]
    monkeypatch.setattr(langdetect.DetectorFactory, "seed", 12345)
    random.seed(987)
    langdetect.detect("initialise langdetect's global factory too")
    fresh = LanguageTagger()
    assert [fresh.detect(t) for t in TEXTS] == expected
    assert [tagger.detect(t) for t in TEXTS] == expected


def test_pickled_unloaded_instance_gives_the_same_answers(tagger):
    unloaded = LanguageTagger(seed=0, sample_chars=2000)
    restored = pickle.loads(pickle.dumps(unloaded))
    restored.load()
    restored.load()  # idempotent
    assert [restored.detect(t) for t in TEXTS] == [tagger.detect(t) for t in TEXTS]


def test_instances_pickle_small_even_when_loaded(tagger):
    assert len(pickle.dumps(LanguageTagger())) < 300
    assert len(pickle.dumps(tagger)) < 300
    restored = pickle.loads(pickle.dumps(tagger))
    assert restored.detect(TEXTS[0]) == tagger.detect(TEXTS[0])


@pytest.mark.parametrize("candidates", [set(), {"en", "de", "fr", "nl"}, {"zh-cn", "zh-tw", "ja"}])
def test_probabilities_are_langdetects_to_the_last_bit(tagger, candidates):
    """The memoised n-grams and candidate-only trials give exactly langdetect's ``langprob``."""
    factory = tagger._loaded()
    for text in [*TEXTS, "ABC DEF x", "Ünïcödé façade, naïve CAFÉ résumé", "这是 English 混合"]:
        detector = factory.create()
        prior = {lang: 1.0 for lang in factory.langlist if lang in candidates}
        if prior:
            detector.set_prior_map(prior)
        detector.append(text)
        try:
            detector.get_probabilities()
        except langdetect.LangDetectException:
            assert tagger.probabilities(text, candidates) is None
            continue
        assert tagger.probabilities(text, candidates) == detector.langprob
