"""From one raw record to its fate: a document that goes on to deduplication, or a final status.

Pure logic, called by the fused ProcessFiles DoFn once per record. Counters are injected
(``count(name)``), so tests assert exact counter dicts. Reason codes:

* ``filtered:<reason>`` from the reader (``not_html``, ``http_status``, ``revisit``, ``empty``,
  ``too_large``) or from here: ``no_text`` (nothing extracted), ``too_short`` (``--min_words``),
  ``language`` (not in ``--languages``);
* ``error:<reason>`` from the reader, or ``error:extraction_failed`` when the extractor raised,
  ``error:time_budget`` when extraction ran past ``--extraction_budget_seconds``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transforms.budget import BudgetExceeded, Watchdog
from transforms.decoding import decode_html
from transforms.extract import ExtractionConfig, count_words, extract_text
from transforms.language import LanguageTagger
from transforms.minhash import MinHasher, band_keys, exact_key, lsh_params
from transforms.minhash import signature_bytes as to_signature_bytes
from transforms.records import (
    CANDIDATE,
    ERROR,
    FILTERED,
    DedupCandidate,
    Document,
    RawRecord,
)
from transforms.worker_state import StageClock, TextCache

Counter = Callable[[str], None]

EXTRACTION_MODES = {
    "balanced": ExtractionConfig(),
    "precision": ExtractionConfig(favor_precision=True),
    "recall": ExtractionConfig(favor_recall=True),
    "fast": ExtractionConfig(fast=True),
}


@dataclass(frozen=True)
class DocumentConfig:
    """What decides a record's fate; built once from the pipeline options."""

    extraction_mode: str = "balanced"
    min_words: int = 20
    languages: tuple[str, ...] | None = None
    min_language_score: float = 0.0
    dedup: str = "minhash"
    dedup_threshold: float = 0.8
    num_perm: int = 128
    extraction_budget_seconds: float = 10.0  # wall clock per record; 0: no budget


@dataclass
class Toolbox:
    """Heavy, per-worker helpers. Built in ``DoFn.setup()``, never pickled with a loaded state."""

    config: DocumentConfig
    tagger: LanguageTagger = field(default_factory=LanguageTagger)
    hasher: MinHasher | None = None
    clock: StageClock = field(default_factory=StageClock)
    texts: TextCache = field(default_factory=TextCache)
    watchdog: Watchdog = field(default_factory=Watchdog)

    def load(self) -> Toolbox:
        self.tagger.load()
        exact_key("")  # builds the dedup normaliser's table now, not inside the first record
        extract_text("<p>warm-up</p>")  # imports trafilatura and lxml now, not in a record
        if self.config.dedup == "minhash":
            self.hasher = MinHasher(num_perm=self.config.num_perm)
        return self


@dataclass(frozen=True)
class RecordResult:
    """``location`` is the record's row for the store; ``document`` is set for candidates."""

    location: dict[str, Any]
    document: Document | None = None


def location_row(
    raw: RawRecord, batch_id: str, status: str, reason: str | None, language: str | None = None
) -> dict[str, Any]:
    """The LOCATION_SCHEMA row of a record."""
    return {
        "record_id": raw.record_id,
        "doc_id": raw.doc_id or raw.record_id,
        "url": raw.url,
        "source_uri": raw.source_uri,
        "source_offset": raw.source_offset,
        "source_length": raw.source_length,
        "content_digest": raw.content_digest,
        "fetch_time": raw.fetch_time,
        "mime_type": raw.mime_type,
        "size": raw.size,
        "language": language,
        "status": status,
        "reason": reason,
        "batch_id": batch_id,
    }


def _dropped(
    raw: RawRecord, batch_id: str, reason: str, count: Counter, language: str | None = None
) -> RecordResult:
    count(reason)
    status = ERROR if reason.startswith("error:") else FILTERED
    return RecordResult(location_row(raw, batch_id, status, reason, language))


def record_text(
    raw: RawRecord, config: DocumentConfig, count: Counter, cache: TextCache | None = None
) -> str | None:
    """The main text of a record: JSONL text as given, HTML through extraction and cleanup.

    With a ``cache``, a payload whose digest was seen before is not extracted again: its text
    is reused and its cleanup counters are counted again, so the result is the same."""
    if raw.text is not None:
        return raw.text.strip() or None
    key = (raw.content_digest, raw.charset) if cache is not None and raw.content_digest else None
    entry = cache.get(key) if cache is not None and key is not None else None
    if entry is None:
        counted: list[str] = []
        html, _encoding = decode_html(raw.payload or b"", raw.charset)
        mode = EXTRACTION_MODES[config.extraction_mode]
        entry = (extract_text(html, raw.url, mode, counted.append), tuple(counted))
        if cache is not None and key is not None:
            cache.put(key, entry)
    for name in entry[1]:
        count(name)
    return entry[0]


def process_record(raw: RawRecord, batch_id: str, tools: Toolbox, count: Counter) -> RecordResult:
    """Decide what happens to one record (everything but deduplication)."""
    count("records:in")
    if raw.problem:
        return _dropped(raw, batch_id, raw.problem, count)
    config = tools.config
    try:
        with tools.clock.stage("extract"), tools.watchdog.budget(config.extraction_budget_seconds):
            text = record_text(raw, config, count, tools.texts)
    except BudgetExceeded:
        return _dropped(raw, batch_id, "error:time_budget", count)
    except Exception:
        return _dropped(raw, batch_id, "error:extraction_failed", count)
    if not text:
        return _dropped(raw, batch_id, "filtered:no_text", count)
    n_words = count_words(text)
    if n_words < config.min_words:
        return _dropped(raw, batch_id, "filtered:too_short", count)
    with tools.clock.stage("language"):
        language, score = tools.tagger.detect(text)
    if score < config.min_language_score:
        language = "und"
    if config.languages is not None and language not in config.languages:
        return _dropped(raw, batch_id, "filtered:language", count, language)
    count(f"language:{language}")
    document = Document(
        id=raw.doc_id or raw.record_id,
        record_id=raw.record_id,
        url=raw.url,
        text=text,
        language=language,
        language_score=float(score),
        source_uri=raw.source_uri,
        source_offset=raw.source_offset,
        content_digest=raw.content_digest,
        fetch_time=raw.fetch_time,
        n_words=n_words,
    )
    return RecordResult(location_row(raw, batch_id, CANDIDATE, None, language), document)


def dedup_candidate(document: Document, part: str, tools: Toolbox) -> DedupCandidate:
    """The small row that represents ``document`` in deduplication."""
    config = tools.config
    with tools.clock.stage("signatures"):
        if config.dedup != "minhash" or tools.hasher is None:
            return DedupCandidate(document.record_id, part, exact_key(document.text), (), b"")
        signature = tools.hasher.text_signature(document.text, document.language)
        params = lsh_params(config.dedup_threshold, config.num_perm)
        return DedupCandidate(
            record_id=document.record_id,
            part=part,
            exact_key=exact_key(document.text),
            band_keys=band_keys(signature, params),
            signature=to_signature_bytes(signature),
        )
