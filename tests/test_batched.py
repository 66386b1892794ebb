"""The hot path equals the spec: batched forms against sums of core.py's per-example functions."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.math import batched, core, pairs, scatter
from w2vcli.math.batched import make_block

# Shapes covered: V 2..12 words, d 1..6, B 1..8 pairs, K 1..6 negatives, blocks of 1..20 tokens, window 1..4.
problem = st.tuples(st.integers(2, 12), st.integers(1, 6), st.integers(0, 2**32 - 1))


def _vectors(V, d, seed):
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(V, d)), rng.normal(size=(V, d))


@settings(max_examples=60, deadline=None)
@given(problem, st.integers(1, 8), st.integers(1, 6))
def test_pairs_neg_sampling_equals_sum_of_per_example(shape, B, K):
    (V, d, seed) = shape
    rng, center_vectors, outside_vectors = _vectors(V, d, seed)
    centers, outsides = rng.integers(V, size=B), rng.integers(V, size=B)
    negatives = rng.integers(V, size=(B, K))  # may repeat and may equal the outside word
    loss, grad_c, grad_o = pairs.pairs_neg_sampling_loss_and_gradient(center_vectors, outside_vectors, centers,
                                                                        outsides, negatives)
    ref_loss, ref_c, ref_o = 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    for c, o, neg in zip(centers, outsides, negatives):
        pair_loss, g_c, g_o = core.neg_sampling_loss_and_gradient(center_vectors[c], o, outside_vectors, neg)
        ref_loss += pair_loss
        ref_c[c] += g_c
        ref_o += g_o
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    np.testing.assert_allclose(grad_c, ref_c, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_o, ref_o, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(problem, st.integers(1, 8))
def test_pairs_naive_softmax_equals_sum_of_per_example(shape, B):
    (V, d, seed) = shape
    rng, center_vectors, outside_vectors = _vectors(V, d, seed)
    centers, outsides = rng.integers(V, size=B), rng.integers(V, size=B)
    loss, grad_c, grad_o = pairs.pairs_naive_softmax_loss_and_gradient(center_vectors, outside_vectors, centers,
                                                                         outsides)
    ref_loss, ref_c, ref_o = 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    for c, o in zip(centers, outsides):
        pair_loss, g_c, g_o = core.naive_softmax_loss_and_gradient(center_vectors[c], o, outside_vectors)
        ref_loss += pair_loss
        ref_c[c] += g_c
        ref_o += g_o
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    np.testing.assert_allclose(grad_c, ref_c, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_o, ref_o, rtol=1e-9, atol=1e-12)


def _random_block(rng, V, T, W):
    ids = rng.integers(V, size=T)
    sentence_ids = np.cumsum(rng.random(T) < 0.2)  # a few sentence breaks
    return make_block(ids, sentence_ids, rng.integers(1, W + 1, size=T), W, is_center=rng.random(T) < 0.9)


def _per_center_contexts(block):
    centers, contexts = block.pairs()
    return {t: block.ids[contexts[centers == t]] for t in np.unique(centers)}


@settings(max_examples=80, deadline=None)
@given(problem, st.integers(1, 20), st.integers(1, 4), st.integers(1, 6), st.sampled_from(["skipgram", "cbow"]),
       st.sampled_from(["neg", "softmax"]))
def test_block_objective_equals_per_example_models(shape, T, W, K, model, loss_name):
    """With K' = K shared negatives and weight 1, a block is the sum over its centers of core.skipgram / core.cbow,
    each pair using the shared negatives."""
    (V, d, seed) = shape
    rng, center_vectors, outside_vectors = _vectors(V, d, seed)
    block = _random_block(rng, V, T, W)
    negatives = rng.integers(V, size=K)
    loss, grad_c, grad_o = batched.block_loss_and_gradient(center_vectors, outside_vectors, block, negatives,
                                                           model=model, loss=loss_name, neg_weight=1.0)
    per_pair = (core.naive_softmax_loss_and_gradient if loss_name == "softmax" else
                lambda v, o, U: core.neg_sampling_loss_and_gradient(v, o, U, negatives))
    per_model = core.skipgram if model == "skipgram" else core.cbow
    ref_loss, ref_c, ref_o = 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    for t, context_ids in _per_center_contexts(block).items():
        l, g_c, g_o = per_model(block.ids[t], context_ids, center_vectors, outside_vectors, per_pair)
        ref_loss, ref_c, ref_o = ref_loss + l, ref_c + g_c, ref_o + g_o
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_c, ref_c, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grad_o, ref_o, rtol=1e-8, atol=1e-10)


def test_shared_negative_weight_scales_only_the_negative_terms():
    rng, center_vectors, outside_vectors = _vectors(7, 3, 5)
    block = _random_block(rng, 7, 15, 3)
    negatives = rng.integers(7, size=4)
    base = batched.block_gradient(center_vectors, outside_vectors, block, negatives, neg_weight=1.0)
    negative_part = -np.sum(block.contexts_per_center()[:, None]
                            * core.log_sigmoid(-(center_vectors[block.ids] @ outside_vectors[negatives].T)))
    no_negatives_loss = base.loss - negative_part
    half = batched.block_gradient(center_vectors, outside_vectors, block, negatives, neg_weight=0.5)
    np.testing.assert_allclose(half.loss, no_negatives_loss + 0.5 * (base.loss - no_negatives_loss), rtol=1e-10)
    np.testing.assert_allclose(half.grad_outside_rows[len(block.ids):], 0.5 * base.grad_outside_rows[len(block.ids):],
                               rtol=1e-10)


def test_make_block_follows_sentences_and_reduced_windows():
    ids = np.arange(6)
    block = make_block(ids, sentence_ids=[0, 0, 0, 1, 1, 1], reduced_windows=[2, 1, 2, 2, 1, 1], window=2)
    pairs = sorted(zip(*map(list, block.pairs())))
    # token 0 reaches 1 and 2; token 1 reaches 0 and 2; token 2 reaches 1, 0 (not 3: next sentence); ...
    assert pairs == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (3, 4), (3, 5), (4, 3), (4, 5), (5, 4)]
    np.testing.assert_array_equal(block.contexts_per_center(), [2, 2, 2, 2, 2, 1])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_make_block_masks_follow_their_definition(T, W, seed):
    rng = np.random.default_rng(seed)
    sentence_ids, reach = np.cumsum(rng.random(T) < 0.2), rng.integers(1, W + 1, size=T)
    is_center = rng.random(T) < 0.8
    block = make_block(rng.integers(9, size=T), sentence_ids, reach, W, is_center)
    expected = [[float(0 <= t + s < T and sentence_ids[min(max(t + s, 0), T - 1)] == sentence_ids[t]
                       and abs(s) <= reach[t] and is_center[t]) for t in range(T)] for s in batched.offsets(W)]
    np.testing.assert_array_equal(block.masks, np.array(expected, dtype=np.float32).reshape(2 * W, T))


def test_scatter_add_sums_repeated_rows():
    matrix = np.zeros((4, 3), dtype=np.float32)
    scatter.scatter_add(matrix, np.array([1, 3, 1]), np.ones((3, 3), dtype=np.float32))
    np.testing.assert_array_equal(matrix, [[0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_scatter_add_equals_add_at_whatever_the_repeats(R, d, seed):
    rng = np.random.default_rng(seed)
    rows, updates = rng.integers(0, 5, size=R), rng.normal(size=(R, d)).astype(np.float32)
    matrix = rng.normal(size=(5, d)).astype(np.float32)
    expected = matrix.copy()
    np.add.at(expected, rows, updates)
    scatter.scatter_add(matrix, rows, updates)
    np.testing.assert_allclose(matrix, expected, rtol=1e-5, atol=1e-5)


def test_scatter_add_caps_the_share_of_rows_repeated_beyond_max_repeats():
    matrix = np.zeros((3, 1), dtype=np.float32)
    rows = np.array([0, 2, 0, 0, 0, 1, 1])  # row 0 four times, row 1 twice, row 2 once
    scatter.scatter_add(matrix, rows, np.arange(1, 8, dtype=np.float32)[:, None], max_repeats=2)
    np.testing.assert_allclose(matrix[:, 0], [(1 + 3 + 4 + 5) * 2 / 4, 6 + 7, 2])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20), st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_window_views_pair_tokens_as_neighbour_gathers_do(T, W, d, seed):
    """Skip-gram's window views give the same two products as the (2W, T, d) neighbour gathers CBOW uses."""
    rng = np.random.default_rng(seed)
    weights, rows = rng.normal(size=(2 * W, T)).astype(np.float32), rng.normal(size=(T, d)).astype(np.float32)
    reach = np.arange(T)[None, :] + batched.offsets(W)[:, None]  # (2W, T) the partner of each pair
    weights[(reach < 0) | (reach >= T)] = 0  # as a block's masks are: no pair reaches past the block
    windows = batched.window_view(batched.padded_rows(rows, W), W)  # (T, 2W+1, d)
    per_token = batched.window_masks(weights)  # (T, 2W+1)
    gathered = np.matmul(per_token[:, None, :], windows)[:, 0]
    sent = np.matmul(batched.received_weights(per_token, W)[:, None, :], windows)[:, 0]
    expected_gathered = batched.sum_over_neighbours(weights, batched.gather_neighbours(rows, W))
    np.testing.assert_allclose(gathered, expected_gathered, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sent, batched.send_to_neighbours(weights, rows), rtol=1e-4, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(problem, st.integers(2, 16), st.integers(1, 3))
def test_cbow_full_spread_is_word2vecs_step(shape, T, W):
    """word2vec and gensim (cbow_mean=1) give every context word the whole ∂J/∂v̂: n_t times core.cbow's gradient."""
    (V, d, seed) = shape
    rng, center_vectors, outside_vectors = _vectors(V, d, seed)
    block = _random_block(rng, V, T, W)
    negatives = rng.integers(V, size=3)
    _, step_c, step_o = batched.block_gradient(center_vectors, outside_vectors, block, negatives, model="cbow",
                                                neg_weight=1.0, full_spread=True).dense(center_vectors,
                                                                                        outside_vectors)
    per_pair = lambda v, o, U: core.neg_sampling_loss_and_gradient(v, o, U, negatives)  # noqa: E731
    ref_c, ref_o = np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    for t, context_ids in _per_center_contexts(block).items():
        _, g_c, g_o = core.cbow(block.ids[t], context_ids, center_vectors, outside_vectors, per_pair)
        ref_c, ref_o = ref_c + len(context_ids) * g_c, ref_o + g_o
    np.testing.assert_allclose(step_c, ref_c, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(step_o, ref_o, rtol=1e-8, atol=1e-10)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 60), st.integers(1, 5), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_scatter_add_with_cap_and_scale_equals_its_definition(R, d, cap, seed):
    """Each row's summed update, times min(1, cap/c) for a row occurring c times, times scale (many runs over the
    cap, of every length, at either end of the sorted rows)."""
    rng = np.random.default_rng(seed)
    rows, updates = rng.integers(0, 6, size=R), rng.normal(size=(R, d)).astype(np.float32)
    matrix = rng.normal(size=(6, d)).astype(np.float32)
    expected = matrix.astype(np.float64)
    for row in np.unique(rows):
        mine = rows == row
        expected[row] += -0.5 * min(1.0, cap / mine.sum()) * updates[mine].sum(axis=0)
    scatter.scatter_add(matrix, rows, updates, max_repeats=cap, scale=np.float32(-0.5))
    np.testing.assert_allclose(matrix, expected, rtol=1e-5, atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(problem, st.integers(1, 20), st.integers(1, 4), st.integers(1, 4), st.integers(1, 5))
def test_skipgram_block_with_negative_groups_equals_per_example_model(shape, T, W, K, G):
    """Negatives (G, K): with weight 1, a block is the sum over its centers of core.skipgram, each pair of center
    t using the K negatives of t's group (token_groups: G consecutive runs of ⌈T/G⌉ positions)."""
    (V, d, seed) = shape
    rng, center_vectors, outside_vectors = _vectors(V, d, seed)
    block = _random_block(rng, V, T, W)
    negatives = rng.integers(V, size=(G, K))
    loss, grad_c, grad_o = batched.block_loss_and_gradient(center_vectors, outside_vectors, block, negatives,
                                                           neg_weight=1.0)
    groups = batched.token_groups(T, G)
    assert list(groups) == sorted(groups) and np.all(np.bincount(groups)[:-1] == -(-T // G))
    ref_loss, ref_c, ref_o = 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    for t, context_ids in _per_center_contexts(block).items():
        per_pair = lambda v, o, U, neg=negatives[groups[t]]: core.neg_sampling_loss_and_gradient(v, o, U, neg)  # noqa: E731
        l, g_c, g_o = core.skipgram(block.ids[t], context_ids, center_vectors, outside_vectors, per_pair)
        ref_loss, ref_c, ref_o = ref_loss + l, ref_c + g_c, ref_o + g_o
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_c, ref_c, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grad_o, ref_o, rtol=1e-8, atol=1e-10)
