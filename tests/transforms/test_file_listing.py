"""The fast local listing: the same files as FileSystems.match, grouped by directory."""

from __future__ import annotations

import os

import pytest
from apache_beam.io.filesystems import FileSystems

from transforms.file_listing import (
    cut,
    directory_chunks,
    first_matches,
    is_readable_name,
    lists_locally,
    match_pattern,
    parent_directory,
    readable_only,
    walk_local,
)
from transforms.prefixes import fan_out
from transforms.readers import detect_format

NAMES = [
    "top.html",
    "a/1.html",
    "a/b/2.html",
    "a/b/c/3.html",
    "a/b/c/skip.txt",
    "a/sp ace[1].html",
    "x/4.jsonl",
    "x/5.warc.gz",
]


@pytest.fixture
def tree(tmp_path):
    for name in NAMES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"<p>" + name.encode() + b"</p>")
    os.symlink(tmp_path / "a" / "b", tmp_path / "x" / "linkdir")  # listed by neither: not walked
    os.symlink(tmp_path / "a" / "1.html", tmp_path / "x" / "link.html")  # a file: listed
    os.symlink(tmp_path / "nowhere", tmp_path / "x" / "broken.html")  # cannot stat: skipped
    return tmp_path


def beam_match(pattern):
    return sorted(
        (m.path, m.size_in_bytes, m.last_updated_in_seconds)
        for m in FileSystems.match([pattern])[0].metadata_list
    )


def walked(pattern, stat=True):
    return sorted(
        (path, size, mtime)
        for _, (paths, sizes, mtimes) in walk_local(pattern, stat)
        for path, size, mtime in zip(paths, sizes, mtimes, strict=True)
    )


PATTERNS = [
    "**/*.html",
    "*",
    "**",
    "a/*.html",
    "a*/**",
    "a/**/*.html",  # how fan_out descends: files directly in a/ never match
    "a/**/*",
    "?/1.html",
    "[ax]/*",
    "",  # the directory itself with a trailing slash: its files
    "x/*.html",
    "a/b/c/*",
    "missing/*.html",
]


@pytest.mark.parametrize("rest", PATTERNS)
def test_walk_local_matches_what_filesystems_match_returns(tree, rest):
    pattern = f"{tree}/{rest}"
    assert lists_locally(pattern)
    assert walked(pattern) == beam_match(pattern)


def test_fanned_out_patterns_together_match_the_pattern(tree):
    for pattern in (f"{tree}/**/*.html", f"{tree}/**"):
        pieces = {entry for sub in fan_out(pattern, min_prefixes=4) for entry in walked(sub)}
        assert sorted(pieces) == beam_match(pattern)


def test_walk_local_groups_by_parent_directory(tree):
    for directory, (paths, _, _) in walk_local(f"{tree}/**"):
        assert {parent_directory(p) for p in paths} == {directory}


def test_walk_without_stat_lists_names_only(tree):
    names = walked(f"{tree}/**/*.html", stat=False)
    matched = [m[0] for m in beam_match(f"{tree}/**/*.html")]
    assert [n[0] for n in names] == sorted([*matched, f"{tree}/x/broken.html"])  # not stat-ed
    assert {(size, mtime) for _, size, mtime in names} == {(0, 0.0)}


def test_first_matches_stops_at_the_limit(tree):
    assert len(list(first_matches(f"{tree}/**", 3))) == 3
    assert list(first_matches(f"{tree}/top.html", 5)) == [f"{tree}/top.html"]  # no glob: Beam
    assert list(first_matches(f"{tree}/nothing*", 5)) == []


def test_non_glob_and_remote_patterns_go_through_filesystems():
    assert not lists_locally("/data/file.html")
    assert not lists_locally("gs://bucket/**/*.html")
    assert not lists_locally("file:///data/*.html")


def test_match_pattern_for_a_plain_path(tree):
    (piece,) = match_pattern(f"{tree}/a/1.html")
    assert piece[0] == f"{tree}/a" and piece[1][0] == [f"{tree}/a/1.html"]


def test_is_readable_name_agrees_with_detect_format():
    stems = ["a", "a.tar", "A.WaRc", "x.json", "x.jsonl", "p.HTML", "p.htm", "p.txt", "z.gz"]
    for stem in stems:
        for suffix in ("", ".gz", ".GZ", ".bz2", ".warc", ".json.gz"):
            name = f"/d/{stem}{suffix}"
            assert is_readable_name(name) == (detect_format(name) is not None), name


def test_readable_only_and_cut():
    piece = (["/d/a.html", "/d/b.txt", "/d/c.jsonl"], [1, 2, 3], [0.1, 0.2, 0.3])
    assert readable_only(piece) == ((["/d/a.html", "/d/c.jsonl"], [1, 3], [0.1, 0.3]), 1)
    same = (["/d/a.html"], [1], [0.0])
    assert readable_only(same) == (same, 0)
    assert [p[0] for p in cut(piece, max_files=2)] == [["/d/a.html", "/d/b.txt"], ["/d/c.jsonl"]]


def test_directory_chunks_bound_the_piece_size():
    files = [(f"/d{i % 2}/f{i}.html", i, 0.0) for i in range(7)]
    pieces = list(directory_chunks(files, max_files=2))
    assert all(len(paths) <= 2 for _, (paths, _, _) in pieces)
    by_directory = {}
    for directory, (paths, _, _) in pieces:
        by_directory.setdefault(directory, []).extend(paths)
    assert sorted(by_directory["/d0"]) == sorted(f"/d0/f{i}.html" for i in (0, 2, 4, 6))
    assert sorted(by_directory["/d1"]) == sorted(f"/d1/f{i}.html" for i in (1, 3, 5))
