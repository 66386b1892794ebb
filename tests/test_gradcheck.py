import numpy as np
import pytest

from w2vcli import gradcheck
from w2vcli.math import core
from w2vcli.math.gradcheck import run_checks, standard_checks


def test_passes_a_correct_gradient_and_restores_x():
    x = np.random.default_rng(0).normal(size=(3, 4))
    original = x.copy()
    result = gradcheck(lambda v: (np.sum(v ** 3), 3 * v ** 2), x)
    assert result.passed and result.max_rel_error < 1e-7
    np.testing.assert_array_equal(x, original)


def test_catches_a_broken_gradient_and_reports_the_worst_index():
    x = np.random.default_rng(0).normal(size=(3, 4))

    def broken(v):
        grad = 2 * v
        grad[1, 2] += 0.5  # one wrong coordinate
        return np.sum(v ** 2), grad

    result = gradcheck(broken, x)
    assert not result.passed
    assert result.worst_index == (1, 2)
    assert result.max_rel_error == pytest.approx(0.5 / max(1.0, abs(2 * x[1, 2] + 0.5)), rel=1e-6)


def test_broken_neg_sampling_gradient_is_caught():
    """A classic mistake: forgetting that a repeated negative counts twice (assignment instead of add)."""
    rng = np.random.default_rng(3)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(5, 3))
    negatives = np.array([1, 1, 4])

    def overwrite_instead_of_add(U):
        loss, _, grad = core.neg_sampling_loss_and_gradient(center_vec, 0, U, negatives)
        grad[1] /= 2  # as if fancy-index assignment had dropped one of the two repeats
        return loss, grad

    result = gradcheck(overwrite_instead_of_add, outside_vectors.copy())
    assert not result.passed and result.worst_index[0] == 1


def test_rng_is_reset_before_every_evaluation():
    """A stochastic objective checks consistently only because each evaluation sees the same draws."""
    rng = np.random.default_rng(7)
    x = np.array([0.3, -0.2])

    def noisy(v):
        scale = rng.normal()  # a new draw every call unless reset
        return scale * np.sum(v ** 2), 2 * scale * v

    assert gradcheck(noisy, x, rng=rng).passed
    assert not gradcheck(noisy, x).passed  # without the reset the differences are noise


@pytest.mark.parametrize("seed", [0, 1])
def test_every_standard_check_passes(seed):
    results = run_checks(standard_checks(dim=4, vocab_size=6, seed=seed))
    names = [check.name for check, _ in results]
    assert len(results) == 30 and any("block" in n for n in names) and any("CBOW" in n for n in names)
    assert sum("hierarchical softmax" in n for n in names) == 6 and sum("subwords" in n for n in names) == 8
    failed = [(check.name, result) for check, result in results if not result.passed]
    assert failed == []
