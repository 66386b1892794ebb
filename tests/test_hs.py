"""Hierarchical softmax: the Huffman tree against a hand-built case and gensim's, the loss against probability,
and the block objectives equal to sums of the per-example loss."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.data.huffman import huffman_merges, huffman_paths
from w2vcli.math import core, hs
from w2vcli.math.batched import make_block
from w2vcli.math.gradcheck import _random_tree


def test_huffman_tree_of_a_hand_built_case():
    """counts 5 3 2 1: merge 1+2 (node 4), then 3+3 taking the inner node first on the tie (node 5), then 5+6."""
    paths = huffman_paths([5, 3, 2, 1])
    assert [paths.path(w)[0].tolist() for w in range(4)] == [[2], [2, 1], [2, 1, 0], [2, 1, 0]]
    assert [paths.path(w)[1].tolist() for w in range(4)] == [[0], [1, 1], [1, 0, 1], [1, 0, 0]]


def test_huffman_refuses_unsorted_counts():
    with pytest.raises(ValueError):
        huffman_merges([1, 5, 3])


def _gensim_paths(counts):
    from gensim.models import KeyedVectors
    from gensim.models.word2vec import _assign_binary_codes

    wv = KeyedVectors(vector_size=2, count=len(counts))
    for i, count in enumerate(counts):
        wv.add_vector(f"w{i}", np.zeros(2))
        wv.set_vecattr(i, "count", int(count))
    _assign_binary_codes(wv)
    return [(wv.get_vecattr(i, "point").tolist(), wv.get_vecattr(i, "code").tolist()) for i in range(len(counts))]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 10**12), min_size=2, max_size=60, unique=True))
def test_huffman_tree_equals_gensims_without_ties(counts):
    """With no equal weights anywhere the Huffman tree is unique; gensim (a heap) builds the same one."""
    counts = sorted(counts, reverse=True)
    first, second = huffman_merges(counts)
    weight = list(counts)
    for a, b in zip(first, second):
        weight.append(weight[a] + weight[b])
    if len(set(weight)) < len(weight):
        return  # a tie somewhere: the tree is not unique (covered by the optimality test below)
    paths = huffman_paths(counts)
    ours = [(p.tolist(), c.astype(int).tolist()) for p, c in map(paths.path, range(len(counts)))]
    assert ours == _gensim_paths(counts)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=80))
def test_huffman_tree_with_ties_is_optimal_and_prefix_free(counts):
    """Many ties: the trees differ from gensim's, but both minimise Σ count·depth, and no code prefixes another."""
    counts = sorted(counts, reverse=True)
    paths = huffman_paths(counts)
    gensim_cost = sum(c * len(code) for c, (_, code) in zip(counts, _gensim_paths(counts)))
    assert int(np.sum(np.asarray(counts) * paths.lengths)) == gensim_cost
    codes = {tuple(paths.path(w)[1].astype(int)) for w in range(len(counts))}
    assert len(codes) == len(counts)
    assert not any(a != b and b[:len(a)] == a for a in codes for b in codes)
    assert set(np.unique(paths.points[paths.mask > 0])) == set(range(len(counts) - 1))  # V − 1 inner nodes


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_leaf_probabilities_sum_to_one(V, d, seed):
    """p(w | v) = exp(−J) over all V leaves sums to 1: the tree and the sign convention are right."""
    rng = np.random.default_rng(seed)
    paths = _random_tree(rng, V)
    center_vec, inner = rng.normal(size=d), rng.normal(size=(V - 1, d))
    total = sum(np.exp(-hs.hs_loss_and_gradient(center_vec, *paths.path(w), inner)[0]) for w in range(V))
    assert total == pytest.approx(1.0, rel=1e-10)


def test_a_broken_sign_convention_breaks_the_sum():
    rng = np.random.default_rng(1)
    paths = _random_tree(rng, 6)
    center_vec, inner = rng.normal(size=3), rng.normal(size=(5, 3))
    flipped = [hs.hs_loss_and_gradient(center_vec, p, 1 - c if w == 0 else c, inner)[0]
               for w, (p, c) in enumerate(map(paths.path, range(6)))]
    assert sum(np.exp(-np.array(flipped))) != pytest.approx(1.0, rel=1e-6)


problem = st.tuples(st.integers(2, 12), st.integers(1, 6), st.integers(0, 2**32 - 1))


@settings(max_examples=80, deadline=None)
@given(problem, st.integers(1, 20), st.integers(1, 4), st.sampled_from(["skipgram", "cbow"]), st.booleans())
def test_block_hs_equals_sum_of_per_example(shape, T, W, model, huffman):
    """skip-gram: Σ over pairs (t, j) of the loss of w_t's path from v_j (core.skipgram centred on the context
    word); CBOW: Σ over centers t of core.cbow with the hierarchical-softmax loss."""
    V, d, seed = shape
    rng = np.random.default_rng(seed)
    paths = huffman_paths(np.sort(rng.integers(1, 50, size=V))[::-1]) if huffman else _random_tree(rng, V)
    center_vectors, inner = rng.normal(size=(V, d)), rng.normal(size=(V - 1, d))
    block = make_block(rng.integers(V, size=T), np.cumsum(rng.random(T) < 0.2), rng.integers(1, W + 1, size=T), W,
                       is_center=rng.random(T) < 0.9)
    loss, grad_c, grad_i = hs.block_loss_and_gradient_hs(center_vectors, inner, block, paths, model=model)
    per_pair = hs.hs_with_paths(paths)
    ref_loss, ref_c, ref_i = 0.0, np.zeros_like(center_vectors), np.zeros_like(inner)
    centers, contexts = block.pairs()
    if model == "skipgram":
        terms = [core.skipgram(block.ids[j], [block.ids[t]], center_vectors, inner, per_pair)
                 for t, j in zip(centers, contexts)]
    else:
        terms = [core.cbow(block.ids[t], block.ids[contexts[centers == t]], center_vectors, inner, per_pair)
                 for t in np.unique(centers)]
    for term_loss, g_c, g_i in terms:
        ref_loss, ref_c, ref_i = ref_loss + term_loss, ref_c + g_c, ref_i + g_i
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_c, ref_c, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grad_i, ref_i, rtol=1e-8, atol=1e-10)


def test_block_hs_in_float32_keeps_the_dtype_and_agrees():
    rng = np.random.default_rng(4)
    paths = huffman_paths(np.arange(40, 0, -1))
    block = make_block(rng.integers(40, size=30), np.zeros(30), rng.integers(1, 4, size=30), 3)
    center, inner = rng.normal(size=(40, 8)) * 0.1, rng.normal(size=(39, 8)) * 0.1
    wide = hs.block_gradient_hs(center, inner, block, paths)
    narrow = hs.block_gradient_hs(center.astype(np.float32), inner.astype(np.float32), block, paths)
    assert narrow.grad_center_rows.dtype == np.float32 and narrow.grad_outside_rows.dtype == np.float32
    np.testing.assert_allclose(narrow.grad_outside_rows, wide.grad_outside_rows, rtol=1e-4, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(problem, st.integers(1, 20), st.integers(1, 4), st.sampled_from(["skipgram", "cbow"]), st.integers(0, 12))
def test_node_sums_equal_a_plain_scatter_at_any_split_depth(shape, T, W, model, shallow):
    """node_gradient sums the shallow columns by one product and the deeper ones by sort and reduceat; wherever
    the split falls (0: all by sort, 12: all by product, on random trees up to 11 deep), every node's sum and
    count equal np.add.at over the (token, node) rows Σ_j coeffs[t, j, l] · inputs[t, j]."""
    V, d, seed = shape
    rng = np.random.default_rng(seed)
    paths = _random_tree(rng, V)
    center_vectors, inner = rng.normal(size=(V, d)), rng.normal(size=(V - 1, d))
    block = make_block(rng.integers(V, size=T), np.cumsum(rng.random(T) < 0.2), rng.integers(1, W + 1, size=T), W)
    L = paths.points.shape[1]
    points, mask = paths.points[block.ids], np.arange(L)[None, :] < paths.lengths[block.ids][:, None]
    _, _, terms = hs.HS_BLOCK_OBJECTIVES[model](center_vectors[block.ids], inner[points], paths.codes[block.ids]
                                                .astype(float), mask.astype(float), block)
    rows = np.einsum("tjl,tjd->tld", terms.coeffs, terms.inputs)  # (T, L, d)
    expected, expected_counts = np.zeros_like(inner), np.zeros(V - 1, dtype=np.int64)
    np.add.at(expected, points[mask], rows[mask])
    np.add.at(expected_counts, points[mask], 1)
    nodes, sums, counts = hs.node_gradient(points, mask, terms, shallow=shallow)
    assert len(set(nodes.tolist())) == len(nodes)  # each node once
    got, got_counts = np.zeros_like(inner), np.zeros(V - 1, dtype=np.int64)
    got[nodes], got_counts[nodes] = sums, counts
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(got_counts, expected_counts)
