"""Document language tagging with langdetect, made deterministic and script-aware.

Plain ``langdetect.detect`` has three problems for a pipeline: it is random unless the *global*
``DetectorFactory.seed`` is set, its profiles load into a module-global factory on first use, and
it happily answers "ko" for Chinese text (Han characters are shared). ``LanguageTagger`` owns its
own ``DetectorFactory``, built in ``load()`` (not at import or in ``__init__``: Beam pickles the
instance into every worker, and the 55 loaded profiles pickle to ~45 MB), with the seed set on
that instance. langdetect seeds a per-detector ``random.Random`` from it, so the same text always
gets the same label and probability, whatever ran before. Profiles are loaded in sorted file
order, so ties resolve the same way on every machine.

On top of langdetect:

* the candidate languages are restricted to those written in the text's dominant script (a prior
  of zero for the others), e.g. Han without Hangul cannot be Korean;
* "zh-cn"/"zh-tw" are merged into "zh" (their probabilities are added) before picking the best;
* long documents are sampled (``sample_text``): langdetect reads at most 10,000 characters from
  the start anyway, which is often a menu or a cookie notice, and costs time for nothing.

``LanguageTagger.detect`` runs langdetect's algorithm (same n-grams, seeded draws and arithmetic:
the same probabilities to the last bit) at under half its cost: a word's n-grams are
memoised per worker, and the trials update only the candidate languages (the others have a zero
prior and stay at zero), as numpy vectors whose sums are still taken in langdetect's order.
"""

from __future__ import annotations

import operator
import random
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

UNDETERMINED = "und"

# The languages of langdetect's profiles, by script. Scripts not listed get no prior.
_LATIN = (
    "af ca cs cy da de en es et fi fr hr hu id it lt lv nl no pl pt ro sk sl so sq sv sw tl tr vi"
)
_SCRIPTS: tuple[tuple[str, str, str], ...] = (
    # (script, character class, candidate languages)
    ("latin", "A-Za-zÀ-ɏḀ-ỿ", _LATIN),
    ("cyrillic", "Ѐ-ӿ", "bg mk ru uk"),
    ("greek", "Ͱ-Ͽ", "el"),
    ("hebrew", "\u0590-\u05ff", "he"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f", "ar fa ur"),
    ("devanagari", "\u0900-\u097f", "hi mr ne"),
    ("bengali", "\u0980-\u09ff", "bn"),
    ("gurmukhi", "\u0a00-\u0a7f", "pa"),
    ("gujarati", "\u0a80-\u0aff", "gu"),
    ("tamil", "\u0b80-\u0bff", "ta"),
    ("telugu", "\u0c00-\u0c7f", "te"),
    ("kannada", "\u0c80-\u0cff", "kn"),
    ("malayalam", "\u0d00-\u0d7f", "ml"),
    ("thai", "\u0e00-\u0e7f", "th"),
    ("hangul", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af", "ko"),
    ("kana", "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f", "ja"),
    ("han", "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff", "zh-cn zh-tw ja"),
)
_SCRIPT_RES = tuple(
    (name, re.compile(f"[{chars}]"), set(langs.split())) for name, chars, langs in _SCRIPTS
)
_CANDIDATES = {name: langs for name, _, langs in _SCRIPT_RES}

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_DIGITS = re.compile(r"\d+(?:[.,:/-]\d+)*")
_MIN_LINE_LETTERS = 12


def normalise_language_code(code: str) -> str:
    """langdetect's label as an ISO 639-1 code: "zh-cn"/"zh-tw" -> "zh", unknown -> "und"."""
    code = (code or "").strip().lower()
    base = code.split("-")[0].split("_")[0]
    if len(base) == 2 and base.isascii() and base.isalpha():
        return base
    return UNDETERMINED


def _clean_line(line: str) -> str:
    return " ".join(_DIGITS.sub(" ", _URL.sub(" ", line)).split())


def sample_text(text: str, max_chars: int) -> str:
    """At most ``max_chars`` of the text's most telling part: the first half from the start, the
    rest from the middle (a page's start is often a title or a menu, its middle is prose).

    URLs, e-mail addresses and numbers are dropped, and lines with fewer than 12 letters are
    skipped unless nothing else is left. Cuts fall between words where the text has spaces.
    """
    lines = [c for c in (_clean_line(line) for line in text.splitlines()) if c]
    long_lines = [c for c in lines if _has_letters(c, _MIN_LINE_LETTERS)]
    joined = "\n".join(long_lines or lines)
    if len(joined) <= max_chars:
        return joined
    if max_chars <= 0:
        return ""
    head = _window(joined, 0, max_chars // 2)
    start = max(len(joined) // 2, len(head) + 1)
    middle = _window(joined, start, max_chars - len(head) - 1)
    return "\n".join(part for part in (head, middle) if part)


def _has_letters(line: str, n: int) -> bool:
    """Whether ``line`` has at least ``n`` letters (stops counting at ``n``)."""
    if len(line) < n:
        return False
    count = 0
    for ch in line:
        if ch.isalpha():
            count += 1
            if count >= n:
                return True
    return False


def _window(text: str, start: int, size: int) -> str:
    """``text[start:start + size]`` without the partial words at its cut edges."""
    end = min(start + size, len(text))
    piece = text[start:end]
    if end < len(text) and not text[end].isspace():
        cut = max(piece.rfind(" "), piece.rfind("\n"))
        piece = piece[:cut] if cut > 0 else piece
    if start > 0 and not text[start - 1].isspace():
        cuts = [i for i in (piece.find(" "), piece.find("\n")) if i >= 0]
        piece = piece[min(cuts) + 1 :] if cuts else piece
    return piece.strip()


def dominant_script(text: str) -> str | None:
    """The script with the most letters in ``text``; kana beats Han (Japanese mixes both)."""
    counts = {name: len(pattern.findall(text)) for name, pattern, _ in _SCRIPT_RES}
    if counts["han"] and counts["kana"]:
        counts["kana"] += counts.pop("han")
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] else None


class _Normalised(dict):
    """``str.translate`` table of langdetect's per-character ``NGram.normalize``, filled on use."""

    def __missing__(self, code: int) -> str:
        self[code] = value = NGram.normalize(chr(code))
        return value


_SPACES = re.compile(" {2,}")
_LATIN_LIKE = re.compile("[A-z]")  # langdetect's 'A' <= ch <= 'z'
# At or after U+0300 but outside the Latin Extended Additional block (U+1E00-U+1EFF).
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_WORD_CACHE_LIMIT = 100_000


def detector_text(sample: str, max_length: int = 10_000) -> str:
    """What langdetect's ``Detector.append`` then ``cleaning_text`` leave of ``sample``
    (``max_length`` is the detector's ``max_text_length``)."""
    text = Detector.MAIL_RE.sub(" ", Detector.URL_RE.sub(" ", sample))
    text = _SPACES.sub(" ", NGram.normalize_vi(text)[:max_length])
    if len(_LATIN_LIKE.findall(text)) * 2 < len(_NON_LATIN.findall(text)):
        text = _LATIN_LIKE.sub("", text)
    return text


def word_ngrams(word: str, trailing_space: bool, known: dict) -> tuple[str, ...]:
    """langdetect's ``NGram`` state machine over one normalised word (it restarts after every
    space): the 1-3-grams it emits that have a profile entry, in order."""
    grams, capital, found = " ", False, []
    for ch in word + " " if trailing_space else word:
        last = grams[-1]
        if last == " ":
            grams = " "
        elif len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += ch
        capital = ch.isupper() and (capital or last.isupper())
        if capital:
            continue
        for n in range(1, min(NGram.N_GRAM, len(grams)) + 1):
            gram = grams[-n:]
            if gram != " " and gram in known:
                found.append(gram)
    return tuple(found)


class LanguageTagger:
    """langdetect, seeded → deterministic. Heavy init (profile loading) happens in load(), not
    __init__ — instances are pickled by Beam (and a loaded one pickles without its profiles)."""

    def __init__(self, seed: int = 0, sample_chars: int = 2000) -> None:
        self.seed = seed
        self.sample_chars = sample_chars
        self._factory: DetectorFactory | None = None
        self._memo()

    def __getstate__(self) -> dict[str, object]:
        return {"seed": self.seed, "sample_chars": self.sample_chars, "_factory": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._memo()

    def _memo(self) -> None:
        """Per-process memos, rebuilt (empty) after unpickling."""
        self._normalised: _Normalised = _Normalised()
        self._words: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._vectors: dict[tuple[int, ...], dict[str, np.ndarray]] = {}

    def load(self) -> None:
        """Build our own factory (never langdetect's global one); idempotent."""
        self._loaded()

    def _loaded(self) -> DetectorFactory:
        if self._factory is None:
            factory = DetectorFactory()
            profiles = sorted(p for p in Path(PROFILES_DIRECTORY).iterdir() if p.is_file())
            factory.load_json_profile([p.read_text(encoding="utf-8") for p in profiles])
            factory.set_seed(self.seed)
            self._factory = factory
        return self._factory

    def ngrams(self, sample: str) -> list[str]:
        """The n-grams langdetect's ``Detector`` would draw from, for ``sample``, in order."""
        known = self._loaded().word_lang_prob_map
        if len(self._words) > _WORD_CACHE_LIMIT:
            self._words.clear()
        words = detector_text(sample).translate(self._normalised).split(" ")
        last = len(words) - 1
        found: list[str] = []
        for i, word in enumerate(words):
            if word:
                key = (word, i < last)
                grams = self._words.get(key)
                if grams is None:
                    grams = self._words[key] = word_ngrams(word, i < last, known)
                found.extend(grams)
        return found

    def probabilities(self, sample: str, candidates: set[str]) -> list[float] | None:
        """langdetect's ``Detector.langprob`` for ``sample`` with a uniform prior over
        ``candidates`` (all languages when none of them is known); None without features."""
        factory = self._loaded()
        ngrams = self.ngrams(sample)
        if not ngrams:
            return None
        langlist = factory.langlist
        active = [i for i, lang in enumerate(langlist) if lang in candidates] or list(
            range(len(langlist))
        )
        start = 1.0 / len(active)  # set_prior_map: 1.0 / sum of ones; else 1 / len(langlist)
        vectors = self._vectors.setdefault(tuple(active), {})
        if len(vectors) > _WORD_CACHE_LIMIT:
            vectors.clear()
        pick = operator.itemgetter(*active) if len(active) > 1 else None
        table = factory.word_lang_prob_map
        rng = random.Random()
        rng.seed(factory.seed)
        langprob = [0.0] * len(langlist)
        for _ in range(7):  # Detector.n_trial
            prob = np.full(len(active), start)
            alpha = 0.5 + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH  # ALPHA_DEFAULT
            weight = alpha / Detector.BASE_FREQ
            i = 0
            while True:
                gram = rng.choice(ngrams)
                vector = vectors.get(gram)
                if vector is None:
                    row = table[gram]
                    vector = vectors[gram] = np.array(pick(row) if pick else [row[active[0]]])
                prob *= weight + vector  # elementwise, as langdetect's p * (weight + w)
                if i % 5 == 0:
                    total = sum(prob.tolist())  # langdetect's sequential sum, not numpy's
                    prob /= total
                    if prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                        break
                i += 1
            for j, p in zip(active, prob.tolist(), strict=True):
                langprob[j] += p / 7
        return langprob

    def detect(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code, probability), or ("und", 0.0) when there is nothing to go on."""
        factory = self._loaded()
        sample = sample_text(text, self.sample_chars)
        if not sample:
            return UNDETERMINED, 0.0
        script = dominant_script(sample)
        langprob = self.probabilities(sample, _CANDIDATES.get(script or "", set()))
        if langprob is None:
            return UNDETERMINED, 0.0
        merged: dict[str, float] = defaultdict(float)
        for lang, prob in zip(factory.langlist, langprob, strict=True):
            merged[normalise_language_code(lang)] += prob
        code = max(sorted(merged), key=lambda c: merged[c])
        if merged[code] <= 0.0:
            return UNDETERMINED, 0.0
        return code, min(merged[code], 1.0)
