"""Shingling, MinHash signatures and LSH band keys for near-duplicate detection (pure functions).

A document becomes a set of shingles (word 5-grams, or character 5-grams for scripts written
without spaces), the set becomes a MinHash signature of ``num_perm`` uint32 values, and the
signature is cut into ``bands`` bands of ``rows`` values; each band hashes to one bucket key.
Two documents with Jaccard similarity ``s`` share at least one bucket with probability
``1 - (1 - s**rows)**bands`` (:func:`detection_probability`).

Signatures are bit-compatible with ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash32)``
(datasketch >= 2.0, ``"affine32"``: the same permutations ``a * fmix32(h) + b mod 2**32``). The
shingle hash is not datasketch's default SHA-1 (a Python call per shingle: ~800 documents/s of 800
words at most) but a 64-bit polynomial hash with fmix64 that numpy computes for all at once.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_MAX_HASH = np.uint32(0xFFFFFFFF)
_HASH_CHUNK = 4096  # shingles permuted per numpy block: bounds memory at 4096 * num_perm * 4 bytes
_SPAN_BLOCK = 1 << 16  # bytes hashed per numpy block (a longer single shingle gets its own block)
_POLY = 0x9E3779B97F4A7C15  # odd, so invertible modulo 2**64
_POLY_INVERSE = pow(_POLY, -1, 1 << 64)
_FMIX64_M1, _FMIX64_M2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53
_FP_WEIGHT, _FN_WEIGHT = 0.3, 0.7  # false negatives cost more: candidates are confirmed later
_RECALL_TARGET, _RECALL_MARGIN = 0.98, 0.05

# Languages written without spaces between words get character shingles, and so does text whose
# letters are mostly of these scripts: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs.
SHINGLE_SIZE = 5  # words (or characters, see _CHAR_SHINGLE_LANGUAGES) per shingle
_CHAR_SHINGLE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my"})
_NO_SPACE_SCRIPTS = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF))
_NO_SPACE_SCRIPTS += ((0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_NO_SPACE_SCRIPTS += ((0x20000, 0x3134F),)
_PUNCTUATION, _NO_SPACE = 1, 2  # classes of code points in _char_classes()


@dataclass(frozen=True)
class LshParams:
    threshold: float
    num_perm: int
    bands: int
    rows: int


def detection_probability(similarity: float, params: LshParams) -> float:
    """Probability that two documents with this Jaccard similarity share an LSH bucket."""
    return 1.0 - (1.0 - similarity**params.rows) ** params.bands


def _area(values: np.ndarray, grid: np.ndarray) -> float:
    return float(np.sum((values[1:] + values[:-1]) * 0.5 * np.diff(grid)))


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int = 128) -> LshParams:
    """The (bands, rows) for ``threshold``: among the choices with ``bands * rows <= num_perm``
    that detect pairs with ``J >= threshold + 0.05`` with probability >= 0.98, the one with the
    smallest ``0.3 * false-positive area + 0.7 * false-negative area`` (datasketch's
    ``_optimal_param`` with weighted areas and a recall floor)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    if num_perm < 2:
        raise ValueError(f"num_perm must be at least 2, got {num_perm!r}")
    below = np.linspace(0.0, threshold, 1001)
    above = np.linspace(threshold, 1.0, 1001)
    recall_at = min(threshold + _RECALL_MARGIN, 1.0)
    options = []  # (misses the recall floor, weighted error, bands, rows): the smallest wins
    for bands in range(1, min(num_perm, 256) + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = _area(1.0 - (1.0 - below**rows) ** bands, below)
            fn = _area((1.0 - above**rows) ** bands, above)
            recall = 1.0 - (1.0 - recall_at**rows) ** bands
            error = _FP_WEIGHT * fp + _FN_WEIGHT * fn
            options.append((recall < _RECALL_TARGET, error, bands, rows))
    _, _, bands, rows = min(options)
    return LshParams(threshold=threshold, num_perm=num_perm, bands=bands, rows=rows)


@lru_cache(maxsize=1)
def _char_classes() -> np.ndarray:
    """``classes[code point]``: ``_PUNCTUATION`` (Unicode categories P*), ``_NO_SPACE`` or 0;
    built on first use (~0.3 s per process), not at import."""
    classes = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    for first, last in _NO_SPACE_SCRIPTS:
        classes[first : last + 1] = _NO_SPACE
    punctuation = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] == "P"]
    classes[punctuation] = _PUNCTUATION
    return classes


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@lru_cache(maxsize=2)  # exact_key() and shingles() of one document normalise it once
def normalise_for_dedup(text: str) -> str:
    """NFKC, casefold, punctuation replaced by spaces, whitespace collapsed to single spaces."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is much faster than normalize
        text = unicodedata.normalize("NFKC", text)
    codes = _code_points(text.casefold()).copy()
    codes[_char_classes()[codes] == _PUNCTUATION] = 32  # ~5x faster than str.translate
    return " ".join(codes.tobytes().decode("utf-32-le", "surrogatepass").split())


def exact_key(text: str) -> bytes:
    """16-byte BLAKE2b digest of the normalised text: equal for exact (normalised) duplicates."""
    data = normalise_for_dedup(text).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


def _uses_char_shingles(normalised: str, language: str) -> bool:
    base = language.lower().replace("_", "-").split("-")[0]
    if base in _CHAR_SHINGLE_LANGUAGES:
        return True
    if normalised.isascii():
        return False
    letters = len(normalised) - normalised.count(" ")
    no_space = np.count_nonzero(_char_classes()[_code_points(normalised)] == _NO_SPACE)
    return letters > 0 and 2 * int(no_space) > letters


def _shingle_spans(text: str, language: str, n: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The normalised text as UTF-8 (spaces removed for character shingles), and the byte
    (start, end) of each of its shingles, repeats included."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n!r}")
    normalised = normalise_for_dedup(text)
    by_char = _uses_char_shingles(normalised, language)
    data = (normalised.replace(" ", "") if by_char else normalised).encode("utf-8", "surrogatepass")
    if not data:
        return data, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    array = np.frombuffer(data, dtype=np.uint8)
    if by_char:
        bounds = np.flatnonzero((array & 0xC0) != 0x80)  # the first byte of each character
        ends = np.append(bounds[1:], len(data))
    else:
        bounds = np.concatenate(([0], np.flatnonzero(array == 32) + 1))  # word starts
        ends = np.append(bounds[1:] - 1, len(data))
    if len(bounds) <= n:
        return data, bounds[:1], ends[-1:]
    return data, bounds[: len(bounds) - n + 1], ends[n - 1 :]


def shingles(text: str, language: str, n: int = SHINGLE_SIZE) -> list[bytes]:
    """The distinct shingles of ``text`` (UTF-8), in order of first occurrence.

    Word ``n``-grams of the normalised text; character ``n``-grams (whitespace removed) for
    zh/ja/th/lo/km/my or text whose letters are mostly CJK/Thai/Lao/Khmer/Myanmar. A text
    shorter than ``n`` tokens gives one shingle of all its tokens; an empty text gives none.
    """
    data, starts, ends = _shingle_spans(text, language, n)
    spans = zip(starts.tolist(), ends.tolist(), strict=True)
    return list(dict.fromkeys([data[s:e] for s, e in spans]))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (wrapping uint32 arithmetic), as datasketch applies it."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser on uint64 arrays (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(_FMIX64_M1)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(_FMIX64_M2)
    return x ^ (x >> np.uint64(33))


def shingle_hash32(data: bytes) -> int:
    """The 32-bit hash of one shingle: ``fmix64(sum((byte_j + 1) * P**j) mod 2**64) >> 32``.

    Pass it as ``hashfunc`` to ``datasketch.MinHash`` to get :class:`MinHasher`'s signatures.
    """
    return int(MinHasher(num_perm=1).hashes([data])[0])


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations (a, b): the same draws as datasketch's affine32 scheme."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + 1
    return _frozen(a.astype(np.uint32), gen.randint(0, 1 << 32, num_perm, dtype=np.uint32))


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**j`` and ``P**-j`` mod 2**64 for ``j < size`` (cumprod wraps modulo 2**64)."""
    up, down = np.full(size, _POLY, dtype=np.uint64), np.full(size, _POLY_INVERSE, dtype=np.uint64)
    up[0] = down[0] = 1
    return _frozen(np.cumprod(up), np.cumprod(down))


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for array in arrays:
        array.setflags(write=False)  # shared tables: read-only
    return arrays


@lru_cache(maxsize=1)
def _block_powers() -> tuple[np.ndarray, np.ndarray]:
    return _powers(_SPAN_BLOCK)


class MinHasher:
    """Computes MinHash signatures; its tables are shared, built on first use, never pickled."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be positive, got {num_perm!r}")
        self.num_perm = num_perm
        self.seed = seed

    def _span_hashes(self, data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """:func:`shingle_hash32` of ``data[s:e]`` for every span, vectorised through prefix sums
        of ``(byte + 1) * P**j``, in blocks of at most ``_SPAN_BLOCK`` bytes where possible."""
        out = np.empty(len(starts), dtype=np.uint32)
        first = 0
        while first < len(starts):
            last = max(first + 1, int(np.searchsorted(ends, starts[first] + _SPAN_BLOCK, "right")))
            base, top = int(starts[first]), int(ends[last - 1])
            up, down = _block_powers() if top - base <= _SPAN_BLOCK else _powers(top - base)
            prefix = np.zeros(top - base + 1, dtype=np.uint64)
            np.cumsum((data[base:top] + np.uint64(1)) * up[: top - base], out=prefix[1:])
            lo, hi = starts[first:last] - base, ends[first:last] - base
            out[first:last] = _fmix64((prefix[hi] - prefix[lo]) * down[lo]) >> np.uint64(32)
            first = last
        return out

    def hashes(self, shingles: list[bytes]) -> np.ndarray:
        """:func:`shingle_hash32` of every shingle (uint32)."""
        lengths = np.fromiter(map(len, shingles), dtype=np.int64, count=len(shingles))
        ends = np.cumsum(lengths)
        data = np.frombuffer(b"".join(shingles), dtype=np.uint8)
        return self._span_hashes(data, ends - lengths, ends)

    def text_hashes(self, text: str, language: str, n: int = SHINGLE_SIZE) -> np.ndarray:
        """The hashes of ``shingles(text, language, n)`` without building the shingles (each
        shingle is hashed once per occurrence, which does not change a signature)."""
        data, starts, ends = _shingle_spans(text, language, n)
        return self._span_hashes(np.frombuffer(data, dtype=np.uint8), starts, ends)

    def signature_of_hashes(self, hashed: np.ndarray) -> np.ndarray:
        """uint32[num_perm]: ``min(a * fmix32(h) + b mod 2**32)`` per permutation."""
        a, b = _permutations(self.num_perm, self.seed)
        sig = np.full(self.num_perm, _MAX_HASH, dtype=np.uint32)
        for start in range(0, len(hashed), _HASH_CHUNK):
            mixed = _fmix32(hashed[start : start + _HASH_CHUNK])
            permuted = a[:, np.newaxis] * mixed  # (num_perm, n): row-wise min is contiguous
            permuted += b[:, np.newaxis]
            np.minimum(sig, permuted.min(axis=1), out=sig)
        return sig

    def signature(self, shingles: list[bytes]) -> np.ndarray:
        """uint32[num_perm]; all 0xFFFFFFFF for no shingles (as datasketch)."""
        return self.signature_of_hashes(self.hashes(shingles))

    def text_signature(self, text: str, language: str) -> np.ndarray:
        """``signature(shingles(text, language))``, about twice as fast."""
        return self.signature_of_hashes(self.text_hashes(text, language))


def signature_bytes(sig: np.ndarray) -> bytes:
    """The signature as little-endian uint32 values."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_from_bytes(b: bytes) -> np.ndarray:
    if len(b) % 4:
        raise ValueError(f"a signature is a multiple of 4 bytes, got {len(b)}")
    return np.frombuffer(b, dtype="<u4").astype(np.uint32)


def band_keys(sig: np.ndarray, params: LshParams) -> tuple[bytes, ...]:
    """One bucket key per band: the band index (1 byte) + 8-byte BLAKE2b of the band's values."""
    if params.bands > 256 or len(sig) < params.bands * params.rows:
        raise ValueError(f"signature of {len(sig)} values does not fit {params}")
    data = signature_bytes(sig)
    width = 4 * params.rows
    return tuple(
        bytes([i]) + hashlib.blake2b(data[i * width : (i + 1) * width], digest_size=8).digest()
        for i in range(params.bands)
    )


def estimate_jaccard(a: bytes, b: bytes) -> float:
    """The fraction of equal MinHash values of two serialised signatures."""
    if len(a) != len(b) or not a:
        raise ValueError(f"signatures must be non-empty and of equal size ({len(a)}, {len(b)})")
    sa, sb = signature_from_bytes(a), signature_from_bytes(b)
    return int(np.count_nonzero(sa == sb)) / len(sa)
