"""Hierarchical softmax: p(w | v_c) as a product of binary decisions along w's path in a binary tree.

Mikolov et al. (2013b), as word2vec.c and gensim (hs=1) compute it. The V words are the leaves of a binary tree
with V − 1 inner nodes; inner node n has its own vector u_n (the rows of `inner_vectors`, (V − 1, d)). Word w's
path from the root visits the inner nodes n_1..n_L(w) and turns left (code 0) or right (code 1) at each:

    p(w | v_c) = Π_l σ(s_l u_{n_l}ᵀ v_c)          s_l = 1 − 2·code_l  (+1 left, −1 right, word2vec's convention)

so the probabilities of all V leaves sum to 1 (tested) at a cost of L ≈ log2 V dot products instead of V.
Here: the tree as paths (TreePaths, built from any sequence of merges), the per-example loss that reads like the
derivation, and the batched block objectives training runs (tested equal to sums of the per-example loss), whose
gradient comes with each inner node once, its terms summed (node_gradient), and the paths through it counted.
Which tree: data/huffman.py (word2vec's Huffman tree from the counts). Pure: no I/O, no randomness.

Legend: V vocabulary, d dimension, L longest path, T block tokens, W window, N distinct nodes of a block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import compiled
from .batched import Block, _context_means, _spread_to_contexts
from .scatter import Runs, SparseGradient
from .windows import padded_rows, window_masks, window_view
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


@dataclass(frozen=True)
class NodeTerms:
    """What the inner nodes' gradient is made of: node l of token t's path receives
    Σ_j coeffs[t, j, l] · sources[source_index[t, j]]; inputs (T, J, d) is sources[source_index], as a view."""

    coeffs: np.ndarray  # (T, J, L)  ∂J/∂(u_tlᵀ x_tj), 0 off the path and off the pairs
    inputs: np.ndarray  # (T, J, d)  x_tj: the vectors that met node l of t's path
    sources: np.ndarray  # (S, d)  the distinct rows behind inputs
    source_index: np.ndarray  # (T, J)  int: inputs[t, j] = sources[source_index[t, j]]


def skipgram_block_hs(center_rows, path_rows, path_codes, path_mask, block: Block, want_loss=True):
    """Skip-gram with hierarchical softmax over a block, as word2vec and gensim pair the words: each context word's
    vector predicts the path of its center word (the same pairs as core.skipgram, roles exchanged).

        J = Σ_t Σ_(j context of t) Σ_l −log σ(s_tl u_tlᵀ v_j)          u_tl = inner row of node l of word w_t's path

    center_rows (T, d) = V[ids]; path_rows (T, L, d), path_codes (T, L), path_mask (T, L) = the paths of ids.
    Returns (loss or nan, grad_center_rows (T, d), NodeTerms with J = 2W + 1: the window of t).
    The context rows are read off a window view (windows.window_view): no (2W, T, d) copy of the neighbours.
    """
    W, T = block.window, len(center_rows)
    masks = window_masks(block.masks)  # (T, 2W+1)  1 where t + j − W is a context word of t
    padded = padded_rows(center_rows, W)  # (T + 2W, d)
    contexts = window_view(padded, W)  # (T, 2W+1, d)  v_(t+j−W), no copy
    scores = np.matmul(contexts, path_rows.transpose(0, 2, 1))  # (T, 2W+1, L)
    weights = masks[:, :, None] * path_mask[:, None, :]  # (T, 2W+1, L)  1 on real (pair, node)
    coeffs = sigmoid(scores)  # (T, 2W+1, L)  ∂J/∂score = σ − (1 − code), in place
    coeffs -= 1.0 - path_codes[:, None, :]
    coeffs *= weights
    grad_center_rows = _sum_over_windows(np.matmul(coeffs, path_rows), W)  # (T, d)
    loss = float("nan")
    if want_loss:
        signs = 1.0 - 2.0 * path_codes[:, None, :]  # (T, 1, L)
        loss = -float(np.sum(weights * log_sigmoid(signs * scores)))
    window_index = np.arange(T)[:, None] + np.arange(2 * W + 1)  # (T, 2W+1)  row of padded
    return loss, grad_center_rows, NodeTerms(coeffs, contexts, padded, window_index)


def _sum_over_windows(grads, window: int) -> np.ndarray:
    """The transpose of window_view: out[t + j − W] += grads[t, j] for every t, j that lands in the block.
    (T, 2W+1, d) -> (T, d). Entries whose row falls outside the block must be zero (their pair mask is 0)."""
    T = len(grads)
    out = np.zeros((T + 2 * window, grads.shape[2]), dtype=grads.dtype)  # (T + 2W, d), padded as window_view
    for j in range(2 * window + 1):
        if j != window:
            out[j:j + T] += grads[:, j]
    return out[window:window + T]


def cbow_block_hs(center_rows, path_rows, path_codes, path_mask, block: Block, want_loss=True, full_spread=False):
    """CBOW with hierarchical softmax over a block: each token t with n_t > 0 is predicted from v̂_t.

        J = Σ_t Σ_l −log σ(s_tl u_tlᵀ v̂_t)                        v̂_t = mean of t's context rows

    Returns (loss or nan, grad_center_rows (T, d), NodeTerms with J = 1: v̂_t); full_spread as in batched.py.
    """
    means, n = _context_means(center_rows, block)  # (T, d), (T,)
    weights = path_mask * (n > 0)[:, None]  # (T, L)
    scores = np.einsum("td,tld->tl", means, path_rows)  # (T, L)
    coeffs = (sigmoid(scores) - (1.0 - path_codes)) * weights  # (T, L)
    grad_means = np.einsum("tl,tld->td", coeffs, path_rows)  # (T, d)
    grad_center_rows = _spread_to_contexts(grad_means, n, block, full_spread)
    loss = -float(np.sum(weights * log_sigmoid((1.0 - 2.0 * path_codes) * scores))) if want_loss else float("nan")
    terms = NodeTerms(coeffs[:, None, :], means[:, None, :], means, np.arange(len(means))[:, None])
    return loss, grad_center_rows, terms


HS_BLOCK_OBJECTIVES = {"skipgram": skipgram_block_hs, "cbow": cbow_block_hs}
SHALLOW_DEPTH = 6  # the path columns summed per node as one matrix product: at most 2⁶ − 1 = 63 nodes


@dataclass(frozen=True)
class HSGradient(SparseGradient):
    """A block's hierarchical-softmax gradient: outside_idxs are the distinct inner nodes of the block's paths
    (each once, its rows summed), and node_counts (N,) how many of the block's paths visit each (the cap of
    training/step.py scales a node's summed row by them)."""

    node_counts: np.ndarray = None  # (N,) int64


def block_gradient_hs(center_vectors, inner_vectors, block: Block, paths: TreePaths, *, model="skipgram",
                      want_loss=True, full_spread=False) -> HSGradient:
    """The hierarchical-softmax objective on one block as row gradients: ∂J/∂V[ids] and ∂J/∂inner[path nodes].

    The 'outside' matrix of the gradient is inner_vectors (V − 1, d). Only the tokens with a context word (the
    centers that predict or are predicted) walk their paths; node_gradient sums each node's terms.
    """
    dtype = center_vectors.dtype
    center_rows = np.take(center_vectors, block.ids, axis=0)  # (T, d)
    lengths = np.where(block.masks.any(axis=0), paths.lengths[block.ids], 0)  # (T,) 0: no pair, no path
    L = max(int(lengths.max()), 1) if len(lengths) else 1  # trim the padding to this block's longest path
    points = paths.points[block.ids, :L]  # (T, L)
    path_mask = np.arange(L)[None, :] < lengths[:, None]  # (T, L) bool
    path_codes = paths.codes[block.ids, :L].astype(dtype)  # (T, L)
    path_rows = np.take(inner_vectors, points, axis=0)  # (T, L, d)
    kwargs = {"full_spread": True} if full_spread and model == "cbow" else {}
    value, grad_center_rows, terms = HS_BLOCK_OBJECTIVES[model](
        center_rows, path_rows, path_codes, path_mask.astype(dtype), block, want_loss, **kwargs)
    nodes, grad_node_rows, counts = node_gradient(points, path_mask, terms)
    return HSGradient(value, block.ids, grad_center_rows, nodes, grad_node_rows, node_counts=counts)


def node_gradient(points, path_mask, terms: NodeTerms, shallow: int = SHALLOW_DEPTH):
    """Every inner node's summed gradient row: (nodes (N,) distinct, sums (N, d), counts (N,) paths through each).

    Two ways, split by depth (a node's depth is its column, so the two sets of nodes are disjoint):
    1. the first `shallow` columns hold few nodes (2^l at depth l) on nearly every path: their coefficients are
       summed per (node, source row) by one bincount, then one matrix product with the source rows;
    2. the deeper columns, whose nodes are on few paths each: a row per (token, node) by matmul, then sum_by_node.
    Neither scatters with repeats (np.add.at); both are exact sums. Moving the split from depth 6 to 7, 8 or 9
    changed a block's time by less than the noise (3.7–4.4 ms on Brown); at 4 it was slower.
    """
    T, L = points.shape
    S = min(shallow, L)
    parts = []
    if S:
        nodes, local = np.unique(points[:, :S], return_inverse=True)  # (K,), (T·S,)
        local = local.reshape(T, S)
        n_sources = len(terms.sources)
        flat = local[:, None, :] * n_sources + terms.source_index[:, :, None]  # (T, J, S)  (node, source row)
        weights = np.bincount(flat.ravel(), weights=terms.coeffs[:, :, :S].ravel(),
                              minlength=len(nodes) * n_sources).reshape(len(nodes), n_sources)  # (K, S_rows)
        sums = weights.astype(terms.sources.dtype) @ terms.sources  # (K, d)
        counts = np.bincount(local[path_mask[:, :S]], minlength=len(nodes))  # (K,)
        on = counts > 0  # a node seen only as padding is no node of the block
        parts.append((nodes[on].astype(np.int64), sums[on], counts[on]))
    if L > S:
        deep_coeffs = np.ascontiguousarray(terms.coeffs[:, :, S:].transpose(0, 2, 1))  # (T, L − S, J)  for BLAS
        deep = np.matmul(deep_coeffs, terms.inputs)  # (T, L − S, d)
        parts.append(sum_by_node(points[:, S:], deep, path_mask[:, S:]))
    return tuple(np.concatenate(column) for column in zip(*parts))


def sum_by_node(points, grad_path_rows, path_mask):
    """The rows of the same node summed, after one sort: points (T, L), grad_path_rows (T, L, d), path_mask (T, L)
    bool -> (nodes (N,) distinct, sums (N, d), counts (N,)).

    Each node's first row is copied, then its second rows are added to all nodes at once, then its third, and so
    on: every step a fancy-index add over distinct nodes (exact), as many steps as the longest run of one node
    (26 in a Brown block's deep columns). Measured on those columns: 0.9 ms a block, against 1.4 ms for
    np.add.reduceat over the sorted rows, whose inner loop runs once per row. With Numba, one compiled loop does the
    same sums (math/compiled.py, equal to the bit).
    """
    result = compiled.sum_by_node(points, grad_path_rows, path_mask)
    if result is not None:
        return result
    on_path = np.flatnonzero(path_mask.ravel())  # (R,)
    flat_points = points.ravel()[on_path]  # (R,)
    order = np.argsort(flat_points, kind="stable")  # (R,)
    sorted_points = flat_points[order]
    runs = Runs(sorted_points)  # a node's rows are one run
    first, starts, node_of = runs.first, runs.starts, runs.group  # (R,), (N,), (R,) the node of each sorted row
    rank = np.arange(len(order)) - starts[node_of]  # (R,) the row's place in its node's run
    rows = grad_path_rows.reshape(-1, grad_path_rows.shape[2])[on_path[order]]  # (R, d) sorted by node
    sums = rows[starts]  # (N, d) a copy: each node's first row
    later = np.flatnonzero(~first)  # (R − N,)
    k = 1
    while len(later):
        now = rank[later] == k
        sums[node_of[later[now]]] += rows[later[now]]  # the nodes are distinct within one rank
        later, k = later[~now], k + 1
    return sorted_points[starts].astype(np.int64), sums, runs.counts


def block_loss_and_gradient_hs(center_vectors, inner_vectors, block: Block, paths: TreePaths, **options):
    """block_gradient_hs as dense matrices: (loss, grad_center_vectors (V, d), grad_inner_vectors (V − 1, d))."""
    return block_gradient_hs(center_vectors, inner_vectors, block, paths, **options).dense(center_vectors,
                                                                                          inner_vectors)
