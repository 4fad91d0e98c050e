"""``python -m metadata_store``: text and JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from metadata_store import MetadataStore
from metadata_store.cli import main
from tests.metadata_store.test_store import A, B, load, rid, sample_run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    path = root / "metadata.duckdb"
    with MetadataStore.open(path) as store:
        load(store, sample_run(root))
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CRAWLSIFT_STORE"}
    return subprocess.run(
        [sys.executable, "-m", "metadata_store", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**environ, **(env or {})},
        timeout=60,
    )


def run_main(capsys, *args: str, environ=None) -> tuple[int, str, str]:
    code = main(list(args), environ or {})
    out, err = capsys.readouterr()
    return code, out, err


def test_locate_text_is_one_aligned_block_per_match(store_path):
    result = cli("locate", "--store", str(store_path), "d1")
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.strip().split("\n\n")
    assert len(blocks) == 2
    lines = blocks[0].splitlines()
    assert lines[0] == f"record_id:      {rid(A, 0)}"
    assert "status:         kept" in lines
    assert "doc_id:         -" in lines
    assert len({len(line) - len(line.split(":", 1)[1].lstrip()) for line in lines}) == 1
    assert f"source_uri:     {B}" in blocks[1].splitlines()


def test_locate_json(store_path):
    result = cli("locate", "https://example.com/b", "--store", str(store_path), "--json")
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["record_id"] == rid(A, 100)
    assert (record["status"], record["duplicate_of"], record["similarity"]) == (
        "duplicate",
        rid(A, 0),
        0.85,
    )


def test_missing_store_is_a_one_line_error(tmp_path):
    result = cli("stats", "--store", str(tmp_path / "absent.duckdb"))
    assert result.returncode == 2
    assert result.stderr == f"error: no metadata store at {tmp_path / 'absent.duckdb'}\n"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_store_from_environment(store_path):
    result = cli("runs", "--json", env={"CRAWLSIFT_STORE": str(store_path)})
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)
    assert (run["run_id"], run["started_at"]) == ("run-1", "2024-05-01T12:00:00")


def test_store_is_required_without_environment(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["stats"], {})
    assert exit_.value.code == 2
    assert "--store" in capsys.readouterr().err


def test_locate_without_match_exits_1(capsys, store_path):
    code, out, err = run_main(capsys, "locate", "--store", str(store_path), "nothing-here")
    assert (code, out) == (1, "")
    assert err == "no record matches 'nothing-here'\n"


def test_locate_prefix(capsys, store_path):
    args = ("locate", "--prefix", "--limit", "2", "--json", "https://example.com/")
    code, out, _ = run_main(capsys, *args, environ={"CRAWLSIFT_STORE": str(store_path)})
    assert code == 0
    assert [r["url"] for r in json.loads(out)] == ["https://example.com/a", "https://example.com/b"]


def test_stats_text_and_json(capsys, store_path):
    code, out, _ = run_main(capsys, "stats", "--store", str(store_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[:4] == [
        "records                 6",
        "files                   2 (0 with error)",
        "runs                    1",
        "layers                  1",
    ]
    assert "by status" in lines
    assert "  error:lost_in_dedup            1" in lines
    code, out, _ = run_main(capsys, "stats", "--store", str(store_path), "--json")
    assert json.loads(out)["by_status"] == {"error": 2, "kept": 2, "duplicate": 1, "filtered": 1}


def test_runs_text_is_a_table(capsys, store_path):
    code, out, _ = run_main(capsys, "runs", "--store", str(store_path))
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == [
        "run_id",
        "started_at",
        "finished_at",
        "records_in",
        "kept",
        "filtered",
        "duplicate",
        "error",
        "indexed",
        "mode",
        "balanced",
    ]
    times = ["2024-05-01", "12:00:00", "2024-05-01", "12:05:00"]
    assert row.split() == ["run-1", *times, "6", "2", "1", "1", "2", "0", "full", "True"]


def test_failed_text_and_json(capsys, store_path):
    code, out, _ = run_main(capsys, "failed", "--store", str(store_path))
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == [
        "record_id",
        "reason",
        "source_uri",
        "source_offset",
        "source_length",
        "url",
    ]
    assert [r.split()[1] for r in rows] == ["error:truncated_record", "error:lost_in_dedup"]
    code, out, _ = run_main(capsys, "failed", "--limit", "1", "--json", "--store", str(store_path))
    assert [r["reason"] for r in json.loads(out)] == ["error:truncated_record"]


def test_every_flag_has_help(capsys):
    for command in ("locate", "stats", "runs", "failed"):
        with pytest.raises(SystemExit):
            main([command, "--help"], {})
        out = capsys.readouterr().out
        assert "--store PATH" in out
        assert "print JSON instead of text" in out
