"""The spec: word2vec's losses and models, one training example at a time.

Follows the CS224n word2vec handout (Mikolov et al., 2013): the naive-softmax and negative-sampling losses with
their hand-derived gradients, and the skip-gram and CBOW models built on them. Each function reads like the
derivation. Pure: no printing, no files, and no hidden randomness (negatives are passed in, or drawn from an
explicit np.random.Generator). This is the per-example reference; training runs batched.py, tested equal to it.

Legend: V vocabulary size, d dimension, K negatives per pair, n context words.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

LossAndGradient = Callable[[np.ndarray, int, np.ndarray], tuple[float, np.ndarray, np.ndarray]]


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), elementwise, keeping the input's float type.

    Computed as the identical (1 + tanh(x/2)) / 2: tanh never overflows, so there are no warnings or NaN at any
    x, and it costs one transcendental call where the textbook form needs a guarded exp for x ≪ 0.
    """
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    result = np.multiply(x, 0.5, out=np.empty(x.shape, dtype=dtype))  # x/2 in a new array, then in place:
    np.tanh(result, out=result)  # this runs on the training hot path
    result *= 0.5
    result += 0.5
    return result


def softmax(x):
    """softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x), over the last axis (row-wise for 2-D).

    Subtracting the row maximum changes nothing mathematically and keeps e^(·) ≤ 1. Returns a new array.
    """
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def log_sigmoid(x):
    """log σ(x) = −log(1 + e^(−x)), computed without overflow or log(0), keeping the input's float type.

    As min(x, 0) − log(1 + e^(−|x|)): the exponent is never positive, so nothing overflows, and log1p keeps the
    digits of a tiny e^(−|x|). Why not np.logaddexp(0, −x), the same value: it cost 16 ns an element (1.2 ms for
    a block's 65,536 negative scores, 5% of training's time at one loss every 16 blocks); this costs about 2.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    tail = np.log1p(np.exp(-np.abs(x)))  # log(1 + e^(−|x|))
    return np.minimum(x, 0) - tail


def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    """Naive-softmax loss for one (center, outside) pair.

        ŷ = softmax(U v_c)                 U = outside_vectors (V, d), v_c = center_vec (d,)
        J = −log ŷ_o
        ∂J/∂v_c = Uᵀ (ŷ − y)               y = one-hot of outside_idx
        ∂J/∂U   = (ŷ − y) v_cᵀ

    Returns (loss, grad_center_vec (d,), grad_outside_vectors (V, d)).
    """
    scores = outside_vectors @ center_vec  # (V,)
    y_hat = softmax(scores)  # (V,)
    loss = -float(np.log(y_hat[outside_idx]))
    delta = y_hat.copy()  # (V,)  ŷ − y
    delta[outside_idx] -= 1.0
    grad_center_vec = outside_vectors.T @ delta  # (d,)
    grad_outside_vectors = np.outer(delta, center_vec)  # (V, d)
    return loss, grad_center_vec, grad_outside_vectors


def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_idxs):
    """Negative-sampling loss for one pair with the given negatives.

        J = −log σ(u_oᵀ v_c) − Σ_k log σ(−u_kᵀ v_c)
        ∂J/∂v_c = −(1 − σ(u_oᵀ v_c)) u_o + Σ_k σ(u_kᵀ v_c) u_k
        ∂J/∂u_o = −(1 − σ(u_oᵀ v_c)) v_c
        ∂J/∂u_k = σ(u_kᵀ v_c) v_c                       for each k

    subtle: a negative index that appears twice counts twice — its gradient is added, not overwritten —
    which is why the scatter below is np.add.at and not fancy-index assignment.
    Returns (loss, grad_center_vec (d,), grad_outside_vectors (V, d)).
    """
    negative_idxs = np.asarray(negative_idxs, dtype=np.int64)  # (K,)
    u_o = outside_vectors[outside_idx]  # (d,)
    u_k = outside_vectors[negative_idxs]  # (K, d)
    pos_score = float(u_o @ center_vec)
    neg_scores = u_k @ center_vec  # (K,)

    loss = -float(log_sigmoid(pos_score)) - float(np.sum(log_sigmoid(-neg_scores)))
    pos_coeff = sigmoid(pos_score) - 1.0  # ∂J/∂(u_oᵀ v_c) = −(1 − σ)
    neg_coeffs = sigmoid(neg_scores)  # (K,)  ∂J/∂(u_kᵀ v_c) = σ

    grad_center_vec = pos_coeff * u_o + neg_coeffs @ u_k  # (d,)
    grad_outside_vectors = np.zeros_like(outside_vectors)  # (V, d)
    grad_outside_vectors[outside_idx] += pos_coeff * center_vec
    np.add.at(grad_outside_vectors, negative_idxs, np.outer(neg_coeffs, center_vec))
    return loss, grad_center_vec, grad_outside_vectors


def sample_negatives(outside_idx, k, noise_probs, rng: np.random.Generator):
    """Draw k negative indices from noise_probs (V,), never equal to outside_idx (redrawn until different)."""
    noise_probs = np.asarray(noise_probs, dtype=np.float64)
    if noise_probs[outside_idx] >= 1.0:
        raise ValueError("the noise distribution puts all its mass on the outside word")
    negatives = rng.choice(len(noise_probs), size=k, p=noise_probs)
    while np.any(clash := negatives == outside_idx):
        negatives[clash] = rng.choice(len(noise_probs), size=int(clash.sum()), p=noise_probs)
    return negatives


def neg_sampling_with_sampler(k, noise_probs, rng: np.random.Generator) -> LossAndGradient:
    """Bind the negative-sampling loss to a sampler, giving the (center_vec, outside_idx, outside_vectors) form
    that skipgram and cbow take. Each call draws k fresh negatives from rng."""

    def loss_and_gradient(center_vec, outside_idx, outside_vectors):
        negative_idxs = sample_negatives(outside_idx, k, noise_probs, rng)
        return neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_idxs)

    return loss_and_gradient


def skipgram(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient: LossAndGradient):
    """Skip-gram: the center word predicts each outside word of its window.

        J_skip-gram(v_c, w_{t−m..t+m}, U) = Σ_{−m≤j≤m, j≠0} J(v_c, w_{t+j}, U)

    Only row center_idx of the center-vector gradient is non-zero.
    Returns (loss, grad_center_vectors (V, d), grad_outside_vectors (V, d)).
    """
    center_vec = center_vectors[center_idx]  # (d,)
    loss = 0.0
    grad_center_vectors = np.zeros_like(center_vectors)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    for outside_idx in outside_idxs:
        pair_loss, grad_center_vec, grad_outside = loss_and_gradient(center_vec, int(outside_idx), outside_vectors)
        loss += pair_loss
        grad_center_vectors[center_idx] += grad_center_vec
        grad_outside_vectors += grad_outside
    return loss, grad_center_vectors, grad_outside_vectors


def cbow(center_idx, outside_idxs, center_vectors, outside_vectors, loss_and_gradient: LossAndGradient):
    """CBOW: the mean of the context words' vectors predicts the center word.

        v̂ = (1/n) Σ_j v_{w_j}                 the context words' rows of center_vectors
        J = J(v̂, w_c, U)
        ∂J/∂v_{w_j} = (1/n) ∂J/∂v̂             for each context position j (a repeated word gets it twice)

    Returns (loss, grad_center_vectors (V, d), grad_outside_vectors (V, d)).
    """
    outside_idxs = np.asarray(outside_idxs, dtype=np.int64)  # (n,)
    n = len(outside_idxs)
    context_mean = center_vectors[outside_idxs].mean(axis=0)  # (d,)
    loss, grad_context_mean, grad_outside_vectors = loss_and_gradient(context_mean, int(center_idx), outside_vectors)
    grad_center_vectors = np.zeros_like(center_vectors)
    np.add.at(grad_center_vectors, outside_idxs, grad_context_mean / n)
    return loss, grad_center_vectors, grad_outside_vectors
