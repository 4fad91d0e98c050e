"""ProcessFiles' reading of one file: a file that cannot be opened is one error record."""

from __future__ import annotations

import pytest

from transforms import index_files, process_files
from transforms.documents import DocumentConfig
from transforms.index_files import index_batch
from transforms.layout import OutputLayout
from transforms.readers import ReadLimits
from transforms.records import FileBatch, InputFile


class NotFound(Exception):  # noqa: N818 (as google.api_core names it: not an OSError)
    """What gs:// raises for an object deleted since it was listed."""


def refuse(*args: object, **kwargs: object) -> None:
    raise NotFound("404 GET gs://bucket/crawl/a.warc.gz: No such object")


@pytest.fixture
def gone(monkeypatch):
    monkeypatch.setattr(process_files.FileSystems, "open", refuse)
    monkeypatch.setattr(index_files, "open_input", refuse)
    return InputFile("gs://bucket/crawl/a.warc.gz", 10)


def test_an_object_gone_since_listing_is_an_unreadable_file_record(gone, tmp_path):
    fn = process_files._ProcessBatch(
        DocumentConfig(), ReadLimits(), OutputLayout(str(tmp_path), "r"), 10
    )
    (record,) = list(fn._records(gone, lambda name: None))
    assert (record.source_uri, record.problem) == (gone.path, "error:unreadable_file")


def test_index_only_counts_it_the_same_way(gone):
    counts: list[str] = []
    rows = index_batch(FileBatch("b", (gone,)), ReadLimits(), counts.append)
    assert counts == ["error:unreadable_file"]
    assert len(rows) == 1
