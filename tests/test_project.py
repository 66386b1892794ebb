"""2-D projections: a worked example, an eigen-decomposition oracle, and the agreement of the two methods."""

import numpy as np
import pytest

from w2vcli.vectors.projection import CS224N_WORDS, pca_2d, project_2d, svd_2d

# Four points on two axes, mean 0, covariance diag(1/2, 2): the first component is y, the second x.
CROSS = np.array([[1, 0], [-1, 0], [0, 2], [0, -2]], dtype=np.float64)


def test_cs224n_svd_worked_example():
    np.testing.assert_allclose(np.abs(svd_2d(CROSS)), [[0, 1], [0, 1], [2, 0], [2, 0]], atol=1e-12)


def test_pca_fixes_the_signs():
    np.testing.assert_allclose(pca_2d(CROSS), [[0, 1], [0, -1], [2, 0], [-2, 0]], atol=1e-12)
    np.testing.assert_allclose(pca_2d(-CROSS[::-1]), pca_2d(CROSS)[::-1] * -1, atol=1e-12)


def test_points_on_a_line_project_onto_the_first_axis():
    direction = np.array([2.0, -1.0, 2.0]) / 3  # (3,) unit
    steps = np.array([-2.0, 0.5, 1.0, 3.0])  # (4,)
    points = 5.0 + steps[:, None] * direction  # (4, 3)
    coords = svd_2d(points)
    np.testing.assert_allclose(np.abs(coords[:, 0]), np.abs(steps - steps.mean()), atol=1e-9)
    np.testing.assert_allclose(coords[:, 1], 0, atol=1e-9)


@pytest.mark.parametrize("seed, n, d", [(0, 5, 3), (1, 24, 10), (2, 4, 50), (3, 30, 2)])
def test_svd_matches_the_eigenvectors_of_the_covariance_and_pca_up_to_sign(seed, n, d):
    vectors = np.random.default_rng(seed).standard_normal((n, d))  # (n, d)
    centered = vectors - vectors.mean(axis=0)
    _, eigenvectors = np.linalg.eigh(centered.T @ centered / n)  # ascending eigenvalues
    oracle = centered @ eigenvectors[:, ::-1][:, :2]  # (n, 2)
    np.testing.assert_allclose(np.abs(svd_2d(vectors)), np.abs(oracle), atol=1e-9)
    np.testing.assert_allclose(np.abs(pca_2d(vectors)), np.abs(oracle), atol=1e-9)
    np.testing.assert_allclose(project_2d(vectors, "svd"), svd_2d(vectors))


@pytest.mark.parametrize("shape", [(1, 4), (6, 1), (2, 2)])
def test_degenerate_shapes_still_give_two_columns(shape):
    vectors = np.arange(np.prod(shape), dtype=float).reshape(shape)
    for method in ("svd", "pca"):
        coords = project_2d(vectors, method)
        assert coords.shape == (shape[0], 2) and np.isfinite(coords).all()


def test_unknown_method_and_the_assignment_words():
    with pytest.raises(ValueError):
        project_2d(CROSS, "tsne")
    assert len(CS224N_WORDS) == 24 and len(set(CS224N_WORDS)) == 24 and CS224N_WORDS[:2] == ("great", "cool")
