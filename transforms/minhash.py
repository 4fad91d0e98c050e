"""Shingling, MinHash signatures and LSH band keys for near-duplicate detection (pure functions).

A document becomes a set of shingles (word 5-grams, or character 5-grams for scripts written
without spaces), the set becomes a MinHash signature of ``num_perm`` uint32 values, and the
signature is cut into ``bands`` bands of ``rows`` values; each band hashes to one bucket key.
Two documents with Jaccard similarity ``s`` share at least one bucket with probability
``1 - (1 - s**rows)**bands`` (:func:`detection_probability`).

Signatures are bit-compatible with ``datasketch.MinHash(num_perm, seed)`` (datasketch >= 2.0,
default ``"affine32"`` scheme): SHA-1 of each shingle (first 4 bytes, little-endian), the 32-bit
MurmurHash3 finaliser, then ``a * h + b mod 2**32`` per permutation.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_MAX_HASH = np.uint32(0xFFFFFFFF)
_HASH_CHUNK = 4096  # shingles hashed per numpy block: bounds memory at 4096 * num_perm * 4 bytes
_FP_WEIGHT, _FN_WEIGHT = 0.3, 0.7  # false negatives cost more: candidates are confirmed later
_RECALL_TARGET, _RECALL_MARGIN = 0.98, 0.05

# Languages written without spaces between words get character shingles.
_CHAR_SHINGLE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my"})
_NO_SPACE_SCRIPT_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)


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
    best: tuple[float, int, int] | None = None
    fallback: tuple[float, int, int] | None = None
    for bands in range(1, min(num_perm, 256) + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = _area(1.0 - (1.0 - below**rows) ** bands, below)
            fn = _area((1.0 - above**rows) ** bands, above)
            candidate = (_FP_WEIGHT * fp + _FN_WEIGHT * fn, bands, rows)
            if fallback is None or candidate[0] < fallback[0]:
                fallback = candidate
            recall = 1.0 - (1.0 - recall_at**rows) ** bands
            if recall >= _RECALL_TARGET and (best is None or candidate[0] < best[0]):
                best = candidate
    _, bands, rows = best if best is not None else fallback
    return LshParams(threshold=threshold, num_perm=num_perm, bands=bands, rows=rows)


@lru_cache(maxsize=1)
def _punctuation_to_space() -> dict[int, str]:
    """A ``str.translate`` table mapping all Unicode punctuation (categories P*) to a space.

    Built on first use (~0.3 s per process), not at import.
    """
    return {c: " " for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] == "P"}


def normalise_for_dedup(text: str) -> str:
    """NFKC, casefold, punctuation replaced by spaces, whitespace collapsed to single spaces."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is much faster than normalize
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    return " ".join(text.translate(_punctuation_to_space()).split())


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
    return letters > 0 and 2 * len(_NO_SPACE_SCRIPT_RE.findall(normalised)) > letters


def shingles(text: str, language: str, n: int = 5) -> list[bytes]:
    """The distinct shingles of ``text`` (UTF-8), in order of first occurrence.

    Word ``n``-grams of the normalised text; character ``n``-grams (whitespace removed) for
    zh/ja/th/lo/km/my or text whose characters are mostly CJK/Thai/Lao/Khmer/Myanmar. A text
    shorter than ``n`` tokens gives one shingle of all its tokens; an empty text gives none.
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n!r}")
    normalised = normalise_for_dedup(text)
    if not normalised:
        return []
    if _uses_char_shingles(normalised, language):
        chars = normalised.replace(" ", "")
        if len(chars) <= n:
            return [chars.encode("utf-8", "surrogatepass")]
        char_grams = dict.fromkeys([chars[i : i + n] for i in range(len(chars) - n + 1)])
        return [g.encode("utf-8", "surrogatepass") for g in char_grams]
    words = normalised.encode("utf-8", "surrogatepass").split(b" ")
    if len(words) <= n:
        return [b" ".join(words)]
    windows = zip(*(words[i:] for i in range(n)), strict=False)  # n consecutive words
    return list(dict.fromkeys(map(b" ".join, windows)))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (wrapping uint32 arithmetic), as datasketch applies it."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


class MinHasher:
    """Computes MinHash signatures; picklable, permutations are built on first use."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be positive, got {num_perm!r}")
        self.num_perm = num_perm
        self.seed = seed
        self._perms: tuple[np.ndarray, np.ndarray] | None = None

    def __getstate__(self) -> dict:
        return {"num_perm": self.num_perm, "seed": self.seed, "_perms": None}

    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        if self._perms is None:  # the same draws as datasketch's affine32 scheme
            gen = np.random.RandomState(self.seed)
            a = gen.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + 1
            b = gen.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
            self._perms = (a.astype(np.uint32), b)
        return self._perms

    def signature(self, shingles: list[bytes]) -> np.ndarray:
        """uint32[num_perm]; all 0xFFFFFFFF for no shingles (as datasketch)."""
        a, b = self._permutations()
        sig = np.full(self.num_perm, _MAX_HASH, dtype=np.uint32)
        sha1 = hashlib.sha1
        for start in range(0, len(shingles), _HASH_CHUNK):
            chunk = shingles[start : start + _HASH_CHUNK]
            digests = b"".join([sha1(s).digest()[:4] for s in chunk])
            hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
            permuted = a[:, np.newaxis] * hashed  # (num_perm, n): row-wise min is contiguous
            permuted += b[:, np.newaxis]
            np.minimum(sig, permuted.min(axis=1), out=sig)
        return sig


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
