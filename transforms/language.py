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
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

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
    long_lines = [c for c in lines if sum(ch.isalpha() for ch in c) >= _MIN_LINE_LETTERS]
    joined = "\n".join(long_lines or lines)
    if len(joined) <= max_chars:
        return joined
    if max_chars <= 0:
        return ""
    head = _window(joined, 0, max_chars // 2)
    start = max(len(joined) // 2, len(head) + 1)
    middle = _window(joined, start, max_chars - len(head) - 1)
    return "\n".join(part for part in (head, middle) if part)


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


class LanguageTagger:
    """langdetect, seeded → deterministic. Heavy init (profile loading) happens in load(), not
    __init__ — instances are pickled by Beam (and a loaded one pickles without its profiles)."""

    def __init__(self, seed: int = 0, sample_chars: int = 2000) -> None:
        self.seed = seed
        self.sample_chars = sample_chars
        self._factory: DetectorFactory | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"seed": self.seed, "sample_chars": self.sample_chars, "_factory": None}

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

    def detect(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code, probability), or ("und", 0.0) when there is nothing to go on."""
        factory = self._loaded()
        sample = sample_text(text, self.sample_chars)
        if not sample:
            return UNDETERMINED, 0.0
        detector = factory.create()
        script = dominant_script(sample)
        candidates = _CANDIDATES.get(script or "", set())
        prior = {lang: 1.0 for lang in factory.langlist if lang in candidates}
        if prior:  # zero prior = never chosen: e.g. Han without Hangul is not Korean
            detector.set_prior_map(prior)
        detector.append(sample)
        try:
            detector.get_probabilities()
        except LangDetectException:
            return UNDETERMINED, 0.0
        merged: dict[str, float] = defaultdict(float)
        for lang, prob in zip(factory.langlist, detector.langprob, strict=True):
            merged[normalise_language_code(lang)] += prob
        code = max(sorted(merged), key=lambda c: merged[c])
        if merged[code] <= 0.0:
            return UNDETERMINED, 0.0
        return code, min(merged[code], 1.0)
