"""2-D projections of a few word vectors, for `w2v plot`; pure NumPy.

svd follows the CS224n word2vec assignment's figure: center the selected vectors, take the SVD of their
covariance, and project onto its first two singular vectors. pca reaches the same plane from the SVD of the
centered data itself (no d x d covariance), with each axis' sign fixed so a figure does not mirror between runs.
Both say how much of the points' variance each axis carries (Plane.variance), so a figure can label its axes and
refuse to draw a second axis that carries (almost) nothing: two points, or points on a line, span one direction.
Not here: choosing the words (cli/plot.py), drawing them (cli/figures.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("svd", "pca")
# A second axis carrying less than this fraction of the points' variance is numerical noise, not a direction:
# two words of a Brown model gave 1e-16 (svd) and 1e-32 (pca); the word maps drawn on trained Brown and treebank
# models had second axes of 5% to 31%.
FLAT_FRACTION = 1e-6

# The 24 words of the CS224n assignment's word_vectors.png, in its order.
CS224N_WORDS = ("great", "cool", "brilliant", "wonderful", "well", "amazing", "worth", "sweet", "enjoyable",
                "boring", "bad", "dumb", "annoying", "female", "male", "queen", "king", "man", "woman", "rain",
                "snow", "hail", "coffee", "tea")


@dataclass(frozen=True)
class Plane:
    """Points projected to 2-D and the fraction of their total variance each axis carries."""

    coords: np.ndarray  # (n, 2)
    variance: np.ndarray  # (2,) fractions in [0, 1], falling

    @property
    def flat(self) -> bool:
        """Whether the second axis carries (almost) no variance: the points lie on a line (or a point)."""
        return bool(self.variance[1] < FLAT_FRACTION)


def svd_2d(vectors: np.ndarray) -> np.ndarray:
    """CS224n: (n, d) -> (n, 2), the centered vectors on the top two singular vectors of their covariance."""
    return svd_plane(vectors).coords


def svd_plane(vectors: np.ndarray) -> Plane:
    """svd_2d with each axis' share of the variance (the covariance's singular values over their sum)."""
    vectors = np.asarray(vectors, dtype=np.float64)  # (n, d)
    centered = vectors - vectors.mean(axis=0)  # (n, d)
    covariance = centered.T @ centered / len(vectors)  # (d, d)
    left, variances, _ = np.linalg.svd(covariance)  # (d, d) columns by falling variance, (d,)
    return Plane(_two_columns(centered @ left[:, :2]), _fractions(variances))  # (n, 2)


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Principal components: (n, d) -> (n, 2) from the SVD of the centered data, each axis signed so that its
    largest-magnitude loading is positive (the same plane as svd_2d, axes possibly mirrored)."""
    return pca_plane(vectors).coords


def pca_plane(vectors: np.ndarray) -> Plane:
    """pca_2d with each axis' share of the variance (squared singular values of the data over their sum)."""
    vectors = np.asarray(vectors, dtype=np.float64)  # (n, d)
    centered = vectors - vectors.mean(axis=0)  # (n, d)
    _, singular, right = np.linalg.svd(centered, full_matrices=False)  # (m,), (m, d) rows are components
    components = right[:2]  # (2, d)
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]  # (2,)
    components = components * np.where(largest < 0, -1.0, 1.0)[:, None]  # (2, d)
    return Plane(_two_columns(centered @ components.T), _fractions(singular ** 2))  # (n, 2)


def _fractions(variances: np.ndarray) -> np.ndarray:
    """(m,) variances along the falling axes -> (2,) the first two as fractions of the total (0 when all are 0)."""
    padded = np.pad(np.asarray(variances, dtype=np.float64)[:2], (0, max(0, 2 - len(variances))))  # (2,)
    total = float(np.sum(variances))
    return padded / total if total > 0 else np.zeros(2)


def _two_columns(coords: np.ndarray) -> np.ndarray:
    """(n, 1 or 2) -> (n, 2): a zero second axis when there is only one direction (d = 1 or n = 1)."""
    return np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))


def project_plane(vectors: np.ndarray, method: str = "svd") -> Plane:
    """(n, d) -> Plane by the named method."""
    if method == "svd":
        return svd_plane(vectors)
    if method == "pca":
        return pca_plane(vectors)
    raise ValueError(f"unknown projection method {method!r}; expected one of {METHODS}")


def project_2d(vectors: np.ndarray, method: str = "svd") -> np.ndarray:
    """(n, d) -> (n, 2) by the named method."""
    return project_plane(vectors, method).coords
