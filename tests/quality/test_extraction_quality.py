"""Extraction quality on the trafilatura evaluation pages: ours must not lose F1 to plain
trafilatura.

"Plain" is ``trafilatura.extract(html)`` with its defaults; "ours" is ``extract_text`` with the
default ``ExtractionConfig``. Both get the same decoded string (see ``scoring.py``). ``make test``
scores every third page (165 pages, ~15 s); the full set and the per-option table are ``slow``.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import logging

import pytest
import trafilatura

from tests.quality.scoring import EvalPage, load_eval_pages, score_extractor
from transforms.extract import ExtractionConfig, extract_text

pytestmark = pytest.mark.shared_data

OPTIONS = {
    "default": ExtractionConfig(),
    "fast": ExtractionConfig(fast=True),
    "favor_precision": ExtractionConfig(favor_precision=True),
    "favor_recall": ExtractionConfig(favor_recall=True),
    "no tables": ExtractionConfig(include_tables=False),
    "with comments": ExtractionConfig(include_comments=True),
}


@pytest.fixture(autouse=True)
def quiet_trafilatura():
    """trafilatura logs a warning for every page it discards; keep the output readable."""
    logger = logging.getLogger("trafilatura")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def plain(html: str, url: str) -> str | None:
    return trafilatura.extract(html)


def ours(config: ExtractionConfig):
    return lambda html, url: extract_text(html, url, config)


def compare(pages: list[EvalPage]) -> None:
    baseline = score_extractor(pages, plain)
    result = score_extractor(pages, ours(ExtractionConfig()))
    print(f"\n{len(pages)} pages\nplain trafilatura: {baseline.summary()}")
    print(f"extract_text:      {result.summary()}")
    assert result.f1 >= baseline.f1
    assert result.recall >= baseline.recall - 0.01


def test_ours_not_worse_than_plain_on_every_third_page(shared_data):
    compare(load_eval_pages(shared_data / "trafilatura-eval", every=3))


@pytest.mark.slow
def test_ours_not_worse_than_plain_on_all_pages(shared_data):
    compare(load_eval_pages(shared_data / "trafilatura-eval"))


@pytest.mark.slow
def test_option_table(shared_data):
    """The figures behind the choice of ExtractionConfig's defaults."""
    pages = load_eval_pages(shared_data / "trafilatura-eval")
    baseline = score_extractor(pages, plain)
    scores = {name: score_extractor(pages, ours(config)) for name, config in OPTIONS.items()}
    print(f"\n{'plain trafilatura':18s} {baseline.summary()}")
    for name, score in scores.items():
        print(f"{name:18s} {score.summary()}")
    assert scores["default"].f1 >= baseline.f1
    assert scores["default"].f1 == max(score.f1 for score in scores.values())
