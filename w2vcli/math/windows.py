"""How a block's pairs are read off its gathered rows: a token t pairs with the tokens at offsets −W..−1, 1..W.

Two ways, both pure NumPy with no per-pair arrays. Neighbour gathers (CBOW): a (2W, T, d) copy whose entry
[k, t] is the row of token t + offsets[k]. Window views (skip-gram): the rows padded with W zero rows at each end,
seen without copying as (T, 2W+1, d) windows, so that each token's window is one small contiguous matrix.
Not here: the objectives that use them (batched.py).

Legend: T block tokens, W window, d dimension.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=16)
def offsets(window: int) -> np.ndarray:
    """The 2W context offsets −W..−1, 1..W; row k of a block's stacked masks and neighbours is offset k."""
    result = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]
    result.setflags(write=False)
    return result


@functools.lru_cache(maxsize=16)
def neighbour_index(T: int, window: int) -> np.ndarray:
    """(2W, T) int64: t + offsets[k], clamped into the block (built once per block length)."""
    index = np.clip(np.arange(T)[None, :] + offsets(window)[:, None], 0, T - 1)
    index.setflags(write=False)
    return index


def gather_neighbours(rows, window: int) -> np.ndarray:
    """(2W, T, d): entry [k, t] = rows[t + offsets[k]].

    subtle: past either end of the block the index is clamped, so those entries hold an edge row rather than
    zeros; they never count, because every use multiplies them by a mask (or weight) that is zero there.
    """
    return np.take(rows, neighbour_index(len(rows), window), axis=0)


def sum_over_neighbours(weights, neighbours) -> np.ndarray:
    """out[t] = Σ_k weights[k, t] · neighbours[k, t]: (2W, T), (2W, T, d) -> (T, d), as T small matmuls."""
    return np.matmul(np.ascontiguousarray(weights.T)[:, None, :], neighbours.transpose(1, 0, 2))[:, 0, :]


def send_to_neighbours(weights, rows) -> np.ndarray:
    """The transpose of gather + sum_over_neighbours: out[t + offsets[k]] += weights[k, t] · rows[t]. (T, d).

    Written as a gather too: out[u] = Σ_k weights[k, u − s_k] · rows[u − s_k], and since the offsets are
    symmetric, rows[u − s_k] is neighbour row 2W−1−k of u.
    """
    window = len(weights) // 2
    T = len(rows)
    flipped = np.zeros_like(weights)  # (2W, T)  flipped[2W−1−k, u] = weights[k, u − s_k]
    for k, s in enumerate(offsets(window)):
        if abs(s) < T:
            flipped[2 * window - 1 - k, max(s, 0):T + min(s, 0)] = weights[k, max(-s, 0):T - max(s, 0)]
    return sum_over_neighbours(flipped, gather_neighbours(rows, window))


def padded_rows(rows, window: int, after: int | None = None) -> np.ndarray:
    """(W + T + after, d): rows with W zero rows before and `after` (default W) after, so that every window
    reaches only real memory. Only the margins are zeroed (np.zeros of the whole, then the copy, took 18–19 µs
    for 1,024 × 100; this 11)."""
    return _padded(len(rows), rows.shape[1], rows.dtype, window, window if after is None else after, rows)


def gather_padded(matrix, ids, window: int, after: int | None = None) -> np.ndarray:
    """padded_rows(matrix[ids], window, after), the rows gathered straight into the buffer: one copy, not two.

    subtle: np.take's mode="clip" is what lets it write into `out` unbuffered (mode="raise" copies through a
    temporary); the ids are a block's word ids, rows of the matrix, and a bad one still fails at the update.
    """
    ids = np.asarray(ids, dtype=np.int64)
    return _padded(len(ids), matrix.shape[1], matrix.dtype, window, window if after is None else after,
                   lambda out: np.take(matrix, ids, axis=0, out=out, mode="clip"))


def _padded(T: int, d: int, dtype, before: int, after: int, fill) -> np.ndarray:
    """A (before + T + after, d) buffer, its margins zero, its middle rows or fill(middle)."""
    buffer = np.empty((before + T + after, d), dtype=dtype)
    buffer[:before] = 0
    buffer[before + T:] = 0
    if callable(fill):
        fill(buffer[before:before + T])
    else:
        buffer[before:before + T] = fill
    return buffer


def window_view(padded, window: int) -> np.ndarray:
    """(T, 2W+1, d) read-only view of padded (T + 2W, d): entry [t, j] is the row of token t + j − W.

    No copy: row t of the view is the 2W+1 consecutive rows padded[t : t+2W+1], so the 2W+1 rows of every window
    are one small contiguous matrix and the window products are T small BLAS calls on memory already there.
    """
    T = len(padded) - 2 * window
    step, item = padded.strides
    return _view(padded, (T, 2 * window + 1, padded.shape[1]), (step, step, item))


def _view(base, shape, strides, offset: int = 0) -> np.ndarray:
    """A read-only strided view of the C-contiguous array base (as as_strided, without its ~20 µs of Python:
    the hot path makes three per block)."""
    view = np.ndarray(shape, dtype=base.dtype, buffer=base, offset=offset, strides=strides)
    view.flags.writeable = False
    return view


def window_masks(masks) -> np.ndarray:
    """(T, 2W+1) float32: a block's masks (2W, T) per token, offsets −W..W, the middle column (the token itself) 0."""
    W = len(masks) // 2
    result = np.zeros((masks.shape[1], 2 * W + 1), dtype=np.float32)
    result[:, :W] = masks[:W].T
    result[:, W + 1:] = masks[W:].T
    return result


def received_weights(coeffs, window: int) -> np.ndarray:
    """(T, 2W+1): entry [u, i] = coeffs[u + i − W, 2W − i], the weight token u's row receives from the center at
    offset i − W (0 past the block): the transpose of window_view's pairing, read as a strided view of coeffs."""
    T, J = coeffs.shape  # J = 2W + 1
    padded = np.zeros((T + 2 * window, J), dtype=coeffs.dtype)
    padded[window:window + T] = coeffs
    item = padded.itemsize  # [u, i] is flat element u·J + i·2W + 2W of padded
    return np.ascontiguousarray(_view(padded, (T, J), (J * item, 2 * window * item), offset=2 * window * item))
