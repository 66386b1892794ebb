"""The spec against the CS224n reference numbers and against independent formulas."""

import warnings

import numpy as np
import pytest

from w2vcli import (cbow, naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient, sample_negatives,
                    sigmoid, skipgram, softmax)


@pytest.fixture
def cs224n_vectors():
    """The handout's test set-up: seed 9265, 10×3 normal rows normalised to unit length; rows 0-4 are the center
    vectors and rows 5-9 the outside vectors of the tokens a, b, c, d, e."""
    np.random.seed(9265)
    vectors = np.random.randn(10, 3)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors[:5], vectors[5:]


def test_skipgram_naive_softmax_matches_cs224n_reference(cs224n_vectors):
    """Center word c, outside words [a, b, e, d, b, c]: the numbers sgd_expected of the assignment prints."""
    center_vectors, outside_vectors = cs224n_vectors
    loss, grad_center, grad_outside = skipgram(2, [0, 1, 4, 3, 1, 2], center_vectors, outside_vectors,
                                               naive_softmax_loss_and_gradient)
    assert loss == pytest.approx(11.16610900153398, abs=1e-12)
    expected_center = np.zeros((5, 3))
    expected_center[2] = [-1.26947339, -1.36873189, 2.45158957]
    np.testing.assert_allclose(grad_center, expected_center, atol=1e-7)
    np.testing.assert_allclose(grad_outside, [[-0.41045956, 0.18834851, 1.43272264],
                                              [0.38202831, -0.17530219, -1.33348241],
                                              [0.07009355, -0.03216399, -0.24466386],
                                              [0.09472154, -0.04346509, -0.33062865],
                                              [-0.13638384, 0.06258276, 0.47605228]], atol=1e-7)


@pytest.mark.parametrize("x", [np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4]),
                               np.array([[-1e4, 1e4], [3.0, -3.0]], dtype=np.float32)])
def test_sigmoid_and_softmax_are_stable_at_extremes(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(x)
        p = softmax(x)
    assert s.dtype == x.dtype and np.all(np.isfinite(s)) and np.all(np.isfinite(p))
    np.testing.assert_allclose(sigmoid(np.array([0.0, 2.0])), [0.5, 1 / (1 + np.exp(-2.0))], rtol=1e-12)
    assert sigmoid(np.array(-1e4)) == 0.0 and sigmoid(np.array(1e4)) == 1.0
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-6)


def test_softmax_is_row_wise_and_shift_invariant():
    x = np.array([[1.0, 2.0, 3.0], [1001.0, 1002.0, 1003.0]])
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(softmax(x), [expected, expected], rtol=1e-12)
    original = x.copy()
    softmax(x)
    np.testing.assert_array_equal(x, original)  # pure: input not mutated


def _neg_sampling_by_formula(center_vec, outside_idx, outside_vectors, negative_idxs):
    """Independent oracle: the loss straight from J = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c), gradients by
    summing each term's derivative separately in plain Python."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    u_o = outside_vectors[outside_idx]
    loss = -np.log(sig(u_o @ center_vec))
    grad_center = -(1 - sig(u_o @ center_vec)) * u_o
    grad_outside = np.zeros_like(outside_vectors)
    grad_outside[outside_idx] = -(1 - sig(u_o @ center_vec)) * center_vec
    for k in negative_idxs:
        u_k = outside_vectors[k]
        loss -= np.log(sig(-u_k @ center_vec))
        grad_center = grad_center + sig(u_k @ center_vec) * u_k
        grad_outside[k] = grad_outside[k] + sig(u_k @ center_vec) * center_vec
    return loss, grad_center, grad_outside


def test_neg_sampling_matches_formula_and_counts_repeated_negatives_twice():
    rng = np.random.default_rng(1)
    outside_vectors = rng.normal(size=(6, 4))
    center_vec = rng.normal(size=4)
    negatives = np.array([3, 3, 5, 1, 3])  # 3 three times
    loss, grad_center, grad_outside = neg_sampling_loss_and_gradient(center_vec, 2, outside_vectors, negatives)
    ref_loss, ref_center, ref_outside = _neg_sampling_by_formula(center_vec, 2, outside_vectors, negatives)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(grad_center, ref_center, rtol=1e-12)
    np.testing.assert_allclose(grad_outside, ref_outside, rtol=1e-12)
    once = neg_sampling_loss_and_gradient(center_vec, 2, outside_vectors, np.array([3]))[2][3]
    np.testing.assert_allclose(grad_outside[3], 3 * once, rtol=1e-12)


def test_sample_negatives_never_returns_the_outside_word_and_follows_the_distribution():
    rng = np.random.default_rng(0)
    noise = np.array([0.5, 0.3, 0.2])
    draws = np.concatenate([sample_negatives(0, 10, noise, rng) for _ in range(2000)])
    assert not np.any(draws == 0)
    frequencies = np.bincount(draws, minlength=3) / len(draws)
    np.testing.assert_allclose(frequencies[1:], [0.6, 0.4], atol=0.02)  # renormalised without word 0


def test_cbow_spreads_the_mean_gradient_to_each_context_word():
    rng = np.random.default_rng(2)
    center_vectors, outside_vectors = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    context = [1, 4, 1]  # word 1 twice
    loss, grad_center, grad_outside = cbow(0, context, center_vectors, outside_vectors,
                                           naive_softmax_loss_and_gradient)
    mean = center_vectors[context].mean(axis=0)
    ref_loss, grad_mean, ref_outside = naive_softmax_loss_and_gradient(mean, 0, outside_vectors)
    assert loss == pytest.approx(ref_loss)
    np.testing.assert_allclose(grad_center[1], 2 * grad_mean / 3)
    np.testing.assert_allclose(grad_center[4], grad_mean / 3)
    np.testing.assert_allclose(grad_center[[0, 2, 3]], 0)
    np.testing.assert_allclose(grad_outside, ref_outside)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_sigmoid_equals_the_textbook_form_everywhere_and_keeps_the_float_type(dtype):
    """min(x, 0) − log1p(e^(−|x|)) against −logaddexp(0, −x): within two units in the last place from −1e4 to
    1e4 (no overflow, no log(0)), finite at the extremes, and in the input's precision."""
    x = np.concatenate([np.linspace(-1e4, 1e4, 200_001), [0.0, 1e-30, -1e-30, 88.7, -88.7, 745.0, -745.0]])
    x = x.astype(dtype)
    from w2vcli.math.core import log_sigmoid

    got, expected = log_sigmoid(x), -np.logaddexp(dtype(0), -x)
    assert got.dtype == dtype and np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=2 * np.finfo(dtype).eps, atol=np.finfo(dtype).tiny)
    assert log_sigmoid(0) == pytest.approx(-np.log(2)) and log_sigmoid(-1000.0) == -1000.0
