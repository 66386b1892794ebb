"""2-D projections: a worked example, an eigen-decomposition oracle, the agreement of the two methods, and the
share of variance each axis carries (a flat plane is recognised)."""

import numpy as np
import pytest

from w2vcli.vectors.projection import FLAT_FRACTION, CS224N_WORDS, pca_2d, project_2d, project_plane, svd_2d

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


@pytest.mark.parametrize("method", ["svd", "pca"])
def test_variance_fractions_of_the_cross(method):
    plane = project_plane(CROSS, method)  # variances 2 and 1/2 of a total 5/2
    np.testing.assert_allclose(plane.variance, [0.8, 0.2], atol=1e-12)
    assert not plane.flat


@pytest.mark.parametrize("method", ["svd", "pca"])
def test_variance_fractions_match_the_covariance_eigenvalues(method):
    vectors = np.random.default_rng(4).standard_normal((20, 6)) * np.arange(1, 7)  # (20, 6)
    eigenvalues = np.linalg.eigvalsh(np.cov(vectors.T, bias=True))[::-1]  # (6,) falling
    np.testing.assert_allclose(project_plane(vectors, method).variance, eigenvalues[:2] / eigenvalues.sum(),
                               atol=1e-12)


@pytest.mark.parametrize("method", ["svd", "pca"])
@pytest.mark.parametrize("vectors", [
    np.random.default_rng(5).standard_normal((2, 10)).astype(np.float32),  # two points span one direction
    3.0 + np.outer([-1.0, 0.5, 2.0, 4.0], np.random.default_rng(6).standard_normal(8)),  # points on a line
    np.ones((3, 4)),  # one point thrice: no variance at all
])
def test_points_on_a_line_give_a_flat_plane(method, vectors):
    plane = project_plane(vectors, method)
    assert plane.flat and plane.variance[1] < FLAT_FRACTION


def test_three_points_in_general_position_are_not_flat():
    vectors = np.random.default_rng(7).standard_normal((3, 10))
    assert not project_plane(vectors).flat
