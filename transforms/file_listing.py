"""List one input pattern into per-directory file lists, fast on local disks.

``FileSystems.match`` on a local pattern walks the pattern's whole base directory with
``os.walk`` and calls ``getsize`` and ``getmtime`` on every file below it, matching or not, and
returns one ``FileMetadata`` per file. Here a local glob is listed with ``os.scandir``: a file is
stat-ed only when its path matches, directories are descended into only when the pattern can
match below them, and the result is grouped by directory as it is found. The matched set is the
one ``FileSystems.match`` returns (same prefix rule, same ``translate_pattern`` regex, symlinked
directories listed but not followed, files that vanish skipped). Remote patterns (gs://, s3://)
and patterns without a glob go through ``FileSystems.match``, which lists object stores by
prefix server-side.

A ``FileList`` is three parallel lists ``(paths, sizes, mtimes)``: cheap to build, to pickle and
to ship between workers, whatever the number of files.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Iterator

from apache_beam.io.filesystem import FileSystem
from apache_beam.io.filesystems import FileSystems

from transforms.prefixes import is_local

FileList = tuple[list[str], list[int], list[float]]
# The names detect_format recognises (.json.gz is JSONL, a bare .json is not).
READABLE_SUFFIXES = (
    ".warc",
    ".warc.gz",
    ".html",
    ".htm",
    ".html.gz",
    ".htm.gz",
    ".jsonl",
    ".jsonl.gz",
    ".json.gz",
)
CHUNK_FILES = 5000  # most files in one listed piece: bounds an element, not a directory
_PREFIX = re.compile(r"^[^[*?]*")


def empty_file_list() -> FileList:
    return [], [], []


def parent_directory(path: str) -> str:
    """The directory part of a local path or URL (``gs://b/x/y.warc`` -> ``gs://b/x``)."""
    return posixpath.dirname(path)


def lists_locally(pattern: str) -> bool:
    """Whether ``pattern`` is a local glob this module walks itself."""
    globbed = pattern.endswith("/") or bool(_glob_part(pattern))  # "dir/" means "dir/*"
    return is_local(pattern) and not pattern.startswith("file://") and globbed


def _glob_part(pattern: str) -> str:
    return pattern[len(_PREFIX.match(pattern).group(0)) :]  # type: ignore[union-attr]


def _walk_plan(pattern: str) -> tuple[str, bool]:
    """(directory to list, whether to descend): FileSystems.match's prefix rule, and a descent
    only when the regex can match across a ``/`` (``**``, ``?`` or a ``[...]`` set, or a ``/``
    after the first glob character)."""
    if pattern.endswith("/"):
        pattern += "*"
    prefix = _PREFIX.match(pattern).group(0)  # type: ignore[union-attr]
    directory = posixpath.dirname(prefix)
    rest = pattern[len(directory) :].lstrip("/")
    recursive = any(token in rest for token in ("**", "?", "[", "/"))
    return directory, recursive


def walk_local(pattern: str, stat: bool = True) -> Iterator[tuple[str, FileList]]:
    """What ``FileSystems.match([pattern])`` returns, as ``(directory, FileList)`` per directory
    scanned (a directory's files in one piece, listed in one ``scandir``). ``stat=False``
    leaves sizes and mtimes 0 (names only: the driver's quick look)."""
    if pattern.endswith("/"):
        pattern += "*"
    directory, recursive = _walk_plan(pattern)
    if not os.path.exists(directory):  # FileSystems.match lists nothing then, "" included
        return
    match = re.compile(FileSystem.translate_pattern(pattern)).match
    # "directory/**/rest" (how fan_out descends) never matches a file directly in directory:
    # Beam translates "**/" to ".*/", one more "/" at least
    below_only = pattern[len(directory) :].startswith("/**/")
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as scan:
                entries = list(scan)
        except OSError:  # vanished or unreadable: os.walk skips it too
            continue
        paths, sizes, mtimes = found = empty_file_list()
        files_here = not (below_only and current == directory)
        for entry in entries:
            path = entry.path  # os.path.join(current, name), as os.walk + os.path.join give
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if recursive and not entry.is_symlink():  # os.walk does not follow links
                    stack.append(path)
                continue
            if not files_here or not match(path):
                continue
            try:
                info = entry.stat() if stat else None  # follows links, like getsize/getmtime
            except OSError:  # vanished since the scan
                continue
            paths.append(path)
            sizes.append(info.st_size if info else 0)
            mtimes.append(info.st_mtime if info else 0.0)
        if paths:
            yield parent_directory(paths[0]), found


def match_pattern(
    pattern: str, max_files: int | None = CHUNK_FILES
) -> Iterator[tuple[str, FileList]]:
    """Every file the pattern matches, on any filesystem, as ``(directory, FileList)`` pieces: a
    local directory in one piece, a remote one in pieces of ``max_files`` (None: one piece)."""
    if lists_locally(pattern):
        yield from walk_local(pattern)
        return
    for result in FileSystems.match([pattern]):
        yield from directory_chunks(
            (
                (m.path, int(m.size_in_bytes), float(m.last_updated_in_seconds or 0.0))
                for m in result.metadata_list
            ),
            max_files or len(result.metadata_list) + 1,
        )


def is_readable_name(path: str) -> bool:
    """``detect_format(path) is not None``, from the last characters of the name only."""
    return path[-9:].lower().endswith(READABLE_SUFFIXES)


def readable_only(piece: FileList) -> tuple[FileList, int]:
    """The files of a piece whose format crawlsift reads, and how many others there were."""
    paths, sizes, mtimes = piece
    keep = [i for i, path in enumerate(paths) if is_readable_name(path)]
    if len(keep) == len(paths):
        return piece, 0
    kept = ([paths[i] for i in keep], [sizes[i] for i in keep], [mtimes[i] for i in keep])
    return kept, len(paths) - len(keep)


def cut(piece: FileList, max_files: int = CHUNK_FILES) -> Iterator[FileList]:
    """A piece in pieces of at most ``max_files`` files (bounds the size of one element)."""
    paths, sizes, mtimes = piece
    if len(paths) <= max_files:
        yield piece
        return
    for start in range(0, len(paths), max_files):
        end = start + max_files
        yield paths[start:end], sizes[start:end], mtimes[start:end]


def directory_chunks(
    files: Iterable[tuple[str, int, float]], max_files: int = CHUNK_FILES
) -> Iterator[tuple[str, FileList]]:
    """``(directory, FileList)`` pieces of at most ``max_files`` files, in no particular order;
    a directory may come in several pieces (the listing merges them again)."""
    groups: dict[str, FileList] = {}
    for path, size, mtime in files:
        directory = parent_directory(path)
        group = groups.get(directory)
        if group is None:
            group = groups[directory] = empty_file_list()
        group[0].append(path)
        group[1].append(size)
        group[2].append(mtime)
        if len(group[0]) >= max_files:
            yield directory, groups.pop(directory)
    yield from groups.items()


def first_matches(pattern: str, limit: int) -> Iterator[str]:
    """Up to ``limit`` matching paths (a bounded look, for the driver's input check)."""
    if not lists_locally(pattern):
        for result in FileSystems.match([pattern], limits=[limit]):
            yield from (m.path for m in result.metadata_list)
        return
    found = 0
    for _, (paths, _, _) in walk_local(pattern, stat=False):
        yield from paths[: limit - found]
        found += len(paths)
        if found >= limit:
            return
