"""The index benchmark's input: a tree of many small HTML files, and the plain loop over it.

``build_tree(root, n_files, n_dirs)`` writes ``n_files`` pages of a few KB each, spread evenly
over ``n_dirs`` leaf directories two levels deep (``root/s<NN>/d<NNN>/p<NNNNNN>.html``). The bytes
are a pure function of the arguments (seeded), so a tree that is already there with the same
arguments (``root/TREE.json``) is reused as it is.

``plain_loop(root, procs)`` is the reference the pipeline is measured against: scandir, stat,
read and SHA-1 every ``*.html`` file, no framework (``procs`` processes, one directory per task).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import time
from multiprocessing import Pool
from pathlib import Path

MARKER = "TREE.json"
WORDS = [
    "archive",
    "index",
    "crawl",
    "page",
    "record",
    "shard",
    "store",
    "language",
    "text",
    "html",
    "link",
    "news",
    "river",
    "mountain",
    "city",
    "garden",
    "market",
    "school",
    "music",
    "story",
    "science",
    "history",
    "travel",
    "weather",
    "water",
    "light",
    "forest",
]


def page(seed: int) -> bytes:
    """One page of 1-6 KB: a title, a few paragraphs, links; deterministic in ``seed``."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(rng.randint(3, 14)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        paragraphs.append(f"<p>{words}.</p>")
    links = "".join(
        f'<a href="/p/{rng.randrange(10**6)}">{rng.choice(WORDS)}</a> ' for _ in range(8)
    )
    body = "\n".join(paragraphs)
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>page {seed}</title></head>"
        f"<body><nav>{links}</nav><h1>{rng.choice(WORDS)} {seed}</h1>\n{body}</body></html>\n"
    ).encode()


def leaf_directories(n_dirs: int, fanout: int = 25) -> list[str]:
    """``s<NN>/d<NNN>`` for each leaf, ``fanout`` leaves per top directory."""
    return [f"s{i // fanout:02d}/d{i:03d}" for i in range(n_dirs)]


def tree_spec(n_files: int, n_dirs: int) -> dict[str, int]:
    return {"files": n_files, "dirs": n_dirs, "version": 1}


def build_tree(root: Path, n_files: int, n_dirs: int) -> bool:
    """Write the tree under ``root`` unless it is already there; returns whether it was built."""
    marker = root / MARKER
    spec = tree_spec(n_files, n_dirs)
    if marker.is_file() and json.loads(marker.read_text()) == spec:
        return False
    shutil.rmtree(root, ignore_errors=True)
    directories = leaf_directories(n_dirs)
    for i in range(n_files):
        directory = root / directories[i % n_dirs]
        if i < n_dirs:
            directory.mkdir(parents=True, exist_ok=True)
        (directory / f"p{i:06d}.html").write_bytes(page(i))
    marker.write_text(json.dumps(spec))
    return True


def _hash_directory(directory: str) -> tuple[int, int]:
    """(files, bytes) of one directory's ``*.html`` files, each stat-ed, read and hashed."""
    files = total = 0
    stack = [directory]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".html"):
                    entry.stat()
                    with open(entry.path, "rb") as stream:
                        data = stream.read()
                    hashlib.sha1(data).hexdigest()
                    files += 1
                    total += len(data)
    return files, total


def plain_loop(root: str, procs: int = 1) -> dict[str, float]:
    """Every ``*.html`` below ``root`` stat-ed, read and hashed; counts and wall seconds."""
    started = time.perf_counter()
    tops = sorted(e.path for e in os.scandir(root) if e.is_dir())
    if procs <= 1:
        results = [_hash_directory(top) for top in tops]
    else:
        leaves = sorted(e.path for top in tops for e in os.scandir(top) if e.is_dir())
        with Pool(procs) as pool:
            results = pool.map(_hash_directory, leaves, chunksize=4)
    files = sum(r[0] for r in results)
    return {
        "files": files,
        "bytes": sum(r[1] for r in results),
        "seconds": time.perf_counter() - started,
    }


if __name__ == "__main__":  # python -m bench.index_tree ROOT PROCS: the plain loop, as JSON
    print(json.dumps(plain_loop(sys.argv[1], int(sys.argv[2]))))
