"""Training pairs: word2vec's dynamic window over a stream of token ids, cut into blocks.

A block is T consecutive tokens (after subsampling) with, for each token, the context words its window reaches:
word2vec draws a reduced window b uniform in 1..W for every center word and pairs it with the words at distance
1..b on both sides, within its sentence. The masks themselves are math.batched.make_block's; here the windows
are drawn (randomness comes in as an explicit np.random.Generator) and a chunk's block is sliced per step.
"""

from __future__ import annotations

import numpy as np

from ..math.batched import Block, make_block


def window_block(ids, sentence_ids, reduced_windows, start: int, stop: int, window: int) -> Block:
    """Tokens [start, stop) of a run as centers, with up to W tokens either side as context only (the halo).

    Equal to sub_block(make_block(all of the run), start, stop), built from the block's own tokens only: memory
    is (2W, T + 2W), not (2W, the whole run).
    """
    lo, hi = max(0, start - window), min(len(ids), stop + window)
    positions = np.arange(lo, hi)
    is_center = (positions >= start) & (positions < stop)
    return make_block(ids[lo:hi], sentence_ids[lo:hi], reduced_windows[lo:hi], window, is_center)


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
