"""The figures that describe a corpus: small tables computed in SQL, and matplotlib drawings.

Every table function takes a DuckDB connection with two relations, ``records`` (the metadata
store's rows: one per input record) and ``shards`` (``language`` and ``n_words`` of every kept
document), and returns a small pandas DataFrame; every plot function turns such a table into a
``matplotlib.figure.Figure`` without touching pyplot's global state. The report
(``pipelines.report``) and the notebook (``notebooks/inspect_shards.ipynb``) share them.
"""

from __future__ import annotations

import io

import duckdb
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from transforms.records import DUPLICATE, ERROR, FILTERED, KEPT

STATUS_COLORS = {KEPT: "#4c9a2a", FILTERED: "#e0a030", DUPLICATE: "#6f8fcf", ERROR: "#c8443c"}


def languages(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Kept documents and words per language, most documents first."""
    return con.sql(
        "SELECT language, count(*) AS documents, sum(n_words)::BIGINT AS words, "
        "median(n_words)::BIGINT AS median_words FROM shards "
        "GROUP BY language ORDER BY documents DESC, language"
    ).df()


def length_histogram(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Kept documents per language and power-of-two bucket of length in words."""
    return con.sql(
        "SELECT language, (2 ** floor(log2(greatest(n_words, 1))))::BIGINT AS min_words, "
        "count(*) AS documents FROM shards GROUP BY ALL ORDER BY language, min_words"
    ).df()


def funnel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Input records, then what is left after errors, after filters and after deduplication."""
    (row,) = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE status <> '{ERROR}'), "
        f"count(*) FILTER (WHERE status IN ('{KEPT}', '{DUPLICATE}')), "
        f"count(*) FILTER (WHERE status = '{KEPT}') FROM records"
    ).fetchall()
    stages = ("input records", "readable", "passed the filters", "kept (not duplicates)")
    return pd.DataFrame({"stage": stages, "records": [int(v) for v in row]})


def drop_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Why records were not kept: records per status and reason, largest first."""
    return con.sql(
        f"SELECT status, coalesce(reason, status) AS reason, count(*) AS records FROM records "
        f"WHERE status <> '{KEPT}' GROUP BY ALL ORDER BY records DESC, reason"
    ).df()


def duplicate_groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many groups (a kept document and its duplicates) have each size."""
    return con.sql(
        "SELECT group_size, count(*) AS groups FROM (SELECT duplicate_of, count(*) + 1 AS "
        f"group_size FROM records WHERE status = '{DUPLICATE}' AND duplicate_of IS NOT NULL "
        "GROUP BY duplicate_of) GROUP BY group_size ORDER BY group_size"
    ).df()


def _annotate_bars(axes: Axes, values: list[int], horizontal: bool = False) -> None:
    for index, value in enumerate(values):
        if horizontal:
            axes.annotate(f" {value:,}", (value, index), va="center", fontsize=8)
        else:
            axes.annotate(f"{value:,}", (index, value), ha="center", va="bottom", fontsize=8)


def plot_languages(table: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.add_subplot()
    axes.bar(table["language"], table["documents"], color="#4c72b0")
    _annotate_bars(axes, table["documents"].tolist())
    axes.set(title="Kept documents per language", xlabel="language", ylabel="documents")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)
    return figure


def plot_lengths(table: pd.DataFrame) -> Figure:
    """Stacked bars: documents per length bucket (every bucket in the range, empty ones too)."""
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.add_subplot()
    counts = table.pivot_table(
        index="min_words", columns="language", values="documents", aggfunc="sum", fill_value=0
    )
    if not counts.empty:
        low, high = int(counts.index.min()).bit_length(), int(counts.index.max()).bit_length()
        counts = counts.reindex([2 ** (b - 1) for b in range(low, high + 1)], fill_value=0)
    labels = [f"{lo}-{2 * lo - 1}" for lo in counts.index]
    bottom = [0] * len(labels)
    for language in counts.columns:
        values = counts[language].tolist()
        axes.bar(labels, values, bottom=bottom, label=language)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set(title="Text length of kept documents", xlabel="words", ylabel="documents")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not counts.empty:
        axes.legend(fontsize=8, title="language", loc="upper left", bbox_to_anchor=(1.01, 1))
    return figure


def plot_funnel(stages: pd.DataFrame, reasons: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(10, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.2))
    left.barh(stages["stage"], stages["records"], color="#4c72b0")
    _annotate_bars(left, stages["records"].tolist(), horizontal=True)
    left.invert_yaxis()
    left.margins(x=0.2)
    left.set(title="From input records to kept documents", xlabel="records")
    colors = [STATUS_COLORS.get(status, "#888888") for status in reasons["status"]]
    right.barh(reasons["reason"], reasons["records"], color=colors)
    _annotate_bars(right, reasons["records"].tolist(), horizontal=True)
    right.invert_yaxis()
    right.margins(x=0.2)
    right.set(title="Why records were dropped", xlabel="records")
    for axes in (left, right):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def plot_duplicate_groups(table: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.add_subplot()
    axes.bar(table["group_size"].astype(str), table["groups"], color="#6f8fcf")
    _annotate_bars(axes, table["groups"].tolist())
    axes.set(title="Duplicate groups by size", xlabel="documents in the group (kept + removed)")
    axes.set_ylabel("groups")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)
    return figure


def png(figure: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for HTML embedding and notebook display)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
