"""Command line for looking things up in a metadata store: locate, stats, runs, failed.

Output is aligned text for people, or JSON with ``--json`` for scripts. Exit codes: 0 found,
1 ``locate`` found nothing, 2 the store could not be used (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from metadata_store.errors import StoreError
from metadata_store.store import MetadataStore

ENV_STORE = "CRAWLSIFT_STORE"
RUN_COLUMNS = (
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
)
FAILED_COLUMNS = ("record_id", "reason", "source_uri", "source_offset", "source_length", "url")


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def format_blocks(rows: Sequence[Mapping[str, Any]]) -> str:
    """One ``field: value`` block per row, blocks separated by a blank line."""
    blocks = []
    for row in rows:
        width = max(len(k) for k in row) + 1
        blocks.append("\n".join(f"{k + ':':<{width}} {_text(v)}" for k, v in row.items()))
    return "\n\n".join(blocks)


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A header line and one aligned line per row; numbers right-aligned."""
    cells = [[_text(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), int) for row in rows) for c in columns]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(columns), *(line(c) for c in cells)])


def format_stats(stats: Mapping[str, Any]) -> str:
    """Totals first, then one indented section per breakdown."""
    totals = {
        "records": stats["records"],
        "files": f"{stats['files']} ({stats['files_with_error']} with error)",
        "runs": stats["runs"],
        "layers": stats["layers"],
    }
    sections = {k: v for k, v in stats.items() if isinstance(v, dict)}
    names = [*totals, *(k for v in sections.values() for k in v)]
    width = max(len(n) for n in names) + 2
    lines = [f"{k:<{width}}{v}" for k, v in totals.items()]
    for title, counts in sections.items():
        lines += ["", title.replace("_", " ")]
        lines += [f"  {k:<{width - 2}}{v:>10}" for k, v in counts.items()] or ["  (none)"]
    return "\n".join(lines)


def build_parser(default_store: str | None) -> argparse.ArgumentParser:
    """The parser; ``--store`` is required unless the environment supplied a default."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        default=default_store,
        required=default_store is None,
        metavar="PATH",
        help=f"the metadata .duckdb file (default: ${ENV_STORE}"
        + (f", now {default_store})" if default_store else ", which is not set)"),
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser = argparse.ArgumentParser(
        prog="python -m metadata_store",
        description="Look up what crawlsift did with each input record.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    locate = sub.add_parser(
        "locate", parents=[common], help="find records by url, file, record id, digest or doc id"
    )
    locate.add_argument(
        "key", metavar="KEY", help="url, source_uri, record_id, content_digest or doc_id"
    )
    locate.add_argument(
        "--prefix", action="store_true", help="match KEY as a url or source_uri prefix"
    )
    locate.add_argument(
        "--limit", type=int, default=None, help="at most this many records (--prefix: 100)"
    )
    sub.add_parser("stats", parents=[common], help="counts by status, reason, language")
    sub.add_parser("runs", parents=[common], help="the runs loaded into the store")
    failed = sub.add_parser("failed", parents=[common], help="error records and their reasons")
    failed.add_argument("--limit", type=int, default=None, help="at most this many records")
    return parser


def _run(args: argparse.Namespace) -> tuple[object, str, int]:
    """Query the store; returns (value for --json, text, exit code)."""
    with MetadataStore.open(args.store, read_only=True) as store:
        if args.command == "locate":
            if args.prefix:
                limit = 100 if args.limit is None else args.limit
                found = store.locate_prefix(args.key, limit=limit)
            else:
                found = store.locate(args.key, limit=args.limit)
            return found, format_blocks(found), 0 if found else 1
        if args.command == "stats":
            stats = store.stats()
            return stats, format_stats(stats), 0
        if args.command == "runs":
            runs = store.runs()
            return runs, format_table(runs, RUN_COLUMNS) if runs else "no runs loaded", 0
        rows = store.failed(limit=args.limit)
        return rows, format_table(rows, FAILED_COLUMNS) if rows else "no failed records", 0


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point; ``environ`` is injectable so tests need not touch os.environ."""
    env = os.environ if environ is None else environ
    args = build_parser(env.get(ENV_STORE) or None).parse_args(argv)
    try:
        value, text, code = _run(args)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if code == 1:
        print(f"no record matches {args.key!r}", file=sys.stderr)
    if args.json:
        print(json.dumps(value, indent=2, default=_json_default))
    elif text:
        print(text)
    return code
