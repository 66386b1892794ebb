"""One SGD step on one block, in one place: the gradient, the two dampings, the update.

sgd_step reads top to bottom as the step training takes: 1) the block objective's row gradients
(math.batched.block_gradient, tested equal to core.py and verified by `w2v gradcheck`); 2) damp_noise_rows;
3) the update θ ← θ − lr·g, scattered into the parameter rows with repeats summed, a word's share capped at
--max-repeats occurrences. 2) and the cap are the two departures from plain SGD that keep a block's summed update
stable. Also the block size rule (block_tokens).
Not here: which blocks are trained in which order (trainer.py), or anything about workers (workers.py).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..math.batched import Block, block_gradient
from ..math.scatter import SparseGradient, scatter_add
from ..math.hs import TreePaths, block_gradient_hs
from ..math import compiled
from ..math.subwords import SubwordGradient, SubwordTable, subword_block_objective
from .config import TrainConfig

NODE_REPEATS = 4  # skip-gram --loss hs: a node's summed update counts at most this many times --max-repeats paths
TOKENS_PER_GROUP = 256  # skip-gram: tokens of a block sharing one group of --shared-negatives negatives
PAIRS_PER_BLOCK = 3072  # pairs a block sums at once, about: T ≈ this/(W+1) ...
SKIPGRAM_PAIRS_PER_BLOCK = 6144  # ... and this for word-level skip-gram with negative sampling


def grouped(config: TrainConfig, subwords: bool = False) -> bool:
    """Whether a block's tokens are split into groups of TOKENS_PER_GROUP, each with its own negatives: word-level
    skip-gram with negative sampling."""
    return config.model == "skipgram" and config.loss == "neg" and not (subwords or config.subwords)


def block_tokens(config: TrainConfig) -> int:
    """T: --batch-size, or by default a power of two ≈ 6144/(W+1) tokens for word-level skip-gram with negative
    sampling (1,024 for windows up to 5) and ≈ 3072/(W+1) otherwise (512), never more than those.

    Why: a block sums about T·(W+1) pair gradients into its rows at once. For CBOW and --loss hs 512 tokens at
    W = 5 is the measured sweet spot; at W = 10, blocks of 512 diverged on Brown while blocks of 256 trained as
    well as gensim, so their pairs per block are kept near 3,072. Grouped skip-gram (negatives_shape) takes twice
    that: with its shared negatives damped by damp_noise_rows, blocks of 1,024 tokens (4 groups of 64 negatives)
    scored above gensim on all three measures over six seeds on Brown at 5–8% more CPU per token than blocks of
    512 with 2 groups of 32, which trailed on the analogies; blocks of 2,048 (8 groups) scored worse on all
    three (README, "Performance").
    """
    if config.batch_size:
        return config.batch_size
    pairs, most = (SKIPGRAM_PAIRS_PER_BLOCK, 1024) if grouped(config) else (PAIRS_PER_BLOCK, 512)
    return max(1, min(most, 2 ** int(math.log2(pairs / (config.window + 1)))))


def negatives_shape(config: TrainConfig, T: int, subwords: bool = False) -> tuple[int, ...]:
    """The shape of a block's negatives: (K',) shared by the block, or (G, K') for G groups of its tokens.

    Word-level skip-gram with negative sampling splits a block into G = T/TOKENS_PER_GROUP groups of consecutive
    tokens (math.batched.token_groups), each with its own K' = --shared-negatives negatives, each weighted K/K':
    at the defaults, 4 groups of 256 tokens with 64 negatives each. Why: the three negative products are the
    largest part of a step, and a token costs K' of them whatever the block's size, so blocks can grow (fewer
    steps, less Python per token) while each negative row still receives one group's pairs: about 100 pairs'
    worth on Brown (92–108 over the blocks of three chunks). Measured over six seeds on Brown (2 workers): 32
    negatives per group instead of 64 lost 0.4 points of analogy accuracy in blocks of 512 tokens and 0.5 in
    blocks of 1,024 (README, "Performance").
    CBOW, hierarchical softmax and subwords share K' negatives by the whole block.
    """
    K = config.shared_negatives
    groups = max(1, T // TOKENS_PER_GROUP) if grouped(config, subwords) else 1
    return (K,) if groups == 1 else (groups, K)


def sgd_step(params, block: Block, negatives, lr: float, config: TrainConfig, want_loss: bool,
             table: SubwordTable | None = None, paths: TreePaths | None = None) -> tuple[float, int]:
    """One step on one block: params (V, d) float32 each, updated in place. Returns (loss or nan, pairs).

    With a subword table, params[0] is Z (V + buckets, d) and each word's input vector is composed from its rows
    (math/subwords.py); every row of a word then takes the word's whole step, as fastText updates them, each row
    listed once and capped by damp_subword_rows, then added (sgd_step_subwords).
    With --loss hs, outside_vectors rows 0..V−2 are the inner nodes of the Huffman tree `paths` (root first).
    """
    center_vectors, outside_vectors = params
    shape = np.shape(negatives) if negatives is not None else (config.shared_negatives,)  # (K',) or (G, K')
    neg_weight = config.negatives / shape[-1]  # K / K' (K' per group)
    n = block.contexts_per_center()  # (T,) context words of each center
    options = dict(model=config.model, want_loss=want_loss, full_spread=True)  # CBOW steps as word2vec does
    if config.loss == "hs":
        return sgd_step_hs(params, block, lr, config, paths, options)
    if table is not None:
        return sgd_step_subwords(params, block, negatives, lr, config, table, neg_weight, options)
    grad = block_gradient(center_vectors, outside_vectors, block, negatives, loss=config.loss,
                          neg_weight=neg_weight, **options)
    if config.model == "skipgram":
        grad = damp_noise_rows(grad, lr)
    sgd_update(params, grad, lr, config.max_repeats)
    return grad.loss, block_pairs(n, config)


def sgd_step_subwords(params, block: Block, negatives, lr: float, config: TrainConfig, table: SubwordTable,
                      neg_weight: float, options: dict) -> tuple[float, int]:
    """sgd_step with a subword table: the objective on composed vectors, then each token's step sent back to its
    rows, capped (damp_subword_rows) and added; with Numba, that last part is one compiled loop
    (math/compiled.py, equal to the bit), else NumPy's."""
    center_vectors, outside_vectors = params
    part = subword_block_objective(center_vectors, outside_vectors, table, block, negatives, loss=config.loss,
                                   neg_weight=neg_weight, **options)
    if not (part.full_spread and compiled.add_subword_rows(center_vectors, table, part.composed.words,
                                                           part.composed.inverse, part.token_grads,
                                                           config.max_repeats, np.float32(-lr))):
        grad = damp_subword_rows(part.gradient(), config.max_repeats)
        center_vectors[grad.center_idxs] += np.float32(-lr) * grad.grad_center_rows  # distinct rows
    outside = SparseGradient(part.loss, None, None, part.outside_idxs, part.grad_outside_rows,
                             part.noise_curvature)
    if config.model == "skipgram":
        outside = damp_noise_rows(outside, lr)
    update_outside(outside_vectors, outside, lr, config.max_repeats)
    return part.loss, block_pairs(block.contexts_per_center(), config)


def block_pairs(n, config: TrainConfig) -> int:
    """The (center, context) pairs a step trained, from each center's context count n (T,): skip-gram predicts
    every context word, CBOW one center per window that has any."""
    return int(n.sum()) if config.model == "skipgram" else int(np.count_nonzero(n))


def sgd_step_hs(params, block: Block, lr: float, config: TrainConfig, paths: TreePaths, options: dict):
    """sgd_step for --loss hs: the gradient (math/hs.py, every inner node's rows already summed), the cap of
    sgd_update for the words and, for each node, cap_nodes; no shared negatives. Returns (loss or nan, pairs)."""
    center_vectors, inner_vectors = params
    grad = block_gradient_hs(center_vectors, inner_vectors, block, paths, **options)
    scale = np.float32(-lr)
    scatter_add(center_vectors, grad.center_idxs, scale * grad.grad_center_rows, config.max_repeats)
    node_cap = NODE_REPEATS * config.max_repeats if config.model == "skipgram" else config.max_repeats
    factors = cap_nodes(grad.node_counts, node_cap) * scale  # (N,)
    inner_vectors[grad.outside_idxs] += factors[:, None] * grad.grad_outside_rows  # the nodes are distinct
    return grad.loss, block_pairs(block.contexts_per_center(), config)


def cap_nodes(counts, cap: int) -> np.ndarray:
    """(N,) float32: the share of its summed update each inner node takes, min(1, cap / paths through it).

    Why: as sgd_update's cap for words. The nodes near the root are on nearly every path of a block (the root on
    all of them), so their summed update adds hundreds of updates computed at the same parameters; uncapped, Brown
    diverged in the first epoch. Why NODE_REPEATS × --max-repeats (32 at the defaults) and not --max-repeats: at 8
    the nodes near the root learnt too little (WordSim-353 0.231–0.233 on Brown against gensim's 0.297–0.333); at
    32, 0.266–0.285 with the analogies level (4.2–4.5% against 4.3–4.4%); at 64 and 128 no better (README,
    "Hierarchical softmax against gensim"). Skip-gram only: measured there; CBOW with it lost a royal neighbour
    of "king" on the 143-word example corpus (tests/test_train_hs.py), so CBOW keeps --max-repeats.
    """
    return np.minimum(1.0, cap / np.maximum(counts, 1)).astype(np.float32)


def sgd_update(params, grad: SparseGradient, lr: float, max_repeats: int = 0) -> None:
    """θ ← θ − lr·∂J/∂θ for both matrices, in place; repeated rows add up (scatter_add), but a word repeated
    c > max_repeats times in the block moves by max_repeats/c of its summed update (0: no cap).

    Why the cap: a block applies the gradients of all its positions at once, computed at the same parameters.
    Plain SGD over the pairs one by one would see each update before the next; summing c of them at once
    overshoots when c is large, which happens for the frequent words of a small vocabulary (and with several
    workers, whose blocks land together). Measured: without it, a 143-word corpus diverges with blocks of 1,024
    tokens. The counts come free with the scatter's sort of the rows. The naive softmax (a dense outside
    gradient) is never capped.
    """
    center_vectors, outside_vectors = params
    scale = np.float32(-lr)
    if grad.outside_idxs is None:  # the naive softmax: a dense (V, d) gradient, never capped
        scatter_add(center_vectors, grad.center_idxs, scale * grad.grad_center_rows)
    else:
        scatter_add(center_vectors, grad.center_idxs, grad.grad_center_rows, max_repeats, scale)
    update_outside(outside_vectors, grad, lr, max_repeats)


def damp_subword_rows(grad: SubwordGradient, cap: int) -> SubwordGradient:
    """Scale each row's summed update down to cap tokens' worth when more of the block's tokens hold it: a word's
    own row as sgd_update's --max-repeats cap does, and an n-gram row shared by several words alike.

    Why: an n-gram row is shared by every word that holds it ("ing>", "<th"), so a block sends many tokens' steps
    into it at once, all computed at the same parameters, where fastText applies them one after another.
    Measured on Brown with blocks of 512 tokens: with two workers, whose blocks land together, the loss rose from
    3.9 to over 50 (divergence) at --lr 0.025 without this; one worker trained.
    """
    users = grad.row_users  # (W + U,)
    if len(users) == 0 or users.max() <= cap:
        return grad
    scale = np.minimum(1.0, cap / users).astype(grad.grad_center_rows.dtype)  # (W + U,)
    return dataclasses.replace(grad, grad_center_rows=grad.grad_center_rows * scale[:, None])


def update_outside(outside_vectors, grad: SparseGradient, lr: float, max_repeats: int) -> None:
    """The outside half of sgd_update: U ← U − lr·∂J/∂U, repeats summed and capped (dense for the naive softmax)."""
    scale = np.float32(-lr)
    if grad.outside_idxs is None:  # the naive softmax: a dense (V, d) gradient
        outside_vectors += scale * grad.grad_outside_rows
    else:
        scatter_add(outside_vectors, grad.outside_idxs, grad.grad_outside_rows, max_repeats, scale)


def damp_noise_rows(grad: SparseGradient, lr: float) -> SparseGradient:
    """The shared negatives' step along their group's common direction m: the gradient flow's, not the lump's.

    A shared negative u_k receives the summed gradient of all its group's pairs in one step, Σ_t w_t σ_t v_t,
    computed at the same parameters (about 100 pairs' worth at the defaults on Brown). The centers' vectors share
    a large common component (word2vec's vectors all lean one way), so along m = Σ_t w_t v_t/‖·‖ those pair
    gradients add up instead of cancelling. Plain SGD, taking the pairs one after another, would see u_kᵀv_t fall
    after each and push less; the lump pushes with all of them at once and overshoots. Here the component of the
    step along m is the one of the gradient flow on the row's loss for time lr (what many small steps amount to),
    on its quadratic model along m: g_m ← φ(lr·λ) g_m with φ(z) = (1 − e^(−z))/z and λ the row's curvature along
    m (grad.noise_curvature, math/batched.py). The rest of the row's step is plain SGD's; a lump of one pair has
    lr·λ ≈ 0 and φ ≈ 1, so small blocks step as before.

    Why: it replaces a hand-set cap on the pairs' worth a negative may take (256), and measured on Brown over
    seeds 1-6 (2 workers) it lifted SimLex-999 from 0.143 to 0.167 and WordSim-353 from 0.271 to 0.283 (gensim:
    0.153, 0.248), with the analogies at 3.24% against 3.41% (gensim 3.72%; README, "Performance"). The lumps
    had inflated the output vectors' common component: the norm of their mean was 2.59, now 2.03, gensim's 1.51
    (seed 3).
    Subwords (Brown, 2 runs): SimLex-999 0.099 against 0.072, WS-353 0.39 against 0.36, analogies 50.4% against
    52.4%. Skip-gram only: a CBOW block gives each negative at most T·K/K' pairs (40 at the defaults), and
    there it cost WS-353 0.014 over six seeds (0.149 against 0.163) for SimLex +0.004.
    In place on grad's outside rows; returned for chaining.
    """
    curvature = grad.noise_curvature
    if curvature is None:
        return grad
    G, K = curvature.values.shape
    directions = curvature.directions.astype(grad.grad_outside_rows.dtype, copy=False)  # (G, d)
    noise = grad.grad_outside_rows[-G * K:].reshape(G, K, -1)  # (G, K', d) a view: written in place
    along = np.matmul(noise, directions[:, :, None])  # (G, K', 1)  g_kᵀm_g
    along *= (flow_factor(lr * curvature.values) - 1.0)[:, :, None]
    noise += along * directions[:, None, :]
    return grad


def flow_factor(z) -> np.ndarray:
    """φ(z) = (1 − e^(−z))/z, 1 at z = 0: the gradient flow's move for time lr on a quadratic of curvature λ,
    z = lr·λ, as a fraction of the explicit step lr·g (it never overshoots: φ(z)·z < 1)."""
    z = np.maximum(np.asarray(z, dtype=np.float32), np.float32(1e-30))  # expm1 is exact near 0: φ(1e-30) = 1
    return -np.expm1(-z) / z
