"""The objectives of core.py summed over B (center, outside) index pairs, each pair with its own K negatives.

The literal sum of core.py's per-example losses as array operations: the bridge between the per-example spec and
the block objectives of batched.py in tests, and the CS224n procedure's step. Pure: negatives come in as arguments.
Not here: the block objectives training runs (batched.py).

Legend: V vocabulary, d dimension, B pairs, K negatives per pair.
"""

from __future__ import annotations

import numpy as np

from .scatter import SparseGradient
from .core import log_sigmoid, sigmoid, softmax


def pairs_naive_softmax_loss_and_gradient(center_vectors, outside_vectors, center_idxs, outside_idxs):
    """Σ_b J_naive-softmax(v_{c_b}, o_b, U) and its gradients (V, d) for both matrices."""
    centers = center_vectors[center_idxs]  # (B, d)
    y_hat = softmax(centers @ outside_vectors.T)  # (B, V)
    rows = np.arange(len(center_idxs))
    loss = -float(np.sum(np.log(y_hat[rows, outside_idxs])))
    delta = y_hat  # (B, V)  ŷ − y, in place
    delta[rows, outside_idxs] -= 1.0
    grad_center_vectors = np.zeros_like(center_vectors)
    np.add.at(grad_center_vectors, center_idxs, delta @ outside_vectors)  # (B, d) summed per word
    grad_outside_vectors = delta.T @ centers  # (V, d)
    return loss, grad_center_vectors, grad_outside_vectors


def pairs_neg_sampling_gradient(center_vectors, outside_vectors, center_idxs, outside_idxs, negative_idxs,
                                want_loss=True) -> SparseGradient:
    """Σ_b J_neg-sample(v_{c_b}, o_b, U, negatives_b) with its gradient as rows (see SparseGradient)."""
    centers = np.take(center_vectors, center_idxs, axis=0)  # (B, d)
    targets = np.concatenate([np.asarray(outside_idxs)[:, None], negative_idxs], axis=1)  # (B, 1+K)
    target_rows = np.take(outside_vectors, targets, axis=0)  # (B, 1+K, d)
    scores = np.einsum("bd,bkd->bk", centers, target_rows)  # (B, 1+K)
    signs = np.ones(scores.shape[1], dtype=scores.dtype)  # (1+K,)  +1 for the outside word, −1 for negatives
    signs[1:] = -1.0
    loss = -float(np.sum(log_sigmoid(signs * scores))) if want_loss else float("nan")
    coeffs = sigmoid(scores) - (signs > 0)  # (B, 1+K)  ∂J/∂score: σ − 1 for o, σ for negatives
    grad_centers = np.einsum("bk,bkd->bd", coeffs, target_rows)  # (B, d)
    grad_targets = coeffs[:, :, None] * centers[:, None, :]  # (B, 1+K, d)
    return SparseGradient(loss, np.asarray(center_idxs), grad_centers, targets.ravel(),
                          grad_targets.reshape(-1, centers.shape[1]))


def pairs_neg_sampling_loss_and_gradient(center_vectors, outside_vectors, center_idxs, outside_idxs, negative_idxs):
    """Σ_b J_neg-sample(v_{c_b}, o_b, U, negatives_b) and its gradients (V, d) for both matrices."""
    return pairs_neg_sampling_gradient(center_vectors, outside_vectors, center_idxs, outside_idxs,
                                       negative_idxs).dense(center_vectors, outside_vectors)
