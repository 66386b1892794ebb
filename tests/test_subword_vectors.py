"""SubwordVectors: the usual queries, and unknown words answered from their n-grams (never as answers)."""

import numpy as np
import pytest

from w2vcli.errors import UnknownWordError
from w2vcli.math import subwords
from w2vcli.vectors.subword_vectors import SubwordVectors

WORDS = ["king", "kings", "queen", "walk", "walking", "talk"]
BUCKETS = 40


@pytest.fixture
def vectors():
    Z = np.random.default_rng(3).normal(size=(len(WORDS) + BUCKETS, 8)).astype(np.float32)
    return SubwordVectors(WORDS, Z, min_n=3, max_n=5, buckets=BUCKETS)


def test_vocabulary_words_have_their_composed_vectors(vectors):
    table = subwords.subword_table(WORDS, 3, 5, BUCKETS)
    np.testing.assert_allclose(vectors.vector("walk"), vectors.input_matrix[table.rows_of(3)].mean(axis=0),
                               rtol=1e-6)
    assert not vectors.from_subwords("walk") and vectors.from_subwords("walks")


def test_an_unknown_word_is_the_mean_of_its_ngram_rows(vectors):
    rows = subwords.ngram_rows("walks", 3, 5, BUCKETS, len(WORDS))
    np.testing.assert_allclose(vectors.vector("walks"), vectors.input_matrix[rows].mean(axis=0), rtol=1e-6)


def test_queries_answer_unknown_words_without_excluding_any_answer(vectors):
    unit = vectors.vector("walks") / np.linalg.norm(vectors.vector("walks"))
    expected = sorted(((float(unit @ v / np.linalg.norm(v)), w) for w, v in zip(WORDS, vectors.vectors)),
                      reverse=True)
    assert [w for w, _ in vectors.nearest("walks", 6)] == [w for _, w in expected]
    assert vectors.similarity("walks", "walk") == pytest.approx(expected[[w for _, w in expected].index("walk")][0],
                                                                rel=1e-5)
    assert len(vectors.analogy("walk", "walks", "kingz", 3)) == 3
    assert "walk" not in [w for w, _ in vectors.nearest("walk + walks", 6)]


def test_a_word_with_no_ngrams_is_still_unknown(vectors):
    short = SubwordVectors(WORDS, vectors.input_matrix, min_n=7, max_n=8, buckets=BUCKETS)
    with pytest.raises(UnknownWordError, match="no character n-grams of length 7-8"):
        short.nearest("ab")


def test_with_words_adds_the_missing_words_of_a_file(vectors):
    extended = vectors.with_words(["KING", "walks", "talked", "walks"], restrict_vocab=4, fold=str.upper)
    assert extended.words == ["king", "kings", "queen", "walk", "walks", "talked"]
    np.testing.assert_allclose(extended.vectors[5], vectors.vector("talked"))
