import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.errors import CorpusError
from w2vcli.data.sampling import NoiseSampler, cs224n_keep_probabilities, keep_probabilities, noise_distribution
from w2vcli.data.vocab import Vocab


def test_vocab_orders_by_count_then_word_and_applies_limits():
    vocab = Vocab.from_counts(["b", "a", "c", "d", "e"], [3, 3, 5, 1, 2], min_count=2)
    assert vocab.words == ["c", "a", "b", "e"] and vocab.counts.tolist() == [5, 3, 3, 2]
    assert Vocab.from_counts(["b", "a", "c"], [3, 3, 5], max_vocab=2).words == ["c", "a"]
    np.testing.assert_array_equal(vocab.remap(["a", "d", "e"]), [1, -1, 3])
    np.testing.assert_array_equal(vocab.encode(["e", "zzz", "c"]), [3, 0])


def test_vocab_needs_two_words():
    with pytest.raises(CorpusError, match="only 1 distinct word"):
        Vocab.from_counts(["a", "b"], [9, 1], min_count=5)


def test_word2vec_keep_rule():
    counts = np.array([1000, 10, 1])
    t = 1e-2
    f = counts / counts.sum()
    np.testing.assert_allclose(keep_probabilities(counts, t), np.minimum(1, (np.sqrt(f / t) + 1) * t / f), rtol=1e-6)
    assert keep_probabilities(counts, 0).tolist() == [1, 1, 1]


def test_cs224n_keep_rule():
    counts = np.array([100000, 10])
    N = counts.sum()
    expected = 1 - np.maximum(0, 1 - np.sqrt(1e-5 * N / counts))
    np.testing.assert_allclose(cs224n_keep_probabilities(counts), expected, rtol=1e-6)


# Distributions over 1..30 words with weights 1..1000: the alias sampler draws each word at its probability.
@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=1, max_size=30), st.integers(0, 2**31))
def test_alias_sampler_matches_the_distribution(counts, seed):
    probs = noise_distribution(counts, 0.75)
    np.testing.assert_allclose(probs, np.array(counts, float) ** 0.75 / np.sum(np.array(counts, float) ** 0.75))
    sampler = NoiseSampler(probs)
    # exactness of the tables: each word's total mass over the V columns equals its probability
    V = len(probs)
    mass = np.bincount(np.arange(V), weights=sampler.threshold, minlength=V) / V
    mass += np.bincount(sampler.alias, weights=1 - sampler.threshold, minlength=V) / V
    np.testing.assert_allclose(mass, probs, atol=1e-12)
    draws = sampler.draw(np.random.default_rng(seed), 20000)
    assert draws.min() >= 0 and draws.max() < V
    np.testing.assert_allclose(np.bincount(draws, minlength=V) / 20000, probs, atol=0.02)
