"""The vectorised n-gram table (math/ngrams.py) equals the per-word spec (math/subwords.py) it speeds up."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.math import ngrams, subwords
from w2vcli.math.ngrams import ngram_hashes, ngram_table_rows

ALPHABET = st.sampled_from(list("abcxyz<>_-'é中ßœ🙂") + ["\u0301"])  # 1- to 4-byte characters, a combining mark
WORDS = st.lists(st.text(ALPHABET, min_size=1, max_size=9), min_size=1, max_size=12, unique=True)


def spec_hashes(words, min_n, max_n):
    per_word = [[subwords.fnv1a_hash(g) for g in subwords.char_ngrams(w, min_n, max_n)] if w != subwords.EOS
                else [] for w in words]
    return [h for hs in per_word for h in hs], [len(hs) for hs in per_word]


@settings(max_examples=150, deadline=None)
@given(WORDS, st.integers(1, 4), st.integers(0, 4))
def test_every_hash_and_its_order_equal_the_per_word_spec(words, min_n, extra):
    hashes, counts = ngram_hashes(words, min_n, min_n + extra)
    expected, expected_counts = spec_hashes(words, min_n, min_n + extra)
    assert hashes.tolist() == expected and counts.tolist() == expected_counts


@settings(max_examples=60, deadline=None)
@given(WORDS, st.integers(1, 50))
def test_the_table_equals_subword_table_built_word_by_word(words, buckets):
    words = words + [subwords.EOS]
    starts, rows = ngram_table_rows(words, 3, 6, buckets)
    for i, word in enumerate(words):
        expected = np.r_[i, subwords.ngram_rows(word, 3, 6, buckets, len(words))]
        np.testing.assert_array_equal(rows[starts[i]:starts[i + 1]], expected)


def test_slices_join_seamlessly(monkeypatch):
    words = [f"w{i}ört" for i in range(200)]
    whole = ngram_hashes(words, 3, 6)
    monkeypatch.setattr(ngrams, "SLICE_CHARS", 25)  # a few words per slice
    sliced = ngram_hashes(words, 3, 6)
    np.testing.assert_array_equal(whole[0], sliced[0])
    np.testing.assert_array_equal(whole[1], sliced[1])


def test_known_fasttext_ids():
    """Hand-checked: the hash of "<a>" by the FNV-1a recurrence, and no n-grams for an empty range."""
    h = 2166136261
    for byte in b"<a>":
        h = ((h ^ byte) * 16777619) % 2**32
    assert ngram_hashes(["a"], 3, 3)[0].tolist() == [h]
    assert ngram_table_rows(["a", "b"], 4, 3, 10)[1].tolist() == [0, 1]
