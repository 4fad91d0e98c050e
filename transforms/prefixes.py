"""Fan a recursive input pattern out over directory prefixes, so listing runs in parallel.

``FileSystems.match('tree/**/*.html')`` is one single-threaded walk of the whole tree. For local
trees, ``fan_out`` rewrites it into patterns over the tree's first directory levels that match
exactly the same files together (``**/`` in Beam needs at least one directory level):

    tree/**/*.html  ->  tree/a/*.html, tree/a/**/*.html, tree/b/*.html, tree/b/**/*.html, ...

Each sub-pattern is then expanded on whichever worker gets it. Object stores (gs://, s3://) list
by prefix server-side with pagination, so their patterns are left as they are.
"""

from __future__ import annotations

import os
import re

_GLOB = re.compile(r"[*?\[]")


def is_local(pattern: str) -> bool:
    return "://" not in pattern or pattern.startswith("file://")


def absolute_pattern(pattern: str) -> str:
    """A local pattern as an absolute path: a file's identity (its ``source_uri``, hence its
    record ids and whether a rerun skips it) must not depend on where the run was started."""
    if "://" in pattern:
        return pattern
    return os.path.abspath(os.path.expanduser(pattern))


def normalise_pattern(pattern: str) -> str:
    """An existing local directory means every file below it."""
    if is_local(pattern) and not _GLOB.search(pattern) and os.path.isdir(pattern):
        return os.path.join(pattern, "**")
    return pattern


def split_recursive(pattern: str) -> tuple[str, str] | None:
    """``base/**/rest`` -> (base, rest) when base has no glob characters, else None."""
    head, marker, rest = pattern.partition("/**/")
    if not marker:
        if pattern.endswith("/**"):
            head, rest = pattern[: -len("/**")], "*"
        else:
            return None
    if _GLOB.search(head) or not head:
        return None
    return head, rest


def _subdirectories(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def fan_out(pattern: str, min_prefixes: int = 16, max_depth: int = 3) -> list[str]:
    """Patterns over directory prefixes that together match what ``pattern`` matches."""
    pattern = normalise_pattern(pattern)
    split = split_recursive(pattern) if is_local(pattern) else None
    if split is None:
        return [pattern]
    base, rest = split
    # "base/**/rest" needs one directory level below base; a bare "base/**" matches base's own
    # files too.
    patterns: list[str] = [f"{base}/*"] if pattern.endswith("/**") else []
    frontier = [base]
    for depth in range(max_depth):
        next_frontier = []
        for directory in frontier:
            if depth > 0:
                patterns.append(f"{directory}/{rest}")  # files directly in this directory
            names = _subdirectories(directory)
            if any(_GLOB.search(name) for name in names):
                # a prefix naming it would be read as a glob (Beam's patterns cannot quote one),
                # matching other directories or none: list the pattern whole, unsplit
                return [pattern]
            next_frontier.extend(f"{directory}/{name}" for name in names)
        frontier = next_frontier
        if len(frontier) + len(patterns) >= min_prefixes or not frontier:
            break
    patterns.extend(f"{directory}/{rest}" for directory in frontier)
    patterns.extend(f"{directory}/**/{rest}" for directory in frontier)
    return sorted(patterns)
