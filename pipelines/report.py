"""A corpus report: ``python -m pipelines.report OUTPUT`` writes ``OUTPUT/report.html``.

The page holds the same figures as ``notebooks/inspect_shards.ipynb`` (documents per language,
text lengths, the funnel from input records to kept documents with the drop reasons, duplicate
group sizes, sample documents, one URL's lineage), with the plots embedded as PNG, so it opens
anywhere without a notebook. Records come from ``OUTPUT/metadata.duckdb`` when there is one, else
from the newest run's store parts (a cloud output); shards are read through Beam's FileSystems.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import json
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from matplotlib.figure import Figure

from pipelines import cloud_store, figures
from transforms.layout import OutputLayout, join
from transforms.records import DUPLICATE

SAMPLE_CHARS = 300


@dataclass(frozen=True)
class Corpus:
    """Everything the report shows, as small tables."""

    output: str
    records_source: str
    summary: dict[str, Any] | None
    languages: pd.DataFrame
    lengths: pd.DataFrame
    funnel: pd.DataFrame
    reasons: pd.DataFrame
    duplicate_groups: pd.DataFrame
    samples: pd.DataFrame
    lineage: pd.DataFrame


def shard_paths(output: str) -> list[str]:
    pattern = join(output, "data", "**", "*.parquet")
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def read_shards(paths: Sequence[str], columns: Sequence[str] = ("language", "n_words")) -> pa.Table:
    with ThreadPoolExecutor(max_workers=16) as pool:
        tables = list(pool.map(lambda path: cloud_store.read_part(path, columns), paths))
    if not tables:
        return pa.table(
            {"language": pa.array([], pa.string()), "n_words": pa.array([], pa.int32())}
        )
    return pa.concat_tables(tables)


def sample_documents(paths: Sequence[str], per_language: int = 3) -> pd.DataFrame:
    """The first ``per_language`` documents of each language's first shard, texts shortened."""
    first: dict[str, str] = {}
    for path in paths:
        language = path.rsplit("language=", 1)[-1].split("/", 1)[0]
        first.setdefault(language, path)
    frames = []
    for language, path in sorted(first.items()):
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
            batches = pq.ParquetFile(stream).iter_batches(
                batch_size=per_language, columns=["id", "url", "n_words", "text"]
            )
            frame = next(batches).to_pandas()
        frame.insert(0, "language", language)
        frames.append(frame)
    samples = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not samples.empty:
        samples["text"] = samples["text"].map(lambda t: t[:SAMPLE_CHARS].replace("\n", " ") + "…")
    return samples


def store_path(output: str) -> str | None:
    """OUTPUT/metadata.duckdb when it exists (local outputs); None for a cloud output."""
    path = join(output, "metadata.duckdb")
    return path if not cloud_store.is_remote(path) and FileSystems.exists(path) else None


@contextmanager
def corpus_connection(output: str, store: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB with ``records`` (the store, or the newest run's parts) and ``shards``."""
    store = store or store_path(output)
    con = duckdb.connect(store, read_only=True) if store else duckdb.connect()
    try:
        if not store:
            run_id = cloud_store.latest_run(output)
            if run_id is None:
                raise FileNotFoundError(f"no metadata.duckdb and no store parts under {output}")
            parts = OutputLayout(output, run_id).run_parts_dir
            con.register("records", cloud_store.records_from_parts(parts))
        con.register("shards", read_shards(shard_paths(output)))
        yield con
    finally:
        con.close()


def lineage(con: duckdb.DuckDBPyConnection, key: str) -> pd.DataFrame:
    """The records whose URL, record id, doc id, digest or file is ``key``, each followed by the
    records it duplicates, down to the kept one (whose ``shard`` holds the text)."""
    columns = "record_id, url, source_uri, source_offset, status, reason, duplicate_of, shard"
    return con.execute(
        f"""WITH RECURSIVE chain(step, {columns}) AS (
              SELECT 0, {columns} FROM records
              WHERE $key IN (record_id, url, doc_id, content_digest, source_uri)
              UNION ALL
              SELECT c.step + 1, {", ".join(f"r.{c.strip()}" for c in columns.split(","))}
              FROM chain c JOIN records r ON r.record_id = c.duplicate_of WHERE c.step < 10)
            SELECT * FROM chain ORDER BY step, source_uri, source_offset""",
        {"key": key},
    ).df()


def example_url(con: duckdb.DuckDBPyConnection) -> str | None:
    """A URL worth tracing: one that was removed as a duplicate, else any URL."""
    rows = con.execute(
        f"SELECT url FROM records WHERE url IS NOT NULL "
        f"ORDER BY status = '{DUPLICATE}' DESC, url LIMIT 1"
    ).fetchall()
    return rows[0][0] if rows else None


def read_summary(output: str) -> dict[str, Any] | None:
    path = join(output, "summary.json")
    if not FileSystems.exists(path):
        return None
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return json.loads(stream.read())


def load_corpus(output: str, store: str | None = None, per_language: int = 3) -> Corpus:
    output = output.rstrip("/")
    with corpus_connection(output, store) as con:
        url = example_url(con)
        return Corpus(
            output=output,
            records_source=store or store_path(output) or f"{output}/store/runs (Parquet parts)",
            summary=read_summary(output),
            languages=figures.languages(con),
            lengths=figures.length_histogram(con),
            funnel=figures.funnel(con),
            reasons=figures.drop_reasons(con),
            duplicate_groups=figures.duplicate_groups(con),
            samples=sample_documents(shard_paths(output), per_language),
            lineage=lineage(con, url) if url else pd.DataFrame(),
        )


def corpus_figures(corpus: Corpus) -> dict[str, Figure]:
    return {
        "languages": figures.plot_languages(corpus.languages),
        "lengths": figures.plot_lengths(corpus.lengths),
        "funnel": figures.plot_funnel(corpus.funnel, corpus.reasons),
        "duplicates": figures.plot_duplicate_groups(corpus.duplicate_groups),
    }


_STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top;font-size:13px}th{background:#f3f3f3}img{max-width:100%}
code,pre{background:#f6f6f6;padding:2px 4px}"""


def _image(figure: Figure) -> str:
    data = base64.b64encode(figures.png(figure)).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0) if not frame.empty else "<p>none</p>"


def render_html(corpus: Corpus, generated: dt.datetime | None = None) -> str:
    """The self-contained page: figures as base64 PNG, tables escaped."""
    when = (generated or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    drawn = corpus_figures(corpus)
    summary = corpus.summary or {}
    accounting = (
        f"accounting {'OK' if summary.get('balanced') else 'MISMATCH'}: records in "
        f"{summary.get('records_in')} = kept {summary.get('kept')} + filtered "
        f"{summary.get('filtered')} + duplicate {summary.get('duplicate')} + error "
        f"{summary.get('error')} (run {summary.get('run_id')})"
        if summary
        else "no summary.json"
    )
    url = corpus.lineage["url"].iloc[0] if not corpus.lineage.empty else ""
    sections = [
        f"<h1>crawlsift corpus report</h1><p><b>{html.escape(corpus.output)}</b>, generated "
        f"{when}; records from {html.escape(corpus.records_source)}</p>",
        f"<p><code>{html.escape(accounting)}</code></p>",
        "<h2>Documents per language</h2>" + _image(drawn["languages"]),
        _table(corpus.languages),
        "<h2>Text length</h2>" + _image(drawn["lengths"]),
        "<h2>From input records to kept documents</h2>" + _image(drawn["funnel"]),
        _table(corpus.funnel) + _table(corpus.reasons),
        "<h2>Duplicate groups</h2>" + _image(drawn["duplicates"]),
        _table(corpus.duplicate_groups),
        "<h2>Sample documents</h2>" + _table(corpus.samples),
        f"<h2>Lineage of one URL</h2><p><code>{html.escape(str(url))}</code>: the record, then the "
        "record it duplicates, down to the kept one and its shard. Any URL: <code>python -m "
        "metadata_store locate --store OUTPUT/metadata.duckdb URL</code></p>",
        _table(corpus.lineage),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>crawlsift report: {html.escape(corpus.output)}</title><style>{_STYLE}</style>"
        f"</head><body>{''.join(sections)}</body></html>"
    )


def write_report(output: str, store: str | None = None) -> str:
    """Write OUTPUT/report.html (through FileSystems) and return its path."""
    page = render_html(load_corpus(output, store))
    path = join(output.rstrip("/"), "report.html")
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        stream.write(page.encode("utf-8"))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.report", description="Write OUTPUT/report.html for a run."
    )
    parser.add_argument("output", help="the pipeline's --output (local, gs://, s3://)")
    parser.add_argument(
        "--store", default=None, help="DuckDB store (default OUTPUT/metadata.duckdb)"
    )
    args = parser.parse_args(argv)
    try:
        path = write_report(args.output, args.store)
    except (FileNotFoundError, OSError, duckdb.Error) as error:
        print(f"error: cannot build the report for {args.output}: {error}", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
