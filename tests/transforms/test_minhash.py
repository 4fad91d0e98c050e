"""Shingling, MinHash signatures (bit-compatible with datasketch) and LSH parameters."""

from __future__ import annotations

import pickle
import random
import time
from collections.abc import Callable

import numpy as np
import pytest
from datasketch import MinHash

from transforms.minhash import (
    LshParams,
    MinHasher,
    band_keys,
    detection_probability,
    estimate_jaccard,
    exact_key,
    lsh_params,
    normalise_for_dedup,
    shingle_hash32,
    shingles,
    signature_bytes,
    signature_from_bytes,
)


def random_text(seed: int, n_words: int = 300, vocab: int = 5000) -> str:
    rng = random.Random(seed)
    return " ".join(f"word{rng.randrange(vocab)}" for _ in range(n_words))


def reference_hash32(data: bytes) -> int:
    """The shingle hash written out one byte at a time (fmix64 of a polynomial mod 2**64)."""
    mask, x, power = (1 << 64) - 1, 0, 1
    for byte in data:
        x = (x + (byte + 1) * power) & mask
        power = (power * 0x9E3779B97F4A7C15) & mask
    for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        x ^= x >> 33
        x = (x * multiplier) & mask
    return (x ^ (x >> 33)) >> 32


def datasketch_signature(items: list[bytes], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=reference_hash32)
    m.update_batch(items)
    return m.hashvalues


@pytest.mark.parametrize(
    ("threshold", "bands", "rows"),
    [
        (0.5, 22, 3),
        (0.6, 20, 4),
        (0.7, 20, 6),
        (0.75, 17, 7),
        (0.8, 13, 8),
        (0.85, 11, 11),
        (0.9, 7, 16),
    ],
)
def test_lsh_params_values(threshold, bands, rows):
    params = lsh_params(threshold)
    assert params == LshParams(threshold=threshold, num_perm=128, bands=bands, rows=rows)
    assert params.bands * params.rows <= params.num_perm
    assert detection_probability(threshold + 0.05, params) >= 0.98


def test_lsh_params_depend_on_num_perm():
    small, large = lsh_params(0.8, num_perm=64), lsh_params(0.8, num_perm=256)
    assert small.bands * small.rows <= 64 and large.bands * large.rows <= 256
    assert detection_probability(0.85, small) >= 0.98 and detection_probability(0.85, large) >= 0.98
    # more permutations buy a steeper curve: fewer candidates below the threshold
    assert detection_probability(0.6, large) < detection_probability(0.6, small)
    with pytest.raises(ValueError, match="num_perm"):
        lsh_params(0.8, num_perm=1)


@pytest.mark.parametrize("threshold", [1.5, 0, -1, 1.0])
def test_lsh_params_rejects_out_of_range(threshold):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        lsh_params(threshold)


def test_detection_probability():
    params = LshParams(threshold=0.8, num_perm=128, bands=13, rows=8)
    assert detection_probability(0.0, params) == 0.0
    assert detection_probability(1.0, params) == 1.0
    assert detection_probability(0.8, params) == pytest.approx(1 - (1 - 0.8**8) ** 13)


def test_normalise_and_exact_key():
    assert normalise_for_dedup("  Ｈｅｌｌｏ,\tWORLD!!  Straße\n") == "hello world strasse"
    assert exact_key("Hello, world!") == exact_key("hello   WORLD")
    assert exact_key("Hello, world!") != exact_key("Hello, word!")
    assert len(exact_key("x")) == 16


def test_shingles_english_words():
    assert shingles("The quick, brown fox jumps over the lazy dog.", "en", n=5) == [
        b"the quick brown fox jumps",
        b"quick brown fox jumps over",
        b"brown fox jumps over the",
        b"fox jumps over the lazy",
        b"jumps over the lazy dog",
    ]
    # distinct shingles only, punctuation and case ignored
    assert shingles("a b a b a b", "en", n=2) == [b"a b", b"b a"]


def test_shingles_chinese_characters():
    expected = [g.encode() for g in ("我们今天去", "们今天去公", "今天去公园")]
    assert shingles("我们今天 去公园", "zh") == expected
    assert shingles("我们今天去公园。", "zh-Hant") == expected
    # untagged (or mistagged) text written mostly in CJK also gets character shingles
    assert shingles("我们今天去公园", "en") == expected


def test_shingles_thai_and_japanese():
    assert shingles("สวัสดีครับ", "th", n=5)[0] == "สวัสด".encode()
    assert shingles("これは日本語です", "ja", n=5)[0] == "これは日本".encode()


def test_shingles_short_and_empty():
    assert shingles("Hello, world", "en") == [b"hello world"]
    assert shingles("你好", "zh") == ["你好".encode()]
    assert shingles("", "en") == []
    assert shingles(" ... !! ", "en") == []


TEXTS = [
    (random_text(1), "en"),
    ("Le chat est sur le tapis, et le chien dort près de la porte.", "fr"),
    ("我们今天去公园散步，天气非常好。" * 5, "zh"),
    ("これは日本語の文章です。東京は大きな都市です。", "ja"),
    ("สวัสดีครับ วันนี้อากาศดีมาก", "th"),
    ("short", "en"),
    ("我们", "zh"),
    (random_text(2, n_words=6000, vocab=50000), "en"),  # more than one hashing block
    ("x" * 70_000 + " a b c d e f", "en"),  # one shingle longer than a hashing block
]


def test_shingle_hash_reference():
    assert shingle_hash32(b"") != shingle_hash32(b"\x00")  # every byte counts, zero included
    assert shingle_hash32(b"ab") != shingle_hash32(b"ba")
    items = [b"", b"a", b"hello world", "我们今天去公园".encode(), bytes(range(256)) * 3]
    expected = np.array([reference_hash32(item) for item in items], dtype=np.uint32)
    np.testing.assert_array_equal(MinHasher().hashes(items), expected)
    assert [shingle_hash32(item) for item in items] == expected.tolist()


@pytest.mark.parametrize(("text", "language"), TEXTS)
def test_signature_matches_datasketch(text, language):
    items = shingles(text, language)
    sig = MinHasher(num_perm=128, seed=1).signature(items)
    assert sig.dtype == np.uint32
    np.testing.assert_array_equal(sig, datasketch_signature(items))


@pytest.mark.parametrize(("text", "language"), TEXTS)
def test_text_path_hashes_the_same_shingles(text, language):
    hasher = MinHasher()
    items = shingles(text, language)
    assert set(hasher.text_hashes(text, language).tolist()) == set(hasher.hashes(items).tolist())
    np.testing.assert_array_equal(hasher.text_signature(text, language), hasher.signature(items))


def test_signature_other_seed_and_size_and_empty():
    items = shingles(random_text(3), "en")
    np.testing.assert_array_equal(
        MinHasher(num_perm=64, seed=7).signature(items), datasketch_signature(items, 64, 7)
    )
    np.testing.assert_array_equal(MinHasher().signature([]), datasketch_signature([]))
    np.testing.assert_array_equal(
        MinHasher().text_signature(" ... ", "en"), datasketch_signature([])
    )


def test_minhasher_is_small_and_picklable():
    hasher = MinHasher()
    items = shingles(random_text(4), "en")
    before = pickle.loads(pickle.dumps(hasher)).signature(items)
    used = hasher.signature(items)
    assert len(pickle.dumps(hasher)) < 200  # the shared tables are not pickled
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(hasher)).signature(items), used)
    np.testing.assert_array_equal(before, used)


def test_signature_bytes_round_trip_and_band_keys():
    sig = MinHasher().signature(shingles(random_text(5), "en"))
    data = signature_bytes(sig)
    assert len(data) == 4 * 128
    np.testing.assert_array_equal(signature_from_bytes(data), sig)
    params = lsh_params(0.8)
    keys = band_keys(sig, params)
    assert len(keys) == params.bands
    assert all(len(k) == 9 and k[0] == i for i, k in enumerate(keys))
    other = sig.copy()
    other[0] += 1  # only the first band changes
    assert band_keys(other, params)[1:] == keys[1:]
    assert band_keys(other, params)[0] != keys[0]


def test_estimate_jaccard():
    hasher = MinHasher()
    base = random_text(6).split()
    near = list(base)
    near[100] = "changed"  # changes 5 of ~296 shingles: J ~ 0.97
    a, b, c = (
        signature_bytes(hasher.signature(shingles(" ".join(words), "en")))
        for words in (base, near, random_text(7).split())
    )
    assert estimate_jaccard(a, a) == 1.0
    assert estimate_jaccard(a, b) >= 0.9
    assert estimate_jaccard(a, c) <= 0.05
    with pytest.raises(ValueError):
        estimate_jaccard(a, a[:-4])


def test_estimates_are_unbiased():
    """Over many random pairs, the estimate's error averages out and has MinHash's spread."""
    hasher = MinHasher()
    errors = []
    for seed in range(200):
        a = set(shingles(random_text(seed, n_words=300, vocab=400), "en"))
        b = set(shingles(random_text(seed + 1000, n_words=300, vocab=400), "en")) | set(
            list(a)[: 150 + seed % 100]
        )
        exact = len(a & b) / len(a | b)
        estimate = estimate_jaccard(
            signature_bytes(hasher.signature(sorted(a))),
            signature_bytes(hasher.signature(sorted(b))),
        )
        errors.append(estimate - exact)
    assert abs(np.mean(errors)) < 0.01
    assert np.std(errors) < 0.06  # sqrt(J(1-J)/128) <= 0.044


@pytest.mark.slow
def test_signature_speed():
    """>= 1,000 docs per CPU-second on one core for 800-word documents, shingling included, with
    ``text_signature``; ``signature(shingles(...))`` is reported (`make bench`)."""
    texts = [random_text(i, n_words=800, vocab=20000) for i in range(300)]
    hasher = MinHasher()

    def rate(signature: Callable[[str], np.ndarray]) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for text in texts:
                signature(text)
            best = min(best, time.process_time() - start)
        return len(texts) / best

    text_path = rate(lambda text: hasher.text_signature(text, "en"))
    shingle_path = rate(lambda text: hasher.signature(shingles(text, "en")))
    print(f"signature: text_signature {text_path:.0f}, shingles + signature {shingle_path:.0f}")
    assert text_path >= 1000
