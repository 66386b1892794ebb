"""Training pairs: word2vec's dynamic window over a stream of token ids, cut into blocks.

A block is T consecutive tokens (after subsampling) with, for each token, the context words its window reaches:
word2vec draws a reduced window b uniform in 1..W for every center word and pairs it with the words at distance
1..b on both sides, within its sentence. Pairs are never listed here: batched.Block keeps them as (W, T) masks,
read off by shifting. Randomness comes in as an explicit np.random.Generator.
"""

from __future__ import annotations

import numpy as np

from .batched import Block


def make_block(ids, sentence_ids, reduced_windows, window: int, is_center=None) -> Block:
    """Masks of the pairs in a run of tokens.

    ids (T,) word ids; sentence_ids (T,) any labels, equal within a sentence; reduced_windows (T,) b_t in 1..W;
    is_center (T,) bool, False for tokens that only serve as context (the halo around a block), default all.
    right[s−1, t] = (t+s < T) ∧ same sentence ∧ s ≤ b_t ∧ is_center_t, and left likewise for t−s.
    """
    ids = np.asarray(ids, dtype=np.int64)
    sentence_ids = np.asarray(sentence_ids)
    T = len(ids)
    reach = np.asarray(reduced_windows, dtype=np.int64)  # (T,)
    if is_center is not None:
        reach = np.where(is_center, reach, 0)
    left = np.zeros((window, T), dtype=bool)
    right = np.zeros((window, T), dtype=bool)
    for s in range(1, min(window, T - 1) + 1):
        same = sentence_ids[s:] == sentence_ids[:-s]  # (T−s,)  tokens t and t+s share a sentence
        right[s - 1, :-s] = same & (reach[:-s] >= s)
        left[s - 1, s:] = same & (reach[s:] >= s)
    return Block(ids, left, right)


def draw_reduced_windows(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """b_t uniform in 1..window for each of n center words (word2vec's dynamic window)."""
    return rng.integers(1, window + 1, size=n)
