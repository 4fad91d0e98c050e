"""Bad input gets one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from metadata_store import StoreError
from pipelines import crawl_to_shards

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.crawl_to_shards", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture()
def page(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>hello</p></body></html>")
    return path


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert needle in errors[0], errors[0]


def test_no_file_matches(tmp_path):
    result = run_cli(
        "--input", str(tmp_path / "nothing-*.warc.gz"), "--output", str(tmp_path / "o")
    )
    assert_one_line_error(result, "no file matches --input")


def test_missing_input_flag(tmp_path):
    assert_one_line_error(run_cli("--output", str(tmp_path)), "--input is required")


def test_missing_output_flag(page):
    assert_one_line_error(run_cli("--input", str(page)), "--output is required")


def test_threshold_out_of_range(page, tmp_path):
    result = run_cli(
        "--input", str(page), "--output", str(tmp_path / "o"), "--dedup_threshold", "1.5"
    )
    assert_one_line_error(result, "--dedup_threshold must be between 0 and 1")


def test_unknown_dedup_value(page, tmp_path):
    result = run_cli("--input", str(page), "--output", str(tmp_path / "o"), "--dedup", "fuzzy")
    assert_one_line_error(result, "invalid choice: 'fuzzy'")


def test_unknown_flag(page, tmp_path):
    result = run_cli("--input", str(page), "--output", str(tmp_path / "o"), "--dedupe", "exact")
    assert_one_line_error(result, "unrecognized arguments: --dedupe")


def test_output_not_writable(page, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_cli("--input", str(page), "--output", str(blocker / "out"))
    assert_one_line_error(result, "is not writable")


def test_help_documents_every_flag():
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.crawl_to_shards", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for flag in (
        "--input",
        "--output",
        "--dedup",
        "--dedup_threshold",
        "--num_perm",
        "--min_words",
        "--languages",
        "--min_language_score",
        "--max_rows_per_shard",
        "--metadata_store",
        "--max_record_bytes",
        "--max_decompressed_bytes",
        "--extraction_mode",
        "--direct_num_workers",
    ):
        assert flag in result.stdout, flag


@pytest.mark.parametrize(
    "error", [StoreError("cannot load run r: disk full"), OSError(28, "No space left on device")]
)
def test_a_driver_failure_after_the_pipeline_is_one_line(
    page, tmp_path, monkeypatch, capsys, error
):
    def fail(*args: object) -> int:
        raise error

    monkeypatch.setattr(crawl_to_shards, "execute", fail)
    code = crawl_to_shards.run(["--input", str(page), "--output", str(tmp_path / "out")])
    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"error: {type(error).__name__}: ")
    assert "rerun the same command" in lines[1]
    details = Path(lines[1].split("details in ")[1].split(";")[0])
    assert "Traceback" in details.read_text()
    details.unlink()


def test_output_with_a_glob_character(page, tmp_path):
    result = run_cli("--input", str(page), "--output", str(tmp_path / "out[1]"))
    assert_one_line_error(result, "has a glob character")
    assert not (tmp_path / "out[1]").exists()
