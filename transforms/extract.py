"""Main-text extraction: trafilatura for the page's main block, then our line-level cleanup.

Why trafilatura's defaults are not ours: ``include_comments`` is off (reader comments are short,
noisy and often spam; upstream's own evaluation runs with comments off). Everything else stays at
trafilatura's default ("balanced" mode with its fallback extractors). Measured on the shared
trafilatura evaluation pages (495 pages, F1 with our cleanup; plain ``trafilatura.extract`` 0.925):
default 0.937, with comments 0.933, favor_precision 0.931, no tables 0.931, fast 0.930,
favor_recall 0.930. ``fast`` saves about a third of the time for 0.7 points of F1; the slow test
``test_option_table`` in ``tests/quality/test_extraction_quality.py`` prints the full table.

Parsing happens exactly once. trafilatura also accepts an lxml tree, but then it deep-copies it
first (``bare_extraction``: ``if tree is filecontent: tree = copy(tree)``), so pre-parsing only
adds work; we hand it the decoded string and let ``trafilatura.utils.load_html`` parse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionConfig:
    """trafilatura's knobs that we expose (``--extraction_mode`` picks one of a few presets)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    fast: bool = False  # no fallback extractors (readability, justext): faster, lower F1


DEFAULT_CONFIG = ExtractionConfig()


def _ignore(name: str) -> None:
    """The default counter: counts nowhere."""


def extract_text(
    html: str,
    url: str | None = None,
    config: ExtractionConfig = DEFAULT_CONFIG,
    count: Callable[[str], None] = _ignore,
) -> str | None:
    """The cleaned main text of an HTML page, or None when nothing is extracted.

    Never raises for bad markup: empty, binary or non-HTML input gives None. trafilatura already
    swallows its own ValueError/TypeError; we also catch what lxml may raise past it (its
    ``LxmlError`` family: ``ParserError``, ``XMLSyntaxError``...). ``count`` receives
    ``cleanup:<rule>`` for every line the cleanup drops.
    """
    if not html or not html.strip():
        return None
    # imported on first use: the driver builds the pipeline with this module but extracts nothing
    import trafilatura
    from lxml.etree import LxmlError

    from transforms.cleanup import clean_text

    try:
        text = trafilatura.extract(
            html,
            url=url,
            output_format="txt",
            fast=config.fast,
            favor_precision=config.favor_precision,
            favor_recall=config.favor_recall,
            include_comments=config.include_comments,
            include_tables=config.include_tables,
            include_images=False,
            include_links=False,
            include_formatting=False,
            with_metadata=False,
            deduplicate=False,
        )
    except (ValueError, TypeError, LxmlError):
        return None
    if not text:
        return None
    return clean_text(text, count) or None


# Scripts written without spaces between words: every character counts as one word, so that a
# ``--min_words`` threshold means roughly the same amount of text in zh/ja/th as in en.
_UNSPACED = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0002fa1f"  # CJK Extensions B-F, Compatibility Supplement
)
# CJK punctuation and full-width symbols separate words but are not words themselves.
_CJK_PUNCTUATION = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\s{_UNSPACED}{_CJK_PUNCTUATION}]+")


def count_words(text: str) -> int:
    """Whitespace-separated words, where each CJK/Thai character counts as one word (and CJK
    punctuation separates words like a space)."""
    return sum(1 for _ in _WORD.finditer(text))
