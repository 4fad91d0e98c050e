"""The loader's key spool: SURT keys from per-origin heads, fast partitions, directories."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metadata_store import MetadataStore, keys, layout, spool
from metadata_store.keys import directory, partition_of, split_key, surt, surt_host
from tests.metadata_store.test_keys import AWKWARD, SURTS
from tests.metadata_store.test_store import T0, T1
from transforms.records import FILE_SCHEMA, LOCATION_SCHEMA

URLS = [u for u, _ in SURTS] + [
    *AWKWARD,
    "https://a)b)c.com/x",  # a host with ")" in it: the head ends inside the host
    "https://ex.com/e\u0301)x",  # a combining mark; ")" in the path
    "x)y)z",  # not a URL, with ")" in it
    "no-parens-at-all",
    "https://www.ex.com",
    "http://www.ex.com/a",
    "https://ex.com/b#c",
    "HTTPS://EX.com/?q",
]


def test_split_key_cuts_after_the_first_paren():
    assert split_key("com,x)/a)b") == ("com,x)", "/a)b")
    assert split_key("plain") == ("plain", "")
    assert split_key("") == ("", "")


@pytest.mark.parametrize("partitions", [1, 2, 13, 32])
def test_the_url_pass_rebuilds_sorted_surt_keys(tmp_path, partitions):
    con = duckdb.connect()
    urls = [*URLS, None] * 2
    con.execute("CREATE TABLE u AS SELECT unnest(?::VARCHAR[]) AS url", [urls])
    rows_sql = (
        "SELECT url, row_number() OVER ()::VARCHAR AS record_id, '/d/f' AS source_uri, "
        "0::BIGINT AS source_offset, NULL::VARCHAR AS content_digest, NULL::VARCHAR AS doc_id "
        "FROM u"
    )
    keys_out = spool.Spool(tmp_path / "spool.parquet", partitions)
    for batch in con.sql(spool.data_pass_sql(rows_sql, partitions)).to_arrow_reader(7):
        keys_out.add(batch)
    keys_out.close()
    heads = spool.heads(con, keys_out.path, partitions)
    ordered = heads.by_rank.to_pylist()
    assert ordered == sorted(set(ordered))
    con.register("_heads", heads.table)
    query = spool.index_sql("url", "url", partitions, keys_out.path)
    batches = con.sql(query).to_arrow_reader(5)
    found = [(b.column("_p").to_pylist(), spool.url_rows(b, heads)) for b in batches]
    parts = [p for p, _ in found for p in p]
    table = pa.Table.from_batches([rows for _, rows in found])
    found_keys, found_urls = table["key"].to_pylist(), table["url"].to_pylist()
    assert sorted(found_urls) == sorted(u for u in urls if u is not None)
    assert found_keys == [surt(u) for u in found_urls]
    assert parts == [partition_of(surt_host(k), partitions) for k in found_keys]
    order = list(zip(parts, found_keys, table["rec_row"].to_pylist(), strict=True))
    assert order == sorted(order)


@pytest.mark.parametrize("partitions", [1, 2, 7, 16, 1024, 65536, 131072])
def test_partition_sql_agrees_with_python(partitions):
    rng = random.Random(partitions)
    values = [f"{rng.getrandbits(96):024x}" for _ in range(500)] + ["", "é", "com,example"]
    got = duckdb.execute(
        f"SELECT v, {keys.partition_sql('v', partitions)} FROM unnest(?::VARCHAR[]) t(v)",
        [values],
    ).fetchall()
    assert all(p == partition_of(v, partitions) for v, p in got)


def test_directory_sql_agrees_with_python():
    rng = random.Random(3)
    alphabet = ["a", "/", "\\", ".", ":", "é", "😀", " ", "\n"]
    values = ["/", "//", "a/", "/a", "plain", "", "s3://b/x/y.gz", "a//b", "///x"]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    got = duckdb.execute(
        f"SELECT v, {keys.directory_fast_sql('v')} FROM unnest(?::VARCHAR[]) t(v)", [values]
    ).fetchall()
    assert [d for _, d in got] == [directory(v) for v, _ in got]


def test_a_load_of_awkward_urls_has_their_surt_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "TARGET_PARTITION_ROWS", 8)
    run_dir = tmp_path / "run"
    for name in ("locations", "outcomes", "files"):
        (run_dir / name).mkdir(parents=True)
    n = len(URLS) * 3
    urls = [URLS[i % len(URLS)] for i in range(n)]
    columns = {
        "record_id": [f"{i:024x}" for i in range(n)],
        "url": [None if i % 5 == 4 else u for i, u in enumerate(urls)],
        "source_uri": [f"/d{i % 4}/f{i % 9}" for i in range(n)],
        "source_offset": list(range(n)),
        "source_length": [1] * n,
        "size": [1] * n,
        "status": ["filtered"] * n,
        "batch_id": ["b"] * n,
    }
    table = pa.table(
        {f.name: pa.array(columns.get(f.name, [None] * n), type=f.type) for f in LOCATION_SCHEMA},
        schema=LOCATION_SCHEMA,
    )
    pq.write_table(table, run_dir / "locations" / "p.parquet")
    pq.write_table(FILE_SCHEMA.empty_table(), run_dir / "files" / "p.parquet")
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("r", run_dir, T0, T1, [], {})
    root = layout.index_root(path)
    partitions = layout.partitions_for(n)
    entries = 0
    for part in sorted(root.glob("url/partition=*/*.parquet")):
        found = pq.read_table(part)
        part_keys, part_urls = found["key"].to_pylist(), found["url"].to_pylist()
        assert part_keys == sorted(part_keys)
        assert part_keys == [surt(u) for u in part_urls]
        partition = int(part.parent.name.split("=")[1])
        assert {partition_of(surt_host(k), partitions) for k in part_keys} == {partition}
        entries += len(part_keys)
    assert entries == sum(u is not None for u in columns["url"])
    with MetadataStore.open(path, read_only=True) as store:
        for url in {u for u in columns["url"] if u is not None}:
            assert {r["url"] for r in store.locate(url)} == {url}, url
