"""The run summary: counters per stage and reason, the accounting invariant, summary.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from apache_beam.metrics.metric import MetricsFilter

STAGES = (
    ("records", "records:"),
    ("filtered", "filtered:"),
    ("errors", "error:"),
    ("deduplication", "dedup:"),
    ("status", "status:"),
    ("languages", "language:"),
    ("cleanup", "cleanup:"),
    ("reading", "read:"),
    ("skipped (not records)", "skipped:"),
    ("listing", "listing:"),
    ("files", "files:"),
    ("shards", "shards:"),
)


def counters_from_result(result: Any) -> dict[str, int]:
    """Committed (or attempted, where the runner has no committed values) crawlsift counters."""
    counters: dict[str, int] = {}
    query = result.metrics().query(MetricsFilter().with_namespace("crawlsift"))
    for metric in query["counters"]:
        value = metric.committed if metric.committed is not None else metric.attempted
        name = metric.key.metric.name
        counters[name] = counters.get(name, 0) + int(value or 0)
    return dict(sorted(counters.items()))


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    output: str
    metadata_store: str
    records_in: int
    kept: int
    filtered: int
    duplicate: int
    error: int
    balanced: bool
    seconds: float
    shards: int
    counters: dict[str, int] = field(default_factory=dict)
    published_shards: list[str] = field(default_factory=list)  # relative to OUTPUT, by this run
    indexed: int = 0  # records an --index_only run located (not extracted)
    mode: str = "full"  # "full", or "index" for an --index_only run

    def accounting_line(self) -> str:
        mark = "OK" if self.balanced else "MISMATCH"
        return (
            f"accounting {mark}: records in {self.records_in} = kept {self.kept} + filtered "
            f"{self.filtered} + duplicate {self.duplicate} + error {self.error}"
            f" + indexed {self.indexed}"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def format_counters(counters: Mapping[str, int]) -> str:
    """An aligned table of counters grouped by stage."""
    lines = []
    width = max((len(name) for name in counters), default=10) + 2
    for title, prefix in STAGES:
        names = [name for name in counters if name.startswith(prefix)]
        if not names:
            continue
        lines.append(f"{title}:")
        lines.extend(f"  {name:<{width}}{counters[name]:>10,}" for name in sorted(names))
    return "\n".join(lines)


def format_summary(summary: RunSummary) -> str:
    rate = summary.records_in / summary.seconds if summary.seconds > 0 else 0.0
    return "\n".join(
        [
            f"crawlsift run {summary.run_id} finished in {summary.seconds:.1f} s "
            f"({rate:,.0f} records/s)",
            format_counters(summary.counters),
            summary.accounting_line(),
            f"shards:         {summary.shards} under {summary.output.rstrip('/')}/data/",
            f"metadata store: {summary.metadata_store}",
        ]
    )
