"""The values that flow through crawlsift, and the Arrow schemas they are written with.

Everything here is a frozen dataclass: DoFns never mutate their inputs, they build new values with
``dataclasses.replace``. Identity rules (see README, "Identity"):

* ``record_id`` = first 24 hex digits of SHA-1 over ``"<source_uri>#<source_offset>"``: stable
  across runs, runners and worker counts.
* a document's ``id`` is the JSONL ``id`` when the input gave one, else its ``record_id``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa

# Final states of an input record. Every record ends in exactly one of them.
KEPT = "kept"
FILTERED = "filtered"
DUPLICATE = "duplicate"
ERROR = "error"
# The final state of a readable record in an --index_only run: located and digested, not extracted.
INDEXED = "indexed"
# Interim state written by ProcessFiles for records that reach deduplication.
CANDIDATE = "candidate"
FINAL_STATUSES = (KEPT, FILTERED, DUPLICATE, ERROR, INDEXED)


def make_record_id(source_uri: str, source_offset: int) -> str:
    """The stable id of the record at ``source_offset`` in ``source_uri``."""
    return hashlib.sha1(f"{source_uri}#{source_offset}".encode()).hexdigest()[:24]


def sha1_hex(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass(frozen=True)
class InputFile:
    """One file found by listing. ``size``/``mtime`` come from the filesystem's metadata."""

    path: str
    size: int
    mtime: float = 0.0


@dataclass(frozen=True)
class FileBatch:
    """A unit of work: a few files (or one large one) processed together on one worker.

    ``batch_id`` is derived from the file paths, so reruns produce the same part names.
    """

    batch_id: str
    files: tuple[InputFile, ...]

    def __reduce__(self) -> tuple:
        """Pickled as three columns: thousands of files cross a shuffle as three flat lists."""
        files = self.files
        columns = ([f.path for f in files], [f.size for f in files], [f.mtime for f in files])
        return _file_batch, (self.batch_id, *columns)


def _file_batch(
    batch_id: str, paths: list[str], sizes: list[int], mtimes: list[float]
) -> FileBatch:
    return FileBatch(batch_id, tuple(map(InputFile, paths, sizes, mtimes)))


@dataclass(frozen=True)
class RawRecord:
    """One input record as read from a file, before extraction.

    Exactly one of ``payload`` (HTML bytes, already de-chunked and decompressed) and ``text``
    (JSONL input, extraction is skipped) is set for a readable record. A record the reader could
    not read, or that is not a document (image, redirect, ...), carries ``problem``: a reason code
    such as ``"error:truncated_record"`` or ``"filtered:not_html"``. Such records still have a
    location so that they are accounted for.
    """

    record_id: str
    source_uri: str
    source_offset: int
    source_length: int
    url: str | None = None
    fetch_time: str | None = None  # ISO 8601, as found in the source
    mime_type: str | None = None
    charset: str | None = None  # declared charset (HTTP Content-Type), if any
    http_status: int | None = None
    payload: bytes | None = None
    text: str | None = None
    doc_id: str | None = None  # JSONL "id"
    content_digest: str | None = None  # SHA-1 hex of the payload (or of the JSONL text)
    problem: str | None = None  # "filtered:<reason>" or "error:<reason>"
    payload_size: int | None = None  # bytes of a payload digested but not kept (--index_only)

    @property
    def size(self) -> int:
        if self.payload is not None:
            return len(self.payload)
        if self.payload_size is not None:
            return self.payload_size
        if self.text is not None:
            return len(self.text.encode("utf-8", "surrogatepass"))
        return 0


@dataclass(frozen=True)
class Document:
    """A record that survived extraction, language tagging and the quality minimum."""

    id: str
    record_id: str
    url: str | None
    text: str
    language: str
    language_score: float
    source_uri: str
    source_offset: int
    content_digest: str | None
    fetch_time: str | None
    n_words: int


@dataclass(frozen=True)
class DedupCandidate:
    """The small row that crosses the shuffle for each candidate document (never its text)."""

    record_id: str
    part: str  # the candidate part that holds the document's text
    exact_key: bytes  # digest of the normalised text
    band_keys: tuple[bytes, ...]  # one LSH bucket key per band (empty when --dedup != minhash)
    signature: bytes  # MinHash hash values as little-endian uint32 (empty when not minhash)
    prior: bool = False  # a document kept by an earlier run (transforms/prior_documents.py)


@dataclass(frozen=True)
class Removal:
    """A deduplication decision: ``record_id`` is dropped as a duplicate of ``duplicate_of``."""

    record_id: str
    duplicate_of: str
    similarity: float
    part: str
    reason: str = "duplicate:near"  # or "duplicate:exact"


SHARD_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("language_score", pa.float32(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_offset", pa.int64(), nullable=False),
        pa.field("content_digest", pa.string()),
        pa.field("fetch_time", pa.string()),
        pa.field("n_words", pa.int32(), nullable=False),
        pa.field("record_id", pa.string(), nullable=False),
    ]
)

# One row per input record. ProcessFiles writes these with status = final status, or "candidate"
# for documents that go on to deduplication; PublishShards writes OUTCOME rows for candidates.
LOCATION_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_offset", pa.int64(), nullable=False),
        pa.field("source_length", pa.int64(), nullable=False),
        pa.field("content_digest", pa.string()),
        pa.field("fetch_time", pa.string()),
        pa.field("mime_type", pa.string()),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("language", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("reason", pa.string()),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)

OUTCOME_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),  # kept | duplicate
        pa.field("reason", pa.string()),  # duplicate:exact | duplicate:near
        pa.field("duplicate_of", pa.string()),
        pa.field("similarity", pa.float32()),
        pa.field("shard", pa.string()),  # path of the shard relative to OUTPUT, for kept rows
    ]
)

# One row per input file.
FILE_SCHEMA = pa.schema(
    [
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime", pa.float64()),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("n_records", pa.int64(), nullable=False),
        pa.field("error", pa.string()),
    ]
)
