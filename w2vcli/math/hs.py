"""Hierarchical softmax: p(w | v_c) as a product of binary decisions along w's path in a binary tree.

Mikolov et al. (2013b), as word2vec.c and gensim (hs=1) compute it. The V words are the leaves of a binary tree
with V − 1 inner nodes; inner node n has its own vector u_n (the rows of `inner_vectors`, (V − 1, d)). Word w's
path from the root visits the inner nodes n_1..n_L(w) and turns left (code 0) or right (code 1) at each:

    p(w | v_c) = Π_l σ(s_l u_{n_l}ᵀ v_c)          s_l = 1 − 2·code_l  (+1 left, −1 right, word2vec's convention)

so the probabilities of all V leaves sum to 1 (tested) at a cost of L ≈ log2 V dot products instead of V.
Here: the tree as paths (TreePaths, built from any sequence of merges), the per-example loss that reads like the
derivation, and the batched block objectives training runs (tested equal to sums of the per-example loss).
Which tree: data/huffman.py (word2vec's Huffman tree from the counts). Pure: no I/O, no randomness.

Legend: V vocabulary, d dimension, L longest path, T block tokens, W window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .batched import Block, SparseGradient, _context_means, _spread_to_contexts, gather_neighbours, offsets
from .core import LossAndGradient, log_sigmoid, sigmoid


@dataclass(frozen=True)
class TreePaths:
    """Every word's path from the root: the inner nodes it visits and the turn it takes at each, padded to L."""

    points: np.ndarray  # (V, L) int32 inner-node ids, root first; 0 past the end of the path
    codes: np.ndarray  # (V, L) int8 0 (left) or 1 (right); 0 past the end
    lengths: np.ndarray  # (V,) int32 path lengths, each ≥ 1

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def mask(self) -> np.ndarray:
        """(V, L) float64: 1 on the path, 0 on the padding."""
        return (np.arange(self.points.shape[1])[None, :] < self.lengths[:, None]).astype(np.float64)

    def path(self, word: int) -> tuple[np.ndarray, np.ndarray]:
        """(points (L_w,), codes (L_w,)) of one word, unpadded."""
        length = int(self.lengths[word])
        return self.points[word, :length], self.codes[word, :length]


def paths_from_merges(first, second) -> TreePaths:
    """The paths of the tree built by V − 1 merges: merge a joins nodes first[a] (code 0) and second[a] (code 1)
    into the new inner node a. Node ids: the words are 0..V−1, inner node a is V + a; the last merge is the root.
    """
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    V = len(first) + 1
    parent = np.full(2 * V - 1, -1, dtype=np.int64)  # (2V − 1,)  −1 for the root
    parent[first], parent[second] = V + np.arange(V - 1), V + np.arange(V - 1)
    code = np.zeros(2 * V - 1, dtype=np.int64)
    code[second] = 1
    depth = np.zeros(2 * V - 1, dtype=np.int64)  # inner nodes above each node
    for node in range(2 * V - 3, -1, -1):  # a parent is always created after its children
        depth[node] = depth[parent[node]] + 1
    lengths = depth[:V].astype(np.int32)
    points = np.zeros((V, int(lengths.max())), dtype=np.int32)  # compact: a vocabulary of 10⁶ words needs L ≈ 40
    codes = np.zeros((V, int(lengths.max())), dtype=np.int8)
    node, level, words = np.arange(V), depth[:V].copy(), np.arange(V)
    while np.any(level > 0):  # walk every word up one step at a time, filling its path from the leaf end
        on = level > 0
        points[words[on], level[on] - 1] = parent[node[on]] - V
        codes[words[on], level[on] - 1] = code[node[on]]
        node[on], level[on] = parent[node[on]], level[on] - 1
    return TreePaths(points, codes, lengths)


def hs_loss_and_gradient(center_vec, points, codes, inner_vectors):
    """Hierarchical-softmax loss of one word (its path given by points, codes (L_w,)) predicted from center_vec.

        J = −log p(w | v_c) = −Σ_l log σ(s_l u_lᵀ v_c)        u_l = inner_vectors[points[l]], s_l = 1 − 2·code_l
        ∂J/∂(u_lᵀ v_c) = −s_l (1 − σ(s_l u_lᵀ v_c)) = σ(u_lᵀ v_c) − (1 − code_l)
        ∂J/∂v_c = Σ_l (σ(u_lᵀ v_c) − (1 − code_l)) u_l
        ∂J/∂u_l = (σ(u_lᵀ v_c) − (1 − code_l)) v_c

    The nodes of one path are distinct, so each gets exactly one term.
    Returns (loss, grad_center_vec (d,), grad_inner_vectors (V − 1, d)).
    """
    points = np.asarray(points, dtype=np.int64)  # (L_w,)
    codes = np.asarray(codes, dtype=np.float64)  # (L_w,)
    u = inner_vectors[points]  # (L_w, d)
    scores = u @ center_vec  # (L_w,)
    signs = 1.0 - 2.0 * codes  # (L_w,)
    loss = -float(np.sum(log_sigmoid(signs * scores)))
    coeffs = sigmoid(scores) - (1.0 - codes)  # (L_w,)
    grad_center_vec = coeffs @ u  # (d,)
    grad_inner_vectors = np.zeros_like(inner_vectors)  # (V − 1, d)
    grad_inner_vectors[points] = np.outer(coeffs, center_vec)
    return loss, grad_center_vec, grad_inner_vectors


def hs_with_paths(paths: TreePaths) -> LossAndGradient:
    """Bind the loss to a tree, giving the (center_vec, outside_idx, inner_vectors) form core.skipgram and
    core.cbow take: the outside word is predicted through its path, and the 'outside vectors' are the inner nodes."""

    def loss_and_gradient(center_vec, outside_idx, inner_vectors):
        points, codes = paths.path(outside_idx)
        return hs_loss_and_gradient(center_vec, points, codes, inner_vectors)

    return loss_and_gradient


def skipgram_block_hs(center_rows, path_rows, path_codes, path_mask, block: Block, want_loss=True):
    """Skip-gram with hierarchical softmax over a block, as word2vec and gensim pair the words: each context word's
    vector predicts the path of its center word (the same pairs as core.skipgram, roles exchanged).

        J = Σ_t Σ_(j context of t) Σ_l −log σ(s_tl u_tlᵀ v_j)          u_tl = inner row of node l of word w_t's path

    center_rows (T, d) = V[ids]; path_rows (T, L, d), path_codes (T, L), path_mask (T, L) = the paths of ids.
    Returns (loss or nan, grad_center_rows (T, d), grad_path_rows (T, L, d)).
    """
    contexts = gather_neighbours(center_rows, block.window).transpose(1, 0, 2)  # (T, 2W, d)  v_(t+s_k)
    scores = np.matmul(contexts, path_rows.transpose(0, 2, 1))  # (T, 2W, L)
    weights = block.masks.T[:, :, None] * path_mask[:, None, :]  # (T, 2W, L)  1 on real (pair, node)
    coeffs = (sigmoid(scores) - (1.0 - path_codes[:, None, :])) * weights  # (T, 2W, L)
    grad_path_rows = np.matmul(coeffs.transpose(0, 2, 1), contexts)  # (T, L, d)
    grad_contexts = np.matmul(coeffs, path_rows)  # (T, 2W, d)  for the row at t + s_k
    grad_center_rows = _send_each_to_neighbours(grad_contexts.transpose(1, 0, 2))  # (T, d)
    loss = float("nan")
    if want_loss:
        signs = 1.0 - 2.0 * path_codes[:, None, :]  # (T, 1, L)
        loss = -float(np.sum(weights * log_sigmoid(signs * scores)))
    return loss, grad_center_rows, grad_path_rows


def _send_each_to_neighbours(grads) -> np.ndarray:
    """out[t + offsets[k]] += grads[k, t] for every k, t whose neighbour lies in the block: (2W, T, d) -> (T, d).

    Entries whose neighbour falls outside the block must be zero (they are: their pair mask is 0).
    """
    T = grads.shape[1]
    out = np.zeros(grads.shape[1:], dtype=grads.dtype)  # (T, d)
    for k, s in enumerate(offsets(len(grads) // 2)):
        if abs(s) < T:
            out[max(s, 0):T + min(s, 0)] += grads[k, max(-s, 0):T - max(s, 0)]
    return out


def cbow_block_hs(center_rows, path_rows, path_codes, path_mask, block: Block, want_loss=True, full_spread=False):
    """CBOW with hierarchical softmax over a block: each token t with n_t > 0 is predicted from v̂_t.

        J = Σ_t Σ_l −log σ(s_tl u_tlᵀ v̂_t)                        v̂_t = mean of t's context rows

    Returns (loss or nan, grad_center_rows (T, d), grad_path_rows (T, L, d)); full_spread as in batched.py.
    """
    means, n = _context_means(center_rows, block)  # (T, d), (T,)
    weights = path_mask * (n > 0)[:, None]  # (T, L)
    scores = np.einsum("td,tld->tl", means, path_rows)  # (T, L)
    coeffs = (sigmoid(scores) - (1.0 - path_codes)) * weights  # (T, L)
    grad_means = np.einsum("tl,tld->td", coeffs, path_rows)  # (T, d)
    grad_path_rows = coeffs[:, :, None] * means[:, None, :]  # (T, L, d)
    grad_center_rows = _spread_to_contexts(grad_means, n, block, full_spread)
    loss = -float(np.sum(weights * log_sigmoid((1.0 - 2.0 * path_codes) * scores))) if want_loss else float("nan")
    return loss, grad_center_rows, grad_path_rows


HS_BLOCK_OBJECTIVES = {"skipgram": skipgram_block_hs, "cbow": cbow_block_hs}


def block_gradient_hs(center_vectors, inner_vectors, block: Block, paths: TreePaths, *, model="skipgram",
                      want_loss=True, full_spread=False) -> SparseGradient:
    """The hierarchical-softmax objective on one block as row gradients: ∂J/∂V[ids] and ∂J/∂inner[path nodes].

    The 'outside' matrix of the SparseGradient is inner_vectors (V − 1, d).
    """
    dtype = center_vectors.dtype
    center_rows = np.take(center_vectors, block.ids, axis=0)  # (T, d)
    points = paths.points[block.ids]  # (T, L)
    lengths = paths.lengths[block.ids]  # (T,)
    L = int(lengths.max()) if len(lengths) else 1  # trim the padding to this block's longest path
    points = points[:, :L]
    path_mask = (np.arange(L)[None, :] < lengths[:, None]).astype(dtype)  # (T, L)
    path_codes = paths.codes[block.ids, :L].astype(dtype)  # (T, L)
    path_rows = np.take(inner_vectors, points, axis=0)  # (T, L, d)
    kwargs = {"full_spread": True} if full_spread and model == "cbow" else {}
    value, grad_center_rows, grad_path_rows = HS_BLOCK_OBJECTIVES[model](
        center_rows, path_rows, path_codes, path_mask, block, want_loss, **kwargs)
    on_path = path_mask.ravel() > 0
    return SparseGradient(value, block.ids, grad_center_rows, points.ravel()[on_path],
                          grad_path_rows.reshape(-1, center_rows.shape[1])[on_path])


def block_loss_and_gradient_hs(center_vectors, inner_vectors, block: Block, paths: TreePaths, **options):
    """block_gradient_hs as dense matrices: (loss, grad_center_vectors (V, d), grad_inner_vectors (V − 1, d))."""
    return block_gradient_hs(center_vectors, inner_vectors, block, paths, **options).dense(center_vectors,
                                                                                          inner_vectors)
