"""Key normalisation (SURT, directories), hash partitioning, and their SQL twins agreeing."""

from __future__ import annotations

import duckdb
import pytest

from metadata_store.keys import (
    directory,
    directory_sql,
    partition_of,
    partition_sql,
    prefix_upper_bound,
    surt,
    surt_host,
    surt_keys_sql,
)
from metadata_store.layout import index_root, part_path, partitions_for

SURTS = [
    ("https://www.Example.com:443/a/b?x=1#top", "com,example)/a/b?x=1"),
    ("http://example.com", "com,example)/"),
    ("http://example.com:80", "com,example)/"),
    ("https://example.com:80/", "com,example:80)/"),
    ("HTTP://WWW.EXAMPLE.COM.:8080?q", "com,example:8080)/?q"),
    ("https://user:pw@Host.org/p#f", "org,host)/p"),
    ("https://EXAMPLE.com/Path/UPPER", "com,example)/Path/UPPER"),  # path keeps its case
    ("https://x.com/%41?b=1&a=2", "com,x)/%41?b=1&a=2"),  # query kept as is
    ("https://www.www.x.com/", "com,x,www)/"),  # one www. only
    ("https://münchen.DE/Straße", "DE,münchen)/Straße"),  # non-ASCII hosts are not folded
    ("https://[::1]:8080/x", "[::1]:8080)/x"),
    ("s3://bucket/key/x.warc.gz", "bucket)/key/x.warc.gz"),
    ("file:///data/x.html", ")/data/x.html"),
    ("/data/a.warc.gz", "/data/a.warc.gz"),  # not a URL: its own key
    ("urn:uuid:123", "urn:uuid:123"),
    ("1http://x.com/", "1http://x.com/"),
    ("", ""),
]
# Inputs where a careless SQL translation would part ways with Python.
AWKWARD = [
    "https://x.com:/a",
    "https://x.com:abc/a",
    "https://x.com\n:80/\n",
    "h://a@b@c/d",
    "https://x.com#frag/a",
    "https://x.com?a#b",
    "https://İstanbul.com/",
    "https://x.com:443:443/",
    "é://x.com/",
    "a:b://x.com/",
    "https://a)b.com/x)y",
    "x)y",
    "https://ü.com:8080/",
    "https://x.com:080/",
    "://x",
    "https://",
    "https:///path",
    "https://@/",
    "https://a.b.c.",
    "https://www.",
    "HTTPS://X.COM:443",
]


@pytest.mark.parametrize(("url", "key"), SURTS)
def test_surt_exact_values(url, key):
    assert surt(url) == key


def test_surt_host_directory_and_bounds():
    assert surt_host("com,example)/a)b") == "com,example"
    assert surt_host("/no/host") == "/no/host"
    assert directory("/data/a.warc.gz") == "/data"
    assert directory("s3://b/x/y.gz") == "s3://b/x"
    assert directory("plain") == ""
    assert "abc" < "abc\U0010fffe" < prefix_upper_bound("abc") < "abd"


def test_partition_of_is_md5_prefix_mod_n():
    assert partition_of("com,example", 16) == 0xEF1A2116 % 16 == 6
    assert partition_of("/data", 1024) == 0x4CAA7910 % 1024 == 272
    assert partition_of("", 7) == 0xD41D8CD9 % 7
    assert partition_of("anything", 1) == 0
    with pytest.raises(ValueError, match="partitions must be >= 1"):
        partition_of("x", 0)


def test_partitions_spread_evenly():
    counts = [0] * 8
    for i in range(8000):
        counts[partition_of(f"key-{i}", 8)] += 1
    assert min(counts) > 900 and max(counts) < 1100


def test_sql_twins_agree_with_python():
    urls = [u for u, _ in SURTS] + AWKWARD
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE u AS SELECT unnest(?::VARCHAR[]) AS url", [urls])
    rows = con.execute(f"SELECT url, key, _p FROM ({surt_keys_sql('u', 'url', 16)})").fetchall()
    assert len(rows) == len(urls)
    for url, key, part in rows:
        assert (key, part) == (surt(url), partition_of(surt_host(surt(url)), 16)), url
    rows = con.execute(
        f"SELECT url, {directory_sql('url')}, {partition_sql(directory_sql('url'), 13)} FROM u"
    ).fetchall()
    for url, found, part in rows:
        assert (found, part) == (directory(url), partition_of(directory(url), 13)), url
    con.close()


def test_layout_names(tmp_path):
    assert index_root(tmp_path / "metadata.duckdb") == tmp_path / "metadata.index"
    assert part_path("url", 3, "run/1 x", 7, 2) == "url/partition=3/run_1_x-000007-002.parquet"
    assert [partitions_for(n) for n in (0, 10**5, 500_000, 500_001, 10**7)] == [1, 1, 1, 2, 32]
