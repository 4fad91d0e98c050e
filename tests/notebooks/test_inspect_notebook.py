"""notebooks/inspect_shards.ipynb and report.html, executed against a freshly produced output.

One small demo crawl (60 pages) goes through the real CLI on the local runner (2 worker threads:
half the start-up cost of worker processes, which tests/pipelines already cover); the notebook
then runs top to bottom in a kernel of this interpreter (nbclient, kernel ``python3``, which
jupyter_client starts with ``sys.executable``), with ``CRAWL_OUTPUT`` pointing at the output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import report
from pipelines.demo import generate

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "inspect_shards.ipynb"


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notebook")
    generate(root, pages=60, seed=11)
    crawl, out = root / "crawl", root / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.crawl_to_shards",
            *("--input", str(crawl / "warc" / "*.warc.gz")),
            *("--input", str(crawl / "html" / "*.html")),
            *("--input", str(crawl / "jsonl" / "*.jsonl")),
            *("--output", str(out)),
            *("--direct_running_mode", "multi_threading", "--direct_num_workers", "2"),
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_notebook_runs_and_draws(output, monkeypatch):
    monkeypatch.setenv("CRAWL_OUTPUT", str(output))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4, "expected the language, length, funnel and duplicate plots"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert str(output) in text and "records in" in text
    assert "data/language=" in text, "the lineage cell did not reach a kept document's shard"


def test_the_report_is_a_self_contained_page(output, capsys):
    assert report.main([str(output)]) == 0
    path = output / "report.html"
    assert capsys.readouterr().out.strip() == f"report: {path}"
    page = path.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4
    assert "accounting OK" in page
    assert "http://" not in page and "<script" not in page.lower()
    for heading in ("Documents per language", "Text length", "Duplicate groups", "Lineage"):
        assert heading in page
