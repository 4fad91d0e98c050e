"""pipelines.report and pipelines.figures on small hand-made corpora (no pipeline run)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from matplotlib.figure import Figure

from pipelines import figures, report
from transforms.records import LOCATION_SCHEMA, OUTCOME_SCHEMA, SHARD_SCHEMA

RECORDS = pd.DataFrame(
    [
        # record_id, url, status, reason, duplicate_of, shard
        ("k1", "https://a.example/1", "kept", None, None, "data/language=en/part-a-00000.parquet"),
        ("k2", "https://a.example/2", "kept", None, None, "data/language=de/part-a-00000.parquet"),
        ("d1", "https://a.example/1?ref=rss", "duplicate", "duplicate:exact", "k1", None),
        ("d2", "https://b.example/1", "duplicate", "duplicate:near", "k1", None),
        ("d3", "https://b.example/2", "duplicate", "duplicate:near", "k2", None),
        ("f1", "https://c.example/1", "filtered", "filtered:too_short", None, None),
        ("e1", None, "error", "error:truncated_record", None, None),
    ],
    columns=["record_id", "url", "status", "reason", "duplicate_of", "shard"],
).assign(source_uri="crawl.warc.gz", source_offset=range(7), doc_id=None, content_digest=None)
SHARDS = pd.DataFrame({"language": ["en", "de", "en"], "n_words": [20, 100, 700]})


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.register("records", RECORDS)
    connection.register("shards", SHARDS)
    yield connection
    connection.close()


def test_tables(con):
    assert figures.languages(con)[["language", "documents", "words"]].values.tolist() == [
        ["en", 2, 720],
        ["de", 1, 100],
    ]
    assert figures.funnel(con)["records"].tolist() == [7, 6, 5, 2]
    reasons = figures.drop_reasons(con)
    assert reasons.iloc[0].tolist() == ["duplicate", "duplicate:near", 2]
    assert reasons["records"].sum() == 5
    assert figures.duplicate_groups(con).values.tolist() == [[2, 1], [3, 1]]
    lengths = figures.length_histogram(con)
    assert lengths.values.tolist() == [["de", 64, 1], ["en", 16, 1], ["en", 512, 1]]


def test_plots_are_png_images_even_for_empty_tables(con):
    empty = duckdb.connect()
    empty.execute("CREATE TABLE records AS SELECT * FROM RECORDS LIMIT 0")
    empty.execute("CREATE TABLE shards AS SELECT * FROM SHARDS LIMIT 0")
    for connection in (con, empty):
        drawn = [
            figures.plot_languages(figures.languages(connection)),
            figures.plot_lengths(figures.length_histogram(connection)),
            figures.plot_funnel(figures.funnel(connection), figures.drop_reasons(connection)),
            figures.plot_duplicate_groups(figures.duplicate_groups(connection)),
        ]
        for figure in drawn:
            assert isinstance(figure, Figure)
            assert figures.png(figure).startswith(b"\x89PNG\r\n\x1a\n")
    empty.close()


def test_lineage_follows_duplicates_to_the_kept_record(con):
    chain = report.lineage(con, "https://b.example/1")
    assert chain["record_id"].tolist() == ["d2", "k1"]
    assert chain["shard"].iloc[-1] == "data/language=en/part-a-00000.parquet"
    assert report.lineage(con, "k2")["status"].tolist() == ["kept"]
    assert report.lineage(con, "https://nowhere.example/").empty
    assert report.example_url(con) == "https://a.example/1?ref=rss"


def write(table: pa.Table, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


@pytest.fixture
def cloud_like_output(tmp_path):
    """An output with shards and store parts but no metadata.duckdb (as a Dataflow run leaves)."""
    out = tmp_path / "out"
    run = out / "store" / "runs" / "20260101T000000Z-abcdef"
    rows = [
        {
            "record_id": r,
            "url": f"https://x.example/{r}",
            "source_uri": "c.warc.gz",
            "source_offset": i,
            "source_length": 1,
            "size": 1,
            "language": "en",
            "status": "candidate",
            "batch_id": "b",
        }
        for i, r in enumerate(("r1", "r2"))
    ]
    write(pa.Table.from_pylist(rows, LOCATION_SCHEMA), run / "locations" / "b.parquet")
    outcomes = [
        {"record_id": "r1", "status": "kept", "shard": "data/language=en/part-b-00000.parquet"},
        {
            "record_id": "r2",
            "status": "duplicate",
            "reason": "duplicate:exact",
            "duplicate_of": "r1",
            "similarity": 1.0,
        },
    ]
    write(pa.Table.from_pylist(outcomes, OUTCOME_SCHEMA), run / "outcomes" / "b.parquet")
    shard = {
        "id": "r1",
        "url": "https://x.example/r1",
        "text": "<script>alert(1)</script> hi",
        "language": "en",
        "language_score": 0.99,
        "source_uri": "c.warc.gz",
        "source_offset": 0,
        "n_words": 3,
        "record_id": "r1",
    }
    write(
        pa.Table.from_pylist([shard], SHARD_SCHEMA),
        out / "data" / "language=en" / "part-b-00000.parquet",
    )
    return out


def test_a_cloud_output_is_read_from_its_parts(cloud_like_output):
    corpus = report.load_corpus(str(cloud_like_output))
    assert "Parquet parts" in corpus.records_source and corpus.summary is None
    assert corpus.funnel["records"].tolist() == [2, 2, 2, 1]
    assert corpus.lineage["record_id"].tolist() == ["r2", "r1"]
    assert corpus.samples["id"].tolist() == ["r1"]


def test_the_page_is_self_contained_and_escaped(cloud_like_output):
    path = report.write_report(str(cloud_like_output))
    page = (cloud_like_output / "report.html").read_text(encoding="utf-8")
    assert path.endswith("report.html")
    assert page.count('src="data:image/png;base64,') == 4
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "no summary.json" in page


def test_cli_reports_a_missing_output(tmp_path, capsys):
    assert report.main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot build the report")
