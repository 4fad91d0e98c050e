"""Cutting a directory's files into units of work, and naming them.

A batch id is a digest of the batch's paths, never of timing or order, so a rerun on the same
inputs names the same parts and shards.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Iterator

from transforms.records import FileBatch, InputFile


def batch_id_for(paths: Iterable[str]) -> str:
    """A stable id for a batch: 16 hex digits of SHA-1 over its sorted paths."""
    joined = "".join(path + "\0" for path in sorted(paths))  # each path, then a NUL
    return hashlib.sha1(joined.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def is_warc(path: str) -> bool:
    """``detect_format(path) == "warc"``, looking at the end of the name only."""
    return path[-8:].lower().endswith((".warc", ".warc.gz"))


def has_own_batch(file: InputFile, batch_bytes: int) -> bool:
    """A WARC archive or a file of ``batch_bytes // 2`` or more: a batch of its own."""
    return file.size >= batch_bytes // 2 or is_warc(file.path)


def make_batches(
    files: Iterable[InputFile], files_per_batch: int, batch_bytes: int
) -> Iterator[FileBatch]:
    """Cut files (sorted by path) into batches of at most ``files_per_batch`` files and
    ``batch_bytes`` bytes. A WARC archive, already a container of many records, is a batch of its
    own, and so is any file of ``batch_bytes // 2`` or more: that is what spreads a crawl of a few
    archives over all workers."""
    current: list[InputFile] = []
    current_bytes = 0
    for file in sorted(files, key=operator.attrgetter("path")):
        if has_own_batch(file, batch_bytes):
            yield FileBatch(batch_id_for([file.path]), (file,))
            continue
        if current and (len(current) >= files_per_batch or current_bytes + file.size > batch_bytes):
            yield FileBatch(batch_id_for(f.path for f in current), tuple(current))
            current, current_bytes = [], 0
        current.append(file)
        current_bytes += file.size
    if current:
        yield FileBatch(batch_id_for(f.path for f in current), tuple(current))
