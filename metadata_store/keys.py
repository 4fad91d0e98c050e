"""Lookup keys: SURT keys for URLs, directory keys for paths, and the stable hash partition.

The functions here have SQL twins for DuckDB (``partition_sql``, ``directory_sql``,
``surt_keys_sql``), and the bulk loader evaluates the SURT key in pieces: DuckDB cuts each URL
into its origin and path (``url_origin_sql``, ``url_path_sql``) and parses each distinct origin
once (``surt_heads_sql``, the twin of ``surt_head``). Python and SQL must agree exactly:
``tests/metadata_store/test_keys.py`` and ``test_spool.py`` hold them to it on awkward inputs.

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
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")
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


def surt_head(origin: str) -> str:
    """What the SURT keys of the URLs that start with ``origin`` (``scheme://authority``) start
    with, up to their ``)``: ``https://www.x.com`` -> ``com,x)``. Not an origin: itself.

    ``surt(url) == surt_head(origin) + path`` for the ``origin`` and ``path`` that
    ``url_origin_sql`` and ``url_path_sql`` compute (for a non-URL: itself and ""), so the loader
    parses each distinct origin once, not each URL.
    """
    return surt(origin)[:-1] if _ORIGIN.fullmatch(origin) else origin


def split_key(key: str) -> tuple[str, str]:
    """``key`` cut after its first ``)`` (``com,x)`` + ``/a)b``); without one, ``(key, "")``.

    Keys sort as (head, rest) do, so a layer's url keys are sorted by a rank of their few distinct
    heads and their short rests: a head ends at the first ``)``, so no head is another's prefix
    unless it is a whole key, which then sorts first on both counts.
    """
    cut = key.find(")") + 1
    return (key[:cut], key[cut:]) if cut else (key, "")


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
    """SQL for ``partition_of(expr, partitions)``.

    A power of two up to 65,536 (what ``layout.partitions_for`` gives) only needs the digest's
    bytes 2 and 3: they are read from ``md5_number`` (the digest as a little-endian number), about
    half the cost of parsing hex digits out of ``md5``.
    """
    partitions = int(partitions)
    if partitions & (partitions - 1) == 0 and 0 < partitions <= 65536:
        low = f"((md5_number({expr}) >> 16) & 65535)::INTEGER"  # bytes 2, 3 as little-endian
        return f"((({low} & 255) << 8) | ({low} >> 8)) & {partitions - 1}"
    return f"(('0x' || md5({expr})[1:8])::UBIGINT % {partitions})::INTEGER"


def directory_sql(expr: str) -> str:
    """SQL for ``directory(expr)``."""
    return f"regexp_extract({expr}, '(?s)^(.*)/', 1)"


_ORIGIN_SQL = "^[A-Za-z][A-Za-z0-9+.\\-]*://[^/?#]*"


def url_origin_sql(expr: str) -> str:
    """SQL for the ``scheme://authority`` that starts a URL, or '' (not a URL; NULL stays NULL)."""
    return f"regexp_extract({expr}, '{_ORIGIN_SQL}')"


def url_rest_sql(expr: str, origin: str) -> str:
    """SQL for what follows the ``origin`` (from ``url_origin_sql``) in the URL ``expr``."""
    return f"substr({expr}, length({origin}) + 1)"


def url_path_sql(rest: str) -> str:
    """SQL for what follows ``surt_head`` in a URL's SURT key: the ``rest`` (``url_rest_sql``),
    fragment dropped, starting with ``/``."""
    cut = f"CASE WHEN contains({rest}, '#') THEN split_part({rest}, '#', 1) ELSE {rest} END"
    return f"CASE WHEN starts_with({rest}, '/') THEN {cut} ELSE '/' || {cut} END"


def directory_fast_sql(expr: str) -> str:
    """SQL for ``directory(expr)`` without a regex (DuckDB's ``parse_dirpath``)."""
    return f"CASE WHEN {expr} = '/' THEN '' ELSE parse_dirpath({expr}, 'forward_slash') END"


def _hostkeys_sql(origins: str) -> str:
    """``SELECT _origin, hostkey`` for a relation of distinct origins (``url_origin_sql``):
    ``surt_head(_origin) == hostkey || ')'``."""
    return f"""
WITH authorities AS (
  SELECT _origin, lower(split_part(_origin, '://', 1)) AS scheme,
         regexp_extract(substr(_origin, strpos(_origin, '://') + 3), '(?s)^(?:.*@)?([^@]*)$', 1)
             AS hp
  FROM {origins}
), ports AS (
  SELECT *, regexp_extract(hp, ':([0-9]*)$', 1) AS port,
         regexp_matches(hp, ':[0-9]*$') AS has_port FROM authorities
), hosts AS (
  SELECT *, rtrim(CASE WHEN regexp_matches(h, '^[\\x00-\\x7f]*$') THEN lower(h) ELSE h END, '.')
            AS host
  FROM (SELECT *, CASE WHEN has_port THEN left(hp, length(hp) - length(port) - 1) ELSE hp END
               AS h FROM ports)
)
SELECT _origin,
       array_to_string(list_reverse(string_split(
           CASE WHEN starts_with(host, 'www.') THEN substr(host, 5) ELSE host END, '.')), ',')
       || CASE WHEN port = '' OR (scheme = 'http' AND port = '80')
                 OR (scheme = 'https' AND port = '443') THEN '' ELSE ':' || port END
       AS hostkey
FROM hosts
"""


def surt_heads_sql(values: str, partitions: int) -> str:
    """Per distinct ``_origin`` of the relation ``values`` (an origin, or a string that is not a
    URL, taken whole): ``head`` and ``tail``, ``split_key(surt_head(_origin))``; the head's
    ``_rank`` among all the heads (0, 1, ... in key order) and its host's partition ``_p``."""
    real = f"(SELECT _origin FROM v WHERE regexp_full_match(_origin, '{_ORIGIN_SQL}'))"
    cut = "strpos(hk, ')')"
    return f"""
WITH v AS (SELECT DISTINCT _origin FROM {values} WHERE _origin IS NOT NULL),
heads AS (
  SELECT v._origin, coalesce(n.hostkey || ')', v._origin) AS hk
  FROM v LEFT JOIN ({_hostkeys_sql(real)}) n ON n._origin = v._origin
), split AS (
  SELECT _origin, CASE WHEN {cut} > 0 THEN hk[:{cut}] ELSE hk END AS head,
         CASE WHEN {cut} > 0 THEN hk[{cut} + 1:] ELSE '' END AS tail
  FROM heads
)
SELECT _origin, head, tail, (dense_rank() OVER (ORDER BY head) - 1)::INTEGER AS _rank,
       {partition_sql("split_part(head, ')', 1)", partitions)} AS _p
FROM split
"""


def surt_keys_sql(source: str, column: str, partitions: int) -> str:
    """``SELECT source.*, key, _p``: the SURT key of ``column`` and the partition of its host,
    all in SQL (the loader spools origins and paths instead, see ``spool.py``).

    Rows where ``column`` is NULL are left out. Per row the work is one anchored regex (the origin,
    ``scheme://authority``), a hash join and some slicing; the host is parsed once per distinct
    origin, as a crawl has far fewer hosts than URLs.
    """
    part = partition_sql("split_part(hostkey, ')', 1)", partitions)
    distinct = "(SELECT DISTINCT _origin FROM origins WHERE _origin <> '')"
    rest = f"substr(o.{column}, length(o._origin) + 1)"
    return f"""
WITH origins AS (
  SELECT s.*, {url_origin_sql(f"s.{column}")} AS _origin
  FROM {source} s WHERE s.{column} IS NOT NULL
), keyed AS (
  SELECT *, {part} AS _hp FROM ({_hostkeys_sql(distinct)})
), paths AS (
  SELECT o.*, k.hostkey, k._hp,
         CASE WHEN k._origin IS NULL THEN NULL ELSE {url_path_sql(rest)} END AS _path
  FROM origins o LEFT JOIN keyed k ON k._origin = o._origin
)
SELECT * EXCLUDE (_origin, hostkey, _hp, _path),
       CASE WHEN hostkey IS NULL THEN {column} ELSE hostkey || ')' || _path END AS key,
       CASE WHEN hostkey IS NULL THEN {partition_sql(f"split_part({column}, ')', 1)", partitions)}
            ELSE _hp END AS _p
FROM paths
"""


def source_key(source_uri: str) -> int:
    """The ``files`` table's key of a path: the first 64 bits of MD5(UTF-8 path), big-endian."""
    return int(hashlib.md5(source_uri.encode("utf-8")).hexdigest()[:16], 16)


def source_key_sql(expr: str) -> str:
    """SQL for ``source_key(expr)`` (a UBIGINT)."""
    return f"('0x' || md5({expr})[1:16])::UBIGINT"
