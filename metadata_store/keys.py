"""Lookup keys: SURT keys for URLs, directory keys for paths, and the stable hash partition.

Every function here has a twin SQL expression (``SURT_SQL``, ``DIRECTORY_SQL``,
``PARTITION_SQL``) that the bulk loader evaluates inside DuckDB; the two must agree exactly, and
``tests/metadata_store/test_keys.py`` holds them to it on a corpus of awkward inputs.

SURT (Sort-friendly URI Reordering Transform), Common Crawl style but kept simple:

* ``scheme://[user@]host[:port]/path?query#fragment`` becomes ``host-reversed[:port])/path?query``:
  scheme, user info and fragment dropped; ASCII hosts lowercased; trailing dots and one leading
  ``www.`` removed; labels reversed and joined with ``,``; the port kept unless it is the
  scheme's default (80 for http, 443 for https); an empty path becomes ``/``.
* Path and query are kept verbatim (no case folding, no parameter sorting), so a URL prefix that
  names a whole host (``https://example.com/docs/``) maps to a SURT prefix (``com,example)/docs/``).
* Anything that is not ``scheme://...`` (a local path, a URN) is its own key.

``https://www.Example.com:443/a/b?x=1#top`` -> ``com,example)/a/b?x=1``.
"""

from __future__ import annotations

import hashlib
import re

_URL = re.compile(r"(?s)([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)(.*)")
_HOST_PORT = re.compile(r"(?s)(.*?)(?::([0-9]*))?")
_DEFAULT_PORTS = frozenset({("http", "80"), ("https", "443")})


def surt(url: str) -> str:
    """The SURT key of ``url`` (see the module docstring); non-URLs are returned unchanged."""
    match = _URL.fullmatch(url)
    if match is None:
        return url
    scheme, authority, rest = match.groups()
    host, port = _HOST_PORT.fullmatch(authority.rpartition("@")[2]).groups()  # type: ignore[union-attr]
    host = (host.lower() if host.isascii() else host).rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = port or ""
    if (scheme.lower(), port) in _DEFAULT_PORTS:
        port = ""
    rest = rest.split("#", 1)[0]
    if not rest.startswith("/"):
        rest = "/" + rest
    reversed_host = ",".join(reversed(host.split(".")))
    return f"{reversed_host}{':' + port if port else ''}){rest}"


def surt_host(key: str) -> str:
    """The host of a SURT key (``com,example)/a`` -> ``com,example``): the url partition key."""
    return key.split(")", 1)[0]


def directory(path: str) -> str:
    """Up to the last ``/`` (``/data/a.warc.gz`` -> ``/data``): the data partition key."""
    return path.rpartition("/")[0]


def partition_of(key: str, partitions: int) -> int:
    """Stable hash partition: the first 32 bits of MD5(UTF-8 key), big-endian, modulo the count.

    MD5 because every engine has it (DuckDB ``md5``, BigQuery ``MD5``, Spark ``md5``), so
    the partition of a key can be computed outside crawlsift; it is not used for security.
    """
    if partitions < 1:
        raise ValueError(f"partitions must be >= 1, got {partitions}")
    digest = hashlib.md5(key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") % partitions


def prefix_bit(key: str) -> int:
    """One of 63 bits standing for the key's first two characters.

    The catalog ORs them per row group: a key whose bit is missing is not in the row group, which
    refuses most keys of the wrong kind (a digest probed against file paths) without a read.
    """
    head = key[:2]
    code = (ord(head[0]) * 131 + ord(head[1])) if len(head) == 2 else ord(head or "\0")
    return 1 << (code % 63)


def prefix_upper_bound(prefix: str) -> str:
    """A string greater than every string that starts with ``prefix`` (for range scans)."""
    return prefix + "\U0010ffff"


# SQL twins, used by the bulk loader. RE2 and Python's re agree on these patterns (leftmost-first;
# explicit [0-9], since Python's \d also matches other scripts' digits; Python uses fullmatch
# where RE2 uses $, since Python's $ also matches before a trailing newline).


def partition_sql(expr: str, partitions: int) -> str:
    """SQL for ``partition_of(expr, partitions)``."""
    return f"(('0x' || md5({expr})[1:8])::UBIGINT % {int(partitions)})::INTEGER"


def directory_sql(expr: str) -> str:
    """SQL for ``directory(expr)``."""
    return f"regexp_extract({expr}, '(?s)^(.*)/', 1)"


def surt_keys_sql(source: str, column: str, partitions: int) -> str:
    """``SELECT source.*, key, _p``: the SURT key of ``column`` and the partition of its host.

    Rows where ``column`` is NULL are left out. Per row the work is one anchored regex (the origin,
    ``scheme://authority``), a hash join and some slicing; the host is parsed once per distinct
    origin, as a crawl has far fewer hosts than URLs.
    """
    part = partition_sql("split_part(hostkey, ')', 1)", partitions)
    return f"""
WITH origins AS (
  SELECT s.*, regexp_extract(s.{column}, '^[A-Za-z][A-Za-z0-9+.\\-]*://[^/?#]*') AS _origin
  FROM {source} s WHERE s.{column} IS NOT NULL
), authorities AS (
  SELECT _origin, lower(split_part(_origin, '://', 1)) AS scheme,
         regexp_extract(substr(_origin, strpos(_origin, '://') + 3), '(?s)^(?:.*@)?([^@]*)$', 1)
             AS hp
  FROM (SELECT DISTINCT _origin FROM origins WHERE _origin <> '')
), ports AS (
  SELECT *, regexp_extract(hp, ':([0-9]*)$', 1) AS port,
         regexp_matches(hp, ':[0-9]*$') AS has_port FROM authorities
), hosts AS (
  SELECT *, rtrim(CASE WHEN regexp_matches(h, '^[\\x00-\\x7f]*$') THEN lower(h) ELSE h END, '.')
            AS host
  FROM (SELECT *, CASE WHEN has_port THEN left(hp, length(hp) - length(port) - 1) ELSE hp END
               AS h FROM ports)
), named AS (
  SELECT _origin, length(_origin) AS _len,
         array_to_string(list_reverse(string_split(
             CASE WHEN starts_with(host, 'www.') THEN substr(host, 5) ELSE host END, '.')), ',')
         || CASE WHEN port = '' OR (scheme = 'http' AND port = '80')
                   OR (scheme = 'https' AND port = '443') THEN '' ELSE ':' || port END
         AS hostkey
  FROM hosts
), keyed AS (
  SELECT *, {part} AS _hp FROM named
), paths AS (
  SELECT o.*, k.hostkey, k._hp,
         CASE WHEN k._origin IS NULL THEN NULL ELSE substr(o.{column}, k._len + 1) END AS _rest
  FROM origins o LEFT JOIN keyed k ON k._origin = o._origin
)
SELECT * EXCLUDE (_origin, hostkey, _hp, _rest),
       CASE WHEN hostkey IS NULL THEN {column}
            ELSE hostkey || ')' || (CASE WHEN starts_with(_rest, '/') THEN '' ELSE '/' END)
                 || (CASE WHEN contains(_rest, '#') THEN split_part(_rest, '#', 1) ELSE _rest END)
       END AS key,
       CASE WHEN hostkey IS NULL THEN {partition_sql(f"split_part({column}, ')', 1)", partitions)}
            ELSE _hp END AS _p
FROM paths
"""
