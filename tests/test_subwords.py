"""fastText's subword model (math/subwords.py): n-grams and ids against real fastText, the batched form against
the per-example spec."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.math import batched, core, subwords
from w2vcli.math.batched import make_block

WORDS = ["the", "where", "kings", "king", "café", "naïve", "a", "ab", "日本語", "walking"]


def test_ngrams_of_where_are_the_papers():
    """Bojanowski et al. (2017), section 3.2: "where" with n = 3 gives <wh, whe, her, ere, re>."""
    assert subwords.char_ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]


def test_ngrams_skip_lone_boundaries_and_count_characters_not_bytes():
    assert subwords.char_ngrams("é", 1, 2) == ["<é", "é", "é>"]
    assert subwords.char_ngrams("ab", 3, 6) == ["<ab", "<ab>", "ab>"]


def test_hash_is_fnv1a_with_fasttexts_signed_bytes():
    assert subwords.fnv1a_hash("") == 2166136261
    assert subwords.fnv1a_hash("a") == ((2166136261 ^ 0x61) * 16777619) % 2**32
    # é is C3 A9 in UTF-8: fastText xors 0xFFFFFFC3, not 0xC3
    first = ((2166136261 ^ 0xFFFFFFC3) * 16777619) % 2**32
    assert subwords.fnv1a_hash("é") == ((first ^ 0xFFFFFFA9) * 16777619) % 2**32


def test_ngram_ids_equal_real_fasttexts(tmp_path):
    fasttext = pytest.importorskip("fasttext")
    corpus = tmp_path / "c.txt"
    corpus.write_text(" ".join(WORDS * 3) + "\n", encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=4, epoch=1, minCount=1, bucket=997,
                                        minn=2, maxn=5, thread=1, verbose=0)
    n_words = len(model.words)
    for word in WORDS + ["kingdomz", "ñandú", "straße"]:
        _, ids = model.get_subwords(word)
        own = [model.get_word_id(word)] if model.get_word_id(word) >= 0 else []
        assert list(ids) == own + list(subwords.ngram_rows(word, 2, 5, 997, n_words)), word


def test_table_gathers_each_words_rows_in_order():
    table = subwords.subword_table(WORDS, 3, 6, 50)
    rows, counts = table.gather([2, 0, 2])
    expected = [table.rows_of(i) for i in (2, 0, 2)]
    np.testing.assert_array_equal(rows, np.concatenate(expected))
    np.testing.assert_array_equal(counts, [len(e) for e in expected])
    assert table.rows_of(4)[0] == 4 and np.all(table.rows_of(4)[1:] >= len(WORDS))


def test_word_vectors_are_means_of_rows():
    rng = np.random.default_rng(1)
    table = subwords.subword_table(WORDS, 3, 4, 20)
    Z = rng.normal(size=(len(WORDS) + 20, 3))
    expected = np.array([Z[table.rows_of(i)].mean(axis=0) for i in range(len(WORDS))])
    np.testing.assert_allclose(subwords.word_vectors(Z, table), expected, rtol=1e-12)


problem = st.tuples(st.integers(1, 5), st.integers(1, 30), st.integers(0, 2**32 - 1))


def _setup(d, buckets, seed, T, W):
    rng = np.random.default_rng(seed)
    V = len(WORDS)
    table = subwords.subword_table(WORDS, 2, 4, buckets)
    Z, U = rng.normal(size=(V + buckets, d)), rng.normal(size=(V, d))
    ids = rng.integers(V, size=T)
    block = make_block(ids, np.cumsum(rng.random(T) < 0.2), rng.integers(1, W + 1, size=T), W,
                       is_center=rng.random(T) < 0.9)
    return rng, table, Z, U, block


@settings(max_examples=60, deadline=None)
@given(problem, st.integers(1, 16), st.integers(1, 3), st.integers(1, 5), st.sampled_from(["skipgram", "cbow"]),
       st.sampled_from(["neg", "softmax"]))
def test_block_equals_per_example_subword_models(shape, T, W, K, model, loss_name):
    """With K' = K shared negatives and weight 1, a subword block is the sum over its centers of the spec."""
    d, buckets, seed = shape
    rng, table, Z, U, block = _setup(d, buckets, seed, T, W)
    negatives = rng.integers(len(WORDS), size=K)
    loss, grad_z, grad_u = subwords.subword_block_loss_and_gradient(Z, U, table, block, negatives, model=model,
                                                                    loss=loss_name, neg_weight=1.0)
    per_pair = (core.naive_softmax_loss_and_gradient if loss_name == "softmax" else
                lambda v, o, U_: core.neg_sampling_loss_and_gradient(v, o, U_, negatives))
    per_model = subwords.subword_skipgram if model == "skipgram" else subwords.subword_cbow
    ref_loss, ref_z, ref_u = 0.0, np.zeros_like(Z), np.zeros_like(U)
    centers, contexts = block.pairs()
    for t in np.unique(centers):
        l, g_z, g_u = per_model(block.ids[t], block.ids[contexts[centers == t]], Z, table, U, per_pair)
        ref_loss, ref_z, ref_u = ref_loss + l, ref_z + g_z, ref_u + g_u
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_z, ref_z, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grad_u, ref_u, rtol=1e-8, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(problem, st.integers(1, 16), st.integers(1, 3))
def test_full_spread_is_fasttexts_step(shape, T, W):
    """fastText adds the whole ∂J/∂v_t to each of t's rows: |S_t| times the gradient the spec gives them."""
    d, buckets, seed = shape
    rng, table, Z, U, block = _setup(d, buckets, seed, T, W)
    negatives = rng.integers(len(WORDS), size=3)
    _, step_z, step_u = subwords.subword_block_gradient(Z, U, table, block, negatives, full_spread=True).dense(Z, U)
    per_pair = lambda v, o, U_: core.neg_sampling_loss_and_gradient(v, o, U_, negatives)  # noqa: E731
    ref_z, ref_u = np.zeros_like(Z), np.zeros_like(U)
    centers, contexts = block.pairs()
    for t in np.unique(centers):
        _, g_z, g_u = subwords.subword_skipgram(block.ids[t], block.ids[contexts[centers == t]], Z, table, U,
                                                per_pair)
        ref_z, ref_u = ref_z + len(table.rows_of(block.ids[t])) * g_z, ref_u + g_u
    np.testing.assert_allclose(step_z, ref_z, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(step_u, ref_u, rtol=1e-8, atol=1e-10)


def test_every_row_is_listed_once_with_the_tokens_holding_it():
    """A block's center rows are distinct (the update needs no sort): its words' own rows, then its n-gram rows,
    and row_users counts the tokens behind each, for the trainer's damping."""
    _, table, Z, U, _ = _setup(3, 7, 2, 6, 2)
    ids = np.array([2, 0, 2, 2, 5, 0])
    block = make_block(ids, np.zeros(6), np.full(6, 2), 2)
    grad = subwords.subword_block_gradient(Z, U, table, block, np.array([1, 3]), full_spread=True)
    ngram_rows = np.unique(np.concatenate([table.rows_of(w)[1:] for w in (0, 2, 5)]))
    np.testing.assert_array_equal(grad.center_idxs, np.r_[[0, 2, 5], ngram_rows])
    tokens = {0: 2, 2: 3, 5: 1}
    ngram_users = [sum(tokens[w] * np.count_nonzero(table.rows_of(w)[1:] == r) for w in (0, 2, 5)) for r in ngram_rows]
    np.testing.assert_array_equal(grad.row_users, [2, 3, 1, *ngram_users])


def test_without_ngrams_a_subword_block_is_word2vecs():
    rng, _, _, U, block = _setup(3, 1, 7, 12, 2)
    table = subwords.subword_table(WORDS, 3, 2, 0)  # max_n < min_n: no n-grams, each word only its own row
    Z = rng.normal(size=(len(WORDS), 3))
    negatives = rng.integers(len(WORDS), size=4)
    got = subwords.subword_block_loss_and_gradient(Z, U, table, block, negatives)
    expected = batched.block_loss_and_gradient(Z, U, block, negatives)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)
