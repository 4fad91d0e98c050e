"""Language-identification accuracy on the lingua test sentences: ours must match or beat plain
langdetect.

"Plain" is ``langdetect.detect`` with ``DetectorFactory.seed = 0`` (its labels normalised, so
"zh-cn"/"zh-tw" count as "zh"); "ours" is ``LanguageTagger.detect``. ``make test`` uses every
twentieth sentence (~730 over 30 languages, ~6 s); the full 14,577 are ``slow``. Run with ``-s`` to
see the figures.
"""

from __future__ import annotations

import langdetect
import pytest
from langdetect.lang_detect_exception import LangDetectException

from tests.quality.scoring import accuracy, load_sentences
from transforms.language import LanguageTagger, normalise_language_code

pytestmark = pytest.mark.shared_data


@pytest.fixture
def plain_detect(monkeypatch):
    """langdetect as documented: the global seed set for reproducible answers."""
    monkeypatch.setattr(langdetect.DetectorFactory, "seed", 0)

    def detect(sentence: str) -> str:
        try:
            return normalise_language_code(langdetect.detect(sentence))
        except LangDetectException:
            return "und"

    return detect


def compare(pairs: list[tuple[str, str]], plain_detect) -> None:
    tagger = LanguageTagger()
    tagger.load()
    baseline = accuracy(pairs, plain_detect)
    result = accuracy(pairs, lambda sentence: tagger.detect(sentence)[0])
    print(f"\n{len(pairs)} sentences: plain langdetect {baseline:.4f}, LanguageTagger {result:.4f}")
    assert result >= baseline


def test_ours_not_worse_than_plain_on_every_twentieth_sentence(shared_data, plain_detect):
    compare(load_sentences(shared_data / "lingua-sentences", every=20), plain_detect)


@pytest.mark.slow
def test_ours_not_worse_than_plain_on_all_sentences(shared_data, plain_detect):
    compare(load_sentences(shared_data / "lingua-sentences"), plain_detect)
