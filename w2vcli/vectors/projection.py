"""2-D projections of a few word vectors, for `w2v plot`; pure NumPy.

svd follows the CS224n word2vec assignment's figure: center the selected vectors, take the SVD of their
covariance, and project onto its first two singular vectors. pca reaches the same plane from the SVD of the
centered data itself (no d x d covariance), with each axis' sign fixed so a figure does not mirror between runs.
Not here: choosing the words (the CLI), drawing them (plot.py).
"""

from __future__ import annotations

import numpy as np

METHODS = ("svd", "pca")

# The 24 words of the CS224n assignment's word_vectors.png, in its order.
CS224N_WORDS = ("great", "cool", "brilliant", "wonderful", "well", "amazing", "worth", "sweet", "enjoyable",
                "boring", "bad", "dumb", "annoying", "female", "male", "queen", "king", "man", "woman", "rain",
                "snow", "hail", "coffee", "tea")


def svd_2d(vectors: np.ndarray) -> np.ndarray:
    """CS224n: (n, d) -> (n, 2), the centered vectors on the top two singular vectors of their covariance."""
    vectors = np.asarray(vectors, dtype=np.float64)  # (n, d)
    centered = vectors - vectors.mean(axis=0)  # (n, d)
    covariance = centered.T @ centered / len(vectors)  # (d, d)
    left, _, _ = np.linalg.svd(covariance)  # (d, d), columns by falling variance
    return _two_columns(centered @ left[:, :2])  # (n, 2)


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Principal components: (n, d) -> (n, 2) from the SVD of the centered data, each axis signed so that its
    largest-magnitude loading is positive (the same plane as svd_2d, axes possibly mirrored)."""
    vectors = np.asarray(vectors, dtype=np.float64)  # (n, d)
    centered = vectors - vectors.mean(axis=0)  # (n, d)
    _, _, right = np.linalg.svd(centered, full_matrices=False)  # (min(n, d), d), rows are components
    components = right[:2]  # (2, d)
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]  # (2,)
    components = components * np.where(largest < 0, -1.0, 1.0)[:, None]  # (2, d)
    return _two_columns(centered @ components.T)  # (n, 2)


def _two_columns(coords: np.ndarray) -> np.ndarray:
    """(n, 1 or 2) -> (n, 2): a zero second axis when there is only one direction (d = 1 or n = 1)."""
    return np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))


def project_2d(vectors: np.ndarray, method: str = "svd") -> np.ndarray:
    """(n, d) -> (n, 2) by the named method."""
    if method == "svd":
        return svd_2d(vectors)
    if method == "pca":
        return pca_2d(vectors)
    raise ValueError(f"unknown projection method {method!r}; expected one of {METHODS}")
