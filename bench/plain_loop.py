"""The baseline: a plain Python loop of the default library calls, no framework.

For every HTML response record: warcio reads it, ``trafilatura.extract(html)`` extracts the text,
``langdetect.detect(text)`` tags it and ``datasketch.MinHash(128).update_batch`` hashes its word
5-grams. Files are spread over a ``multiprocessing.Pool`` of ``--procs`` processes.

    python -m bench.plain_loop --procs 2 bench-out/corpus/*.warc.gz
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from multiprocessing import Pool


def process_file(path: str) -> dict[str, int]:
    """Counts for one WARC file: records read, documents extracted, HTML bytes."""
    import langdetect
    import trafilatura
    from datasketch import MinHash
    from warcio.archiveiterator import ArchiveIterator

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    langdetect.DetectorFactory.seed = 0
    counts = {"records": 0, "documents": 0, "bytes": 0}
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            html = record.content_stream().read()
            counts["records"] += 1
            counts["bytes"] += len(html)
            text = trafilatura.extract(html)
            if not text:
                continue
            with contextlib.suppress(langdetect.LangDetectException):
                langdetect.detect(text)
            words = text.split()
            minhash = MinHash(num_perm=128)
            minhash.update_batch(
                [" ".join(words[i : i + 5]).encode("utf-8") for i in range(len(words) - 4)]
            )
            counts["documents"] += 1
    return counts


def run(paths: list[str], procs: int) -> dict[str, float]:
    """Process ``paths`` over ``procs`` processes; totals and wall seconds (pool included)."""
    started = time.perf_counter()
    totals = {"records": 0, "documents": 0, "bytes": 0}
    with Pool(procs) as pool:
        for counts in pool.imap_unordered(process_file, sorted(paths)):
            for key, value in counts.items():
                totals[key] += value
    return {**totals, "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plain loop of the default library calls")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.paths, args.procs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
