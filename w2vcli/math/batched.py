"""The hot path: the objectives of core.py over many examples at once, as array operations.

Blocks are what training runs (the other shape of batch, B index pairs each with its own K negatives, is
pairs.py's: the literal sum of core.py's per-example losses, the bridge in tests and the CS224n procedure). A block is T consecutive
tokens; the pairs are read off it by shifting (token t with token t±s), so each token's rows are gathered and
scattered once, not once per pair, and K' negatives are shared by the whole block, each pair weighting them K/K'.
With K' = K and weight 1 a block is exactly the sum of core.py's losses over its pairs (tested).
Pure: no I/O, no randomness; negatives come in as arguments.

Legend: V vocabulary, d dimension, B pairs, K negatives per pair, T block tokens, W window, K' shared negatives.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import compiled
from .core import log_sigmoid, sigmoid, softmax
from .scatter import NoiseCurvature, SparseGradient, scatter_add
from .windows import (gather_neighbours, gather_padded, neighbour_index, offsets, padded_rows, received_weights,
                      send_to_neighbours, sum_over_neighbours, window_masks, window_view)


@dataclass(frozen=True)
class Block:
    """T consecutive tokens and which of them pair up.

    masks[k, t] is 1 when token t + offsets[k] is a context word of token t as a center (same sentence, within
    t's reduced window), else 0; offsets are −W..−1, 1..W. Built by make_block.
    """

    ids: np.ndarray  # (T,) int64 word ids
    masks: np.ndarray  # (2W, T) float32, 0 or 1

    @property
    def window(self) -> int:
        return self.masks.shape[0] // 2

    def contexts_per_center(self) -> np.ndarray:
        """n_t, the number of context words of each token (0 for tokens that are not centers); read-only."""
        return self._contexts

    @functools.cached_property
    def _contexts(self) -> np.ndarray:
        """(T,) masks summed over the offsets, once per block (the step and the objective both need it)."""
        n = self.masks.sum(axis=0)
        n.setflags(write=False)
        return n

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """All (center position, context position) pairs of the block, as two (P,) arrays."""
        centers = [np.flatnonzero(row) for row in self.masks]
        contexts = [t + s for t, s in zip(centers, offsets(self.window))]
        return np.concatenate(centers), np.concatenate(contexts)


def skipgram_block_neg(center_rows, outside_rows, noise_rows, block: Block, neg_weight: float, want_loss=True):
    """Skip-gram with negative sampling over a block, on the block's gathered rows.

        J = Σ_(t,o) −log σ(u_oᵀ v_t)  +  Σ_t n_t · w · Σ_k' −log σ(−u_k'ᵀ v_t)        w = neg_weight = K / K'

    center_rows (T, d) = V[ids], outside_rows (T, d) = U[ids], noise_rows (K', d) = U[shared negatives], or
    (G, K', d): K' negatives per group of consecutive tokens (token_groups), Σ_k' then over t's group's rows.
    Returns (loss or nan, grad_center_rows (T, d), grad_outside_rows (T, d), grad_noise_rows (K', d), the noise
    rows' NoiseCurvature): the gradient of each *row* (position), which the SGD step scatters into the matrices,
    summing repeats. The work is skipgram_block_neg_padded's, on the rows padded here.
    """
    T, W = len(center_rows), block.window
    loss, grad_center_rows, grad_outside, curvature = skipgram_block_neg_padded(
        padded_rows(center_rows, W, centers_after(T, W, noise_rows)), padded_rows(outside_rows, W), noise_rows,
        block, neg_weight, want_loss)
    return loss, grad_center_rows, grad_outside[:T], grad_outside[T:], curvature


def centers_after(T: int, window: int, noise_rows) -> int:
    """The zero rows a block's padded centers need after its T rows: W for the windows, and as many as make
    G·S rows for G groups of S = ⌈T/G⌉ tokens (_negative_terms reads the groups as one (G, S, d) view)."""
    G = _groups(noise_rows)
    return max(window, G * -(-T // G) - T)


def _groups(noise_rows) -> int:
    """G: the groups of tokens with their own negatives, noise_rows being (K', d) (one group) or (G, K', d)."""
    return len(noise_rows) if noise_rows.ndim == 3 else 1


def skipgram_block_neg_gathered(center_source, center_index, outside_vectors, block: Block, negative_idxs,
                                neg_weight: float, want_loss=True):
    """skipgram_block_neg from the matrices: v_t = center_source[center_index[t]] (the center matrix and the
    block's ids, or a subword block's composed vectors and each token's word), u = outside_vectors[ids] and the
    negatives' rows, gathered straight into the padded buffers skipgram_block_neg_padded reads.

    Returns (loss or nan, grad_center_rows (T, d), outside_idxs (T + G·K',): the block's ids then the negatives',
    grad_outside_rows (T + G·K', d) for those rows, curvature).
    """
    negative_idxs = np.asarray(negative_idxs, dtype=np.int64)
    noise_rows = np.take(outside_vectors, negative_idxs, axis=0)  # (K', d) or (G, K', d)
    W, T = block.window, len(block.ids)
    value, grad_center_rows, grad_outside_rows, curvature = skipgram_block_neg_padded(
        gather_padded(center_source, center_index, W, centers_after(T, W, noise_rows)),
        gather_padded(outside_vectors, block.ids, W), noise_rows, block, neg_weight, want_loss)
    outside_idxs = np.concatenate([block.ids, negative_idxs.ravel()])  # (T + G·K',)
    return value, grad_center_rows, outside_idxs, grad_outside_rows, curvature


def skipgram_block_neg_padded(centers, outsides, noise_rows, block: Block, neg_weight: float, want_loss=True):
    """skipgram_block_neg on rows already padded (windows.gather_padded, which gathers them that way):
    centers (W + T + centers_after, d), outsides (T + 2W, d), each zero but for rows W..W+T−1.

    Returns (loss or nan, grad_center_rows (T, d), grad_outside_rows (T + G·K', d): the block's rows, then the
    negatives' in order (block_gradient's outside rows, written in place, not concatenated), curvature).
    The pairs are read off window views (window_view): no (2W, T, d) copies of the neighbours.
    """
    W, T = block.window, len(block.ids)
    center_rows = centers[W:W + T]  # (T, d)  v_t
    d = centers.shape[1]
    grad_outside = np.empty((T + noise_rows.size // d, d), dtype=centers.dtype)  # (T + G·K', d)
    if by_pairs(block):
        pos_loss, grad_center_rows, grad_outside[:T] = _skipgram_positive_pairs(center_rows, outsides[W:W + T],
                                                                                block)
        weights = block.masks.sum(axis=0) * np.float32(neg_weight)  # (T,)
    else:
        masks = window_masks(block.masks)  # (T, 2W+1)
        outside_windows = window_view(outsides, W)  # (T, 2W+1, d)  u of t's window
        scores = np.matmul(outside_windows, center_rows[:, :, None])[:, :, 0]  # (T, 2W+1)  u_oᵀv_t
        coeffs = sigmoid(scores)  # (T, 2W+1)  ∂J/∂score = −(1 − σ) on valid pairs, in place
        coeffs -= 1.0
        coeffs *= masks
        grad_center_rows = np.matmul(coeffs[:, None, :], outside_windows)[:, 0]  # (T, d)  Σ_o coeff · u_o
        np.matmul(received_weights(coeffs, W)[:, None, :], window_view(centers[:T + 2 * W], W),
                  out=grad_outside[:T, None, :])  # (T, 1, d)  Σ_c coeff · v_c over the centers c pairing with t
        weights = block.contexts_per_center() * np.float32(neg_weight)  # (T,)  n_t · K/K'
        pos_loss = (lambda: -float(np.sum(masks * log_sigmoid(scores))))  # noqa: E731
    neg_loss, curvature = _negative_terms(centers[W:], T, noise_rows, weights, grad_center_rows, grad_outside[T:],
                                          want_loss)
    loss = pos_loss() + neg_loss() if want_loss else float("nan")
    return loss, grad_center_rows, grad_outside, curvature


def token_groups(T: int, groups: int) -> np.ndarray:
    """(T,) the negative group of each block position: G consecutive runs of ⌈T/G⌉ tokens (the last shorter)."""
    return np.arange(T) // -(-T // groups)


def _negative_terms(centers, T: int, noise_rows, weights, grad_center_rows, grad_noise_rows, want_loss):
    """Σ_t weights_t · Σ_k' −log σ(−u_k'ᵀ v_t) over each token's negatives: (loss thunk, curvature).

    centers: the T rows v_t, then at least G·S − T zero rows (centers_after); noise_rows (K', d): shared by the
    whole block; (G, K', d): group g's K' rows serve the tokens of group g (token_groups), read as (G, S, d), S
    tokens a group, the last zero-padded. Adds ∂J/∂v_t to grad_center_rows (T, d) in place and writes
    ∂J/∂u_k' into grad_noise_rows (G·K', d); curvature is each noise row's NoiseCurvature along its group's
    common direction (noise_curvature).
    """
    d, G = centers.shape[1], _groups(noise_rows)
    S = -(-T // G)  # tokens per group
    if G * S == T:  # a full block
        padded_weights = weights
    else:
        padded_weights = np.zeros(G * S, dtype=weights.dtype)
        padded_weights[:T] = weights
    grouped_centers = centers[:G * S].reshape(G, S, d)  # (G, S, d)  a view
    weights3, noise3 = padded_weights.reshape(G, S, 1), noise_rows.reshape(G, -1, d)  # (G, S, 1), (G, K', d)
    neg_scores = np.matmul(grouped_centers, noise3.transpose(0, 2, 1))  # (G, S, K')
    neg_coeffs = sigmoid(neg_scores)  # (G, S, K')  σ, then ∂J/∂score = w σ in place
    curvature = noise_curvature(grouped_centers, weights3, neg_coeffs)
    neg_coeffs *= weights3
    grad_center_rows += np.matmul(neg_coeffs, noise3).reshape(-1, d)[:T]  # (T, d)
    np.matmul(neg_coeffs.transpose(0, 2, 1), grouped_centers, out=grad_noise_rows.reshape(G, -1, d))  # (G, K', d)
    return (lambda: -float(np.sum(weights3 * log_sigmoid(-neg_scores)))), curvature


TINY = 1e-30  # a norm below this is zero (no common direction)


def noise_curvature(centers, weights3, sigmoids) -> NoiseCurvature:
    """The NoiseCurvature of a group's noise rows: centers (G, S, d) v_t, weights3 (G, S, 1) w_t, sigmoids
    (G, S, K') σ(u_kᵀv_t). m_g = Σ_t w_t v_t / ‖·‖; λ_gk = Σ_t w_t σ(1 − σ) (v_tᵀm_g)²."""
    sums = np.matmul(weights3.transpose(0, 2, 1), centers)  # (G, 1, d)  Σ_t w_t v_t
    norms = np.sqrt(np.matmul(sums, sums.transpose(0, 2, 1)))  # (G, 1, 1)
    directions = (sums / np.maximum(norms, TINY))[:, 0]  # (G, d)
    along = np.matmul(centers, directions[:, :, None])  # (G, S, 1)  v_tᵀm_g
    along *= along
    along *= weights3
    weighted = along.transpose(0, 2, 1)  # (G, 1, S)  w_t (v_tᵀm_g)²
    values = np.matmul(weighted, sigmoids)[:, 0]  # (G, K')  Σ_t w_t (v_tᵀm_g)² σ, then less the same of σ²:
    values -= np.matmul(weighted, sigmoids * sigmoids)[:, 0]  # two products, not a (G, S, K') difference
    return NoiseCurvature(directions, values)


def by_pairs(block: Block) -> bool:
    """Whether a block is computed pair by pair rather than by shifting: when its halo (W tokens either side)
    outweighs its centers, as with wide windows, the (2W, T + 2W, d) shifted arrays would be mostly zeros (at
    --window 1000, blocks of 2 tokens made them 1.6 GB and a step took seconds)."""
    return len(block.ids) <= 4 * block.window


def _skipgram_positive_pairs(center_rows, outside_rows, block: Block):
    """The positive terms of skipgram_block_neg pair by pair: (loss thunk, grad_center_rows, grad_outside_rows)."""
    centers, contexts = block.pairs()  # (P,), (P,)
    scores = np.einsum("pd,pd->p", center_rows[centers], outside_rows[contexts])  # (P,)
    coeffs = (sigmoid(scores) - 1.0)[:, None]  # (P, 1)
    grad_center_rows, grad_outside_rows = np.zeros_like(center_rows), np.zeros_like(outside_rows)
    scatter_add(grad_center_rows, centers, coeffs * outside_rows[contexts])
    scatter_add(grad_outside_rows, contexts, coeffs * center_rows[centers])
    return (lambda: -float(np.sum(log_sigmoid(scores)))), grad_center_rows, grad_outside_rows


def _context_means(center_rows, block: Block):
    """CBOW's v̂_t = (1/n_t) Σ_(context j of t) v_j for every position; 0 where n_t = 0. Also returns n_t."""
    masks = block.masks  # (2W, T)
    n = masks.sum(axis=0)  # (T,)
    if by_pairs(block):
        centers, contexts = block.pairs()
        sums = np.zeros_like(center_rows)
        scatter_add(sums, centers, center_rows[contexts])
    else:
        sums = sum_over_neighbours(masks, gather_neighbours(center_rows, block.window))  # (T, d)
    return sums / np.maximum(n, 1.0)[:, None], n


def _spread_to_contexts(grad_means, n, block: Block, full_spread=False):
    """Back through v̂_t: each context row j of t receives ∂J/∂v̂_t / n_t (the gradient).

    full_spread gives each context row the whole ∂J/∂v̂_t instead, as word2vec and gensim update CBOW's context
    words (cbow_mean=1): not the gradient but the step training takes, n_t times larger for the context vectors.
    """
    per_context = grad_means if full_spread else grad_means / np.maximum(n, 1.0)[:, None]  # (T, d)
    if by_pairs(block):
        centers, contexts = block.pairs()
        spread = np.zeros_like(per_context)
        scatter_add(spread, contexts, per_context[centers])
        return spread
    return send_to_neighbours(block.masks, per_context)


def cbow_block_neg(center_rows, outside_rows, noise_rows, block: Block, neg_weight: float, want_loss=True,
                   full_spread=False):
    """CBOW with negative sampling over a block: each token t with n_t > 0 is predicted from v̂_t.

        J = Σ_t [ −log σ(u_tᵀ v̂_t) + w · Σ_k' −log σ(−u_k'ᵀ v̂_t) ]        w = neg_weight = K / K'

    Returns (loss or nan, grad_center_rows (T, d), grad_outside_rows (T, d), grad_noise_rows (K', d), the noise
    rows' NoiseCurvature).
    """
    means, n = _context_means(center_rows, block)  # (T, d), (T,)
    active = (n > 0).astype(center_rows.dtype)  # (T,)
    scores = np.einsum("td,td->t", means, outside_rows)  # (T,)
    coeffs = (sigmoid(scores) - 1.0) * active  # (T,)
    grad_means = coeffs[:, None] * outside_rows  # (T, d), then the negatives' terms added
    grad_noise_rows = np.empty((noise_rows.size // means.shape[1], means.shape[1]), dtype=means.dtype)  # (G·K', d)
    neg_loss, curvature = _negative_terms(means, len(means), noise_rows, active * np.float32(neg_weight),
                                          grad_means, grad_noise_rows, want_loss)
    grad_outside_rows = coeffs[:, None] * means  # (T, d)
    grad_center_rows = _spread_to_contexts(grad_means, n, block, full_spread)
    loss = -float(np.sum(active * log_sigmoid(scores))) + neg_loss() if want_loss else float("nan")
    return loss, grad_center_rows, grad_outside_rows, grad_noise_rows, curvature


def skipgram_block_softmax(center_rows, outside_vectors, block: Block, want_loss=True):
    """Skip-gram with the naive softmax over a block: Σ_(t,o) −log softmax(U v_t)_o, exact over all V words.

    Returns (loss or nan, grad_center_rows (T, d), grad_outside_vectors (V, d)).
    """
    centers, contexts = block.pairs()  # (P,), (P,)
    n = block.contexts_per_center()  # (T,)
    y_hat = softmax(center_rows @ outside_vectors.T)  # (T, V)
    loss = float("nan")
    if want_loss:
        loss = -float(np.sum(np.log(y_hat[centers, block.ids[contexts]])))
    delta = y_hat * n[:, None]  # (T, V)  Σ over t's pairs of (ŷ − y)
    np.add.at(delta, (centers, block.ids[contexts]), -1.0)
    return loss, delta @ outside_vectors, delta.T @ center_rows


def cbow_block_softmax(center_rows, outside_vectors, block: Block, want_loss=True, full_spread=False):
    """CBOW with the naive softmax over a block: Σ_t −log softmax(U v̂_t)_(w_t) over tokens with n_t > 0.

    Returns (loss or nan, grad_center_rows (T, d), grad_outside_vectors (V, d)).
    """
    means, n = _context_means(center_rows, block)
    active = np.flatnonzero(n > 0)  # (A,)
    y_hat = softmax(means[active] @ outside_vectors.T)  # (A, V)
    rows = np.arange(len(active))
    loss = -float(np.sum(np.log(y_hat[rows, block.ids[active]]))) if want_loss else float("nan")
    delta = y_hat  # (A, V)
    delta[rows, block.ids[active]] -= 1.0
    grad_means = np.zeros_like(center_rows)
    grad_means[active] = delta @ outside_vectors  # (A, d)
    grad_center_rows = _spread_to_contexts(grad_means, n, block, full_spread)
    return loss, grad_center_rows, delta.T @ means[active]


BLOCK_OBJECTIVES = {("skipgram", "neg"): skipgram_block_neg, ("cbow", "neg"): cbow_block_neg,
                    ("skipgram", "softmax"): skipgram_block_softmax, ("cbow", "softmax"): cbow_block_softmax}


def block_gradient(center_vectors, outside_vectors, block: Block, negative_idxs, *, model="skipgram",
                   loss="neg", neg_weight=1.0, want_loss=True, full_spread=False) -> SparseGradient:
    """The objective training optimises on one block: gather the block's rows, compute, return row gradients.

    model is "skipgram" or "cbow", loss "neg" or "softmax" (negative_idxs (K',) is ignored for softmax; skip-gram
    also takes (G, K'): K' negatives for each group of tokens, token_groups). The outside rows are the block's,
    then the negatives' in order (raveled).
    full_spread (CBOW only) returns word2vec's context-word step instead of the exact gradient.
    """
    objective = BLOCK_OBJECTIVES[(model, loss)]
    if full_spread and model == "cbow":
        objective = functools.partial(objective, full_spread=True)  # word2vec's CBOW step (_spread_to_contexts)
    if loss == "softmax":
        center_rows = np.take(center_vectors, block.ids, axis=0)  # (T, d)
        value, grad_center_rows, grad_outside = objective(center_rows, outside_vectors, block, want_loss)
        return SparseGradient(value, block.ids, grad_center_rows, None, grad_outside)
    if model == "skipgram":  # gathered straight into padded buffers, the outside rows returned as one array
        value, grad_center_rows, outside_idxs, grad_outside_rows, curvature = skipgram_block_neg_gathered(
            center_vectors, block.ids, outside_vectors, block, negative_idxs, neg_weight, want_loss)
        return SparseGradient(value, block.ids, grad_center_rows, outside_idxs, grad_outside_rows, curvature)
    negative_idxs = np.asarray(negative_idxs, dtype=np.int64)
    noise_rows = np.take(outside_vectors, negative_idxs, axis=0)  # (K', d), or (G, K', d)
    outside_idxs = np.concatenate([block.ids, negative_idxs.ravel()])  # (T + G·K',)
    center_rows = np.take(center_vectors, block.ids, axis=0)  # (T, d)
    outside_rows = np.take(outside_vectors, block.ids, axis=0)  # (T, d)
    value, grad_center_rows, grad_outside_rows, grad_noise_rows, curvature = objective(
        center_rows, outside_rows, noise_rows, block, neg_weight, want_loss)
    return SparseGradient(value, block.ids, grad_center_rows, outside_idxs,
                          np.concatenate([grad_outside_rows, grad_noise_rows]), curvature)


def block_loss_and_gradient(center_vectors, outside_vectors, block: Block, negative_idxs, **options):
    """block_gradient as dense matrices: (loss, grad_center_vectors (V, d), grad_outside_vectors (V, d))."""
    grad = block_gradient(center_vectors, outside_vectors, block, negative_idxs, **options)
    return grad.dense(center_vectors, outside_vectors)


def make_block(ids, sentence_ids, reduced_windows, window: int, is_center=None) -> Block:
    """The pair masks of a run of tokens.

    ids (T,) word ids; sentence_ids (T,) any labels, equal within a sentence; reduced_windows (T,) b_t in 1..W;
    is_center (T,) bool, False for tokens that only serve as context (the halo around a block), default all.
    masks[k, t] = (0 ≤ t+s < T) ∧ same sentence ∧ |s| ≤ b_t ∧ is_center_t, for s = offsets[k].
    """
    ids = np.asarray(ids, dtype=np.int64)
    sentence_ids = np.asarray(sentence_ids)
    reach = np.asarray(reduced_windows, dtype=np.int64)  # (T,)
    if is_center is not None:
        reach = np.where(is_center, reach, 0)
    masks = compiled.block_masks(sentence_ids, reach, window)  # the same, by a compiled loop when there is one
    if masks is None:
        partners, inside = _partners(len(ids), window)  # (2W, T) t + s clamped into the run, and whether it fits
        distance = np.abs(offsets(window))[:, None]  # (2W, 1)
        masks = ((sentence_ids[partners] == sentence_ids) & (reach >= distance) & inside).astype(np.float32)
    return Block(ids, masks)


@functools.lru_cache(maxsize=16)
def _partners(T: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """((2W, T) t + offsets[k] clamped into 0..T−1, (2W, T) whether it was inside unclamped), built once per T."""
    partners = neighbour_index(T, window)
    inside = partners == np.arange(T) + offsets(window)[:, None]
    inside.setflags(write=False)
    return partners, inside
