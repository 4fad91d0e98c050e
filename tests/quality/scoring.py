"""Loading and scoring of the shared evaluation data (trafilatura-eval, lingua-sentences).

Scoring follows upstream trafilatura's evaluation (see ``trafilatura-eval/SOURCE.txt``): both the
extracted text and each annotated segment are whitespace-normalised; a "with" segment found in the
text is a true positive (else a false negative), a "without" segment found is a false positive.
Pages are decoded once, with trafilatura's own decoder, and the same string goes to every
extractor under comparison, so encoding guesses cannot favour one side.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from trafilatura.utils import decode_file

_SPACES = re.compile(r"\s+")


def normalise_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class EvalPage:
    url: str
    html: str
    with_segments: tuple[str, ...]
    without_segments: tuple[str, ...]


def load_eval_pages(folder: Path, every: int = 1) -> list[EvalPage]:
    """The annotated pages in evaldata.json order; ``every=n`` keeps every n-th page."""
    annotations = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for i, (url, entry) in enumerate(annotations.items()):
        if i % every:
            continue
        raw = gzip.decompress((folder / "html" / f"{entry['file']}.gz").read_bytes())
        pages.append(EvalPage(url, decode_file(raw), tuple(entry["with"]), tuple(entry["without"])))
    return pages


@dataclass(frozen=True)
class ExtractionScore:
    true_positives: int
    false_negatives: int
    false_positives: int
    true_negatives: int
    ms_per_page: float

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (
            f"P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f} "
            f"(tp={self.true_positives} fn={self.false_negatives} fp={self.false_positives}) "
            f"{self.ms_per_page:.1f} ms/page"
        )


def score_extractor(
    pages: list[EvalPage], extract: Callable[[str, str], str | None]
) -> ExtractionScore:
    """Run ``extract(html, url)`` on every page and count segment hits and misses."""
    tp = fn = fp = tn = 0
    elapsed = 0.0
    for page in pages:
        start = time.perf_counter()
        text = extract(page.html, page.url) or ""
        elapsed += time.perf_counter() - start
        text = normalise_spaces(text)
        found = sum(normalise_spaces(s) in text for s in page.with_segments)
        leaked = sum(normalise_spaces(s) in text for s in page.without_segments)
        tp, fn = tp + found, fn + len(page.with_segments) - found
        fp, tn = fp + leaked, tn + len(page.without_segments) - leaked
    return ExtractionScore(tp, fn, fp, tn, 1000 * elapsed / max(len(pages), 1))


def load_sentences(folder: Path, every: int = 1) -> list[tuple[str, str]]:
    """(label, sentence) pairs from ``<code>.txt`` files; ``every=n`` keeps every n-th line."""
    pairs = []
    for path in sorted(folder.glob("??.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        pairs += [(path.stem, line) for line in lines[::every] if line]
    return pairs


def accuracy(pairs: Iterable[tuple[str, str]], detect: Callable[[str], str]) -> float:
    """Share of sentences whose detected label equals the file's label."""
    results = [detect(sentence) == label for label, sentence in pairs]
    return sum(results) / len(results) if results else 0.0
