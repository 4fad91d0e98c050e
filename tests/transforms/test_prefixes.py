"""Fan-out of recursive patterns over directory prefixes: same files, more patterns."""

from __future__ import annotations

import random

import pytest
from apache_beam.io.filesystems import FileSystems

from transforms.file_listing import walk_local
from transforms.prefixes import absolute_pattern, fan_out, normalise_pattern, split_recursive


def matched(patterns):
    return {m.path for p in patterns for m in FileSystems.match([p])[0].metadata_list}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    rnd = random.Random(1)
    for i in range(120):
        directory = root.joinpath(*[f"d{rnd.randint(0, 3)}" for _ in range(rnd.randint(0, 4))])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"f{i}.html").write_text("x")
        (directory / f"g{i}.txt").write_text("x")
    return root


def test_split_recursive():
    assert split_recursive("/a/b/**/*.html") == ("/a/b", "*.html")
    assert split_recursive("/a/b/**") == ("/a/b", "*")
    assert split_recursive("/a/*/**/*.html") is None
    assert split_recursive("/a/b/*.html") is None


def test_directory_means_everything_below(tree):
    assert normalise_pattern(str(tree)) == f"{tree}/**"
    assert normalise_pattern(f"{tree}/*.html") == f"{tree}/*.html"
    assert normalise_pattern("gs://bucket/dir") == "gs://bucket/dir"


@pytest.mark.parametrize("suffix", ["/**/*.html", "/**", "", "/d1/**/*.html", "/*.html"])
@pytest.mark.parametrize("min_prefixes", [1, 4, 100])
def test_fan_out_matches_exactly_the_same_files(tree, suffix, min_prefixes):
    pattern = f"{tree}{suffix}"
    patterns = fan_out(pattern, min_prefixes=min_prefixes)
    assert matched(patterns) == matched([normalise_pattern(pattern)])
    if suffix.startswith("/**") and min_prefixes > 1:
        assert len(patterns) >= 4


def test_remote_patterns_are_left_alone():
    assert fan_out("gs://bucket/crawl/**/*.warc.gz") == ["gs://bucket/crawl/**/*.warc.gz"]


def test_local_patterns_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert absolute_pattern("crawl/**/*.html") == f"{tmp_path}/crawl/**/*.html"
    assert absolute_pattern("./a/../b/*.warc.gz") == f"{tmp_path}/b/*.warc.gz"
    assert absolute_pattern("/data/x.jsonl") == "/data/x.jsonl"
    assert absolute_pattern("gs://bucket/crawl/*.warc.gz") == "gs://bucket/crawl/*.warc.gz"


def test_a_directory_named_like_a_glob_is_not_split_off(tmp_path):
    """``[x]`` as a prefix would match ``x`` (Beam's patterns cannot quote it): no fan-out."""
    for name in ("x", "[x]", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text("x")
    pattern = f"{tmp_path}/**/*.html"
    assert fan_out(pattern, min_prefixes=4) == [pattern]
    listed = [path for _, (paths, _, _) in walk_local(pattern) for path in paths]
    assert sorted(listed) == sorted(f"{tmp_path}/{n}/page.html" for n in ("x", "[x]", "y"))
