"""Training pairs: word2vec's dynamic window over a stream of token ids, cut into blocks.

A block is T consecutive tokens (after subsampling) with, for each token, the context words its window reaches:
word2vec draws a reduced window b uniform in 1..W for every center word and pairs it with the words at distance
1..b on both sides, within its sentence. Pairs are never listed here: batched.Block keeps them as (W, T) masks,
read off by shifting. Randomness comes in as an explicit np.random.Generator.
"""

from __future__ import annotations

import numpy as np

from .batched import Block, offsets


def make_block(ids, sentence_ids, reduced_windows, window: int, is_center=None) -> Block:
    """The pair masks of a run of tokens.

    ids (T,) word ids; sentence_ids (T,) any labels, equal within a sentence; reduced_windows (T,) b_t in 1..W;
    is_center (T,) bool, False for tokens that only serve as context (the halo around a block), default all.
    masks[k, t] = (0 ≤ t+s < T) ∧ same sentence ∧ |s| ≤ b_t ∧ is_center_t, for s = offsets[k].
    """
    ids = np.asarray(ids, dtype=np.int64)
    sentence_ids = np.asarray(sentence_ids)
    T = len(ids)
    reach = np.asarray(reduced_windows, dtype=np.int64)  # (T,)
    if is_center is not None:
        reach = np.where(is_center, reach, 0)
    masks = np.zeros((2 * window, T), dtype=np.float32)
    for k, s in enumerate(offsets(window)):
        d = abs(int(s))
        if d >= T:
            continue
        same = sentence_ids[d:] == sentence_ids[:-d]  # (T−d,)  tokens t and t+d share a sentence
        if s > 0:
            masks[k, :-d] = same & (reach[:-d] >= d)  # center t, context t+d
        else:
            masks[k, d:] = same & (reach[d:] >= d)  # center t, context t−d
    return Block(ids, masks)


def sub_block(whole: Block, start: int, stop: int) -> Block:
    """Tokens [start, stop) of a block as centers, with up to W tokens either side as context only (the halo)."""
    W = whole.window
    lo, hi = max(0, start - W), min(len(whole.ids), stop + W)
    masks = whole.masks[:, lo:hi].copy()  # (2W, hi − lo)
    masks[:, : start - lo] = 0
    masks[:, stop - lo:] = 0
    return Block(whole.ids[lo:hi], masks)


def draw_reduced_windows(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """b_t uniform in 1..window for each of n center words (word2vec's dynamic window)."""
    return rng.integers(1, window + 1, size=n)
