"""The ``--index_only`` graph: list and index files, extract nothing.

    python -m pipelines.crawl_to_shards --input 'tree/**/*.html' --output out/ --index_only

    ListInputs ──> IndexFiles ──> driver: load store, check, summarise
     per directory   per batch of thousands of files

Every input record ends ``indexed`` (located: file, offset, length, size, content digest, URL
when the input has one) or ``error:<reason>``. The store parts are those of a full run, so the
driver loads, checks and summarises the run the same way; the run is recorded with mode
``index``. An index-only run skips files any earlier run committed; a full run does not skip
files only an index-only run committed, and its rows supersede the indexed ones (same record ids).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import apache_beam as beam

from transforms.batched_listing import ListBatches
from transforms.index_files import IndexFiles
from transforms.layout import OutputLayout

if TYPE_CHECKING:  # crawl_to_shards imports this module
    from pipelines.crawl_to_shards import RunSettings

INDEX_MODE = "index"
FULL_MODE = "full"
INDEX_FILES_PER_BATCH = 2000  # --files_per_batch when --index_only does not set it


def build_index_graph(pipeline: beam.Pipeline, settings: RunSettings, layout: OutputLayout) -> None:
    """List in per-directory pieces, index in batches: no per-file element anywhere."""
    batches = pipeline | "ListInputs" >> ListBatches(
        list(settings.inputs),
        settings.files_per_batch,
        settings.batch_bytes,
        list(settings.committed_parts),
    )
    _ = batches | "IndexFiles" >> IndexFiles(layout, settings.limits, settings.row_group_rows)
