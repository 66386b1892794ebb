"""A block's gradient as rows, and how rows are added into a matrix: the one scatter every SGD step uses.

SparseGradient holds ∂J/∂V and ∂J/∂U of a block objective as the rows it touches (batched.py, hs.py, subwords.py,
pairs.py make them); scatter_add adds rows into a matrix in place, repeats summed, with training's cap on a row
repeated in one block. Pure array code: no I/O, no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def scatter_add(matrix, rows, updates, max_repeats: int = 0, scale=None):
    """matrix[rows] += scale · updates (scale None: 1), summing repeated rows, in place.

    max_repeats > 0 caps a row's share: a row occurring c > max_repeats times adds max_repeats/c of its sum (the
    SGD step's damper for words repeated within a block, TrainConfig.max_repeats); 0 sums every occurrence.

    subtle: fancy-index `matrix[rows] += updates` keeps only the last of repeated rows, which silently drops
    updates of frequent words; np.add.at sums them but costs ~10x more per element. So the first occurrence of
    every row goes in by fancy indexing (rows distinct: exact), and only the repeats by np.add.at, on the flat
    view with one index per element (~3x faster than on 2-D rows, ../shared/PERFORMANCE.md). The scale is applied
    to the gathered copies (no scaled copy of all the updates), and the cap to the few runs of rows over it.
    """
    rows = np.asarray(rows, dtype=np.int64)  # (R,)
    order = np.argsort(rows, kind="stable")  # (R,)
    sorted_rows = rows[order]
    first = np.empty(len(rows), dtype=bool)  # (R,) sorted position holds a row's first occurrence
    first[:1] = True
    np.not_equal(sorted_rows[1:], sorted_rows[:-1], out=first[1:])
    repeat = ~first
    firsts = np.take(updates, order[first], axis=0).astype(matrix.dtype, copy=False)  # (U, d) copies
    repeats = np.take(updates, order[repeat], axis=0).astype(matrix.dtype, copy=False)  # (R − U, d)
    if scale is not None:
        firsts *= scale
        repeats *= scale
    if 0 < max_repeats < len(rows):
        _cap_shares(sorted_rows, first, max_repeats, firsts, repeats)
    matrix[sorted_rows[first]] += firsts
    if len(repeats):
        d = matrix.shape[1]
        flat_idx = (sorted_rows[repeat][:, None] * d + np.arange(d)).ravel()  # (repeats·d,)
        np.add.at(matrix.reshape(-1), flat_idx, repeats.reshape(-1))


def _cap_shares(sorted_rows, first, cap: int, firsts, repeats) -> None:
    """Scale, in place, the updates of each row occurring c > cap times by cap/c (first: as in scatter_add).

    A row's occurrences are one run of sorted_rows: its first is firsts[g] (g its rank among the distinct rows)
    and its others the next c − 1 entries of repeats from position start − g. Only the few runs over the cap are
    touched, found by comparing sorted_rows with itself cap places on.
    """
    over_rows = np.unique(sorted_rows[cap:][sorted_rows[cap:] == sorted_rows[:-cap]])  # (O,) a handful
    starts = np.searchsorted(sorted_rows, over_rows, side="left")  # (O,)
    stops = np.searchsorted(sorted_rows, over_rows, side="right")
    ranks = np.cumsum(first)[starts] - 1  # (O,) g of each run
    for start, stop, g in zip(starts.tolist(), stops.tolist(), ranks.tolist()):
        factor = cap / (stop - start)
        firsts[g] *= factor
        repeats[start - g:stop - g - 1] *= factor


@dataclass(frozen=True)
class SparseGradient:
    """The gradient of a block objective as rows: ∂J/∂V[center_idxs] and ∂J/∂U[outside_idxs] (repeats add up).

    outside_idxs is None when the outside gradient is dense (V, d), as with the naive softmax.
    """

    loss: float
    center_idxs: np.ndarray  # (R,) int64
    grad_center_rows: np.ndarray  # (R, d)
    outside_idxs: np.ndarray | None  # (R',) int64, or None
    grad_outside_rows: np.ndarray  # (R', d), or (V, d) when dense

    def dense(self, center_vectors, outside_vectors):
        """(loss, ∂J/∂V (V, d), ∂J/∂U (V, d)) as full matrices shaped like the parameters."""
        grad_center_vectors, grad_outside_vectors = np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
        self.add_to(grad_center_vectors, grad_outside_vectors, 1.0)
        return self.loss, grad_center_vectors, grad_outside_vectors

    def add_to(self, center_vectors, outside_vectors, scale: float, max_repeats: int = 0) -> None:
        """center_vectors += scale · ∂J/∂V and outside_vectors += scale · ∂J/∂U, in place (scale = −lr for SGD);
        max_repeats > 0 caps each row's share as scatter_add does."""
        scale = np.float32(scale) if center_vectors.dtype == np.float32 else scale
        scatter_add(center_vectors, self.center_idxs, scale * self.grad_center_rows, max_repeats)
        if self.outside_idxs is None:
            outside_vectors += scale * self.grad_outside_rows
        else:
            scatter_add(outside_vectors, self.outside_idxs, scale * self.grad_outside_rows, max_repeats)
