"""Signature parts: what a later run needs to deduplicate against the documents a run kept.

ProcessFiles writes the dedup row of every candidate document of a batch to
``_work/<run_id>/signatures/<batch_id>.parquet``; PublishShards, which knows which of them were
kept, copies the kept rows to ``store/runs/<run_id>/signatures/<batch_id>.parquet``. Workers write
both; the driver neither reads nor loads them. No text is stored, only (``SIGNATURE_SCHEMA``):

* ``record_id``, ``source_uri``: the document, and the file a later run may read again;
* ``exact_key``: the 16-byte digest of the normalised text (every dedup mode, even ``none``);
* ``signature``: the MinHash values (empty unless ``--dedup minhash``), and ``hasher``, how they
  were made (:func:`hasher_tag`: seed, shingle size and ``--num_perm``; empty without a signature).

Band keys are not stored: a later run recomputes them from the signature with its own (bands,
rows), so a run with another ``--dedup_threshold`` still compares; a signature of another hasher
(another ``--num_perm``) can only match exactly (transforms/prior_documents.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from transforms.layout import OutputLayout, join, read_parquet
from transforms.minhash import SHINGLE_SIZE, MinHasher
from transforms.records import DedupCandidate, Document

SIGNATURES = "signatures"  # the kind of store part, and the work directory

SIGNATURE_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("exact_key", pa.binary(), nullable=False),
        pa.field("signature", pa.binary(), nullable=False),
        pa.field("hasher", pa.string(), nullable=False),
    ]
)


def hasher_tag(hasher: MinHasher | None) -> str:
    """What a signature is comparable with: equal tags, comparable signatures; ``""`` for none."""
    if hasher is None:
        return ""
    return f"minhash:affine32:seed={hasher.seed}:shingles={SHINGLE_SIZE}:perm={hasher.num_perm}"


def signature_rows(
    documents: Sequence[Document], candidates: Sequence[DedupCandidate], tag: str
) -> pa.Table:
    """The SIGNATURE_SCHEMA rows of a batch: ``candidates[i]`` is ``documents[i]``'s."""
    return pa.Table.from_pylist(
        [
            {
                "record_id": candidate.record_id,
                "source_uri": document.source_uri,
                "exact_key": candidate.exact_key,
                "signature": candidate.signature,
                "hasher": tag if candidate.signature else "",
            }
            for document, candidate in zip(documents, candidates, strict=True)
        ],
        schema=SIGNATURE_SCHEMA,
    )


def work_part(layout: OutputLayout, batch_id: str) -> str:
    """Where ProcessFiles leaves a batch's signature rows for PublishShards."""
    return join(layout.work_dir, SIGNATURES, f"{batch_id}.parquet")


def write_signatures(
    layout: OutputLayout,
    batch_id: str,
    documents: Sequence[Document],
    candidates: Sequence[DedupCandidate],
    tag: str,
) -> None:
    """ProcessFiles' side: every candidate's row, to the run's work directory."""
    layout.write_parquet(signature_rows(documents, candidates, tag), work_part(layout, batch_id))


def kept_rows(table: pa.Table, kept: set[str]) -> pa.Table:
    """The rows of ``table`` whose ``record_id`` is in ``kept``."""
    value_set = pa.array(sorted(kept), pa.string())
    return table.filter(pc.is_in(table.column("record_id"), value_set=value_set))


def publish_kept_signatures(layout: OutputLayout, batch_id: str, kept: set[str]) -> int:
    """PublishShards' side: the kept documents' rows, as the run's ``signatures`` store part.
    Returns how many; no part is written for a batch that kept nothing."""
    rows = kept_rows(read_parquet(work_part(layout, batch_id)), kept)
    if rows.num_rows:
        layout.write_parquet(rows, layout.store_part(SIGNATURES, batch_id))
    return rows.num_rows


def run_parts(output: str, run_id: str, kind: str) -> str:
    """The glob of a run's store parts of ``kind`` (``signatures``, ``files``, ...)."""
    return OutputLayout(output, run_id).store_part(kind, "*")
