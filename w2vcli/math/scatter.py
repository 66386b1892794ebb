"""A block's gradient as rows, and how rows are added into a matrix: the one scatter every SGD step uses.

SparseGradient holds ∂J/∂V and ∂J/∂U of a block objective as the rows it touches (batched.py, hs.py, subwords.py,
pairs.py make them); scatter_add adds rows into a matrix in place, repeats summed, with training's cap on a row
repeated in one block. Pure array code: no I/O, no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import compiled


def scatter_add(matrix, rows, updates, max_repeats: int = 0, scale=None):
    """matrix[rows] += scale · updates (scale None: 1), summing repeated rows, in place.

    max_repeats > 0 caps a row's share: a row occurring c > max_repeats times adds max_repeats/c of its sum (the
    SGD step's damper for words repeated within a block, TrainConfig.max_repeats); 0 sums every occurrence.

    subtle: fancy-index `matrix[rows] += updates` keeps only the last of repeated rows, which silently drops
    updates of frequent words; np.add.at sums them but costs ~10x more per element. So the first occurrence of
    every row goes in by fancy indexing (rows distinct: exact), and only the repeats by np.add.at, on the flat
    view with one index per element (~3x faster than on 2-D rows, ../shared/PERFORMANCE.md). The scale and the
    cap's shares are applied to the gathered copies in one multiplication (no scaled copy of all the updates).
    With Numba installed, compiled.py does the same sums in one compiled loop, equal to the bit (large float32
    scatters only).
    """
    if not compiled.scatter_add(matrix, rows, updates, max_repeats, scale):
        scatter_add_numpy(matrix, rows, updates, max_repeats, scale)


def scatter_add_numpy(matrix, rows, updates, max_repeats: int = 0, scale=None):
    """scatter_add in NumPy alone: the reference the compiled loop is tested equal to, and the path without it."""
    rows = np.asarray(rows, dtype=np.int64)  # (R,)
    order = np.argsort(rows, kind="stable")  # (R,)
    sorted_rows = rows[order]
    runs = Runs(sorted_rows)  # a row's occurrences are one run
    first, repeat = runs.first, ~runs.first  # (R,) sorted position holds a row's first occurrence, or a repeat
    firsts = np.take(updates, order[first], axis=0).astype(matrix.dtype, copy=False)  # (U, d) copies
    repeats = np.take(updates, order[repeat], axis=0).astype(matrix.dtype, copy=False)  # (R − U, d)
    shares = _capped_shares(runs, max_repeats, matrix.dtype) if 0 < max_repeats < len(rows) else None
    if shares is not None:  # (U,) each row's share, times the scale
        if scale is not None:
            shares *= scale
        firsts *= shares[:, None]
        repeats *= shares[runs.group[repeat]][:, None]
    elif scale is not None:
        firsts *= scale
        repeats *= scale
    matrix[sorted_rows[first]] += firsts
    if len(repeats):
        d = matrix.shape[1]
        flat_idx = (sorted_rows[repeat][:, None] * d + np.arange(d)).ravel()  # (repeats·d,)
        np.add.at(matrix.reshape(-1), flat_idx, repeats.reshape(-1))


def _capped_shares(runs: "Runs", cap: int, dtype):
    """(U,) min(1, cap/c) for each distinct row occurring c times, or None when none occurs more than cap times."""
    counts = runs.counts  # (U,)
    if counts.max() <= cap:
        return None
    return np.minimum(1.0, cap / counts).astype(dtype)


class Runs:
    """The runs of equal values in a sorted array (n,): which element starts its run, where each run starts, the
    run of every element, each run's length. The one grouping after a sort that scatter_add, the subword rows
    (subwords.py) and the hierarchical-softmax nodes (hs.sum_by_node) share."""

    def __init__(self, sorted_values):
        self.first = np.ones(len(sorted_values), dtype=bool)  # (n,) an element starting its run
        np.not_equal(sorted_values[1:], sorted_values[:-1], out=self.first[1:])
        self.starts = np.flatnonzero(self.first)  # (runs,)
        self.group = np.cumsum(self.first) - 1  # (n,)

    @property
    def counts(self) -> np.ndarray:
        """(runs,) each run's length."""
        return np.diff(self.starts, append=len(self.first))

    def sums(self, values) -> np.ndarray:
        """Σ of values (n, d) over each run: (runs, d).

        subtle: most runs hold one element, where np.add.reduceat pays per run; so the first of each run is
        copied and only the rest are added, with np.add.at on the flat view (as scatter_add).
        """
        sums = values[self.starts]  # (runs, d)
        rest = ~self.first
        if rest.any():
            d = values.shape[1]
            flat_idx = (self.group[rest][:, None] * d + np.arange(d)).ravel()
            np.add.at(sums.reshape(-1), flat_idx, values[rest].reshape(-1))
        return sums


@dataclass(frozen=True)
class NoiseCurvature:
    """How curved a block objective is in each shared negative's row, along its group's common direction.

    directions[g] is m_g, the unit direction of Σ_t w_t v_t over the centers t of group g (the w_t-weighted sum
    of the input vectors its negatives are scored against); values[g, k] = m_gᵀ (∂²J/∂u_k²) m_g, counting the
    terms of the entry k of group g alone: Σ_t w_t σ(u_kᵀv_t)(1 − σ(u_kᵀv_t)) (v_tᵀm_g)². The noise rows are the
    last G·K' rows of the gradient's outside rows, group after group. Made by batched._negative_terms; used by the
    SGD step (training/step.py, damp_noise_rows).
    """

    directions: np.ndarray  # (G, d) unit vectors
    values: np.ndarray  # (G, K') ≥ 0


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
    noise_curvature: NoiseCurvature | None = None  # with shared negatives: their rows' curvature (the last rows)

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
