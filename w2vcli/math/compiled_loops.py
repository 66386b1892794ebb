"""The compiled loops themselves (Numba), imported by compiled.py only when Numba is wanted and installed.

Module-level functions, so that Numba's cache (cache=True, beside this file) finds them again in the next
process: the first `w2v train` after an install compiles them (about a second), later ones read them back.
What they do, and the NumPy code they equal to the bit: compiled.py.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(nogil=True, cache=True, boundscheck=False)
def add_rows(matrix, rows, updates, scale, cap, counts):
    """matrix[rows[i]] += f_i · updates[i] in order, f_i = scale, or float32(cap/c)·scale for a row occurring
    c > cap > 0 times. counts (V,) zeros on entry and on exit. False, with nothing added, if a row is out of
    the matrix."""
    n, d = updates.shape
    V = matrix.shape[0]
    for i in range(n):
        if rows[i] < 0 or rows[i] >= V:
            return False
    capped = cap > 0 and cap < n
    if capped:
        for i in range(n):
            counts[rows[i]] += 1
    for i in range(n):
        r = rows[i]
        f = scale
        if capped and counts[r] > cap:
            f = np.float32(cap / counts[r]) * scale
        for j in range(d):
            matrix[r, j] += f * updates[i, j]
    if capped:
        for i in range(n):
            counts[rows[i]] = 0
    return True


@numba.njit(nogil=True, cache=True, boundscheck=False)
def accumulate(key, slot, keys, sums, n, source, i):
    """sums[slot of key] += source[i], the key's slot made (the row copied) when it has none: slot[key] = n,
    keys[n] = key. Returns (the slot, the slots now in use)."""
    s = slot[key]
    if s < 0:
        s = n
        slot[key] = n
        keys[n] = key
        n += 1
        for j in range(source.shape[1]):
            sums[s, j] = source[i, j]
    else:
        for j in range(source.shape[1]):
            sums[s, j] += source[i, j]
    return s, n


@numba.njit(nogil=True, cache=True, boundscheck=False)
def add_capped(matrix, r, sums, i, users, cap, scale):
    """matrix[r] += scale · sums[i], sums[i] first times float32(cap/users) when users > cap."""
    capped = users > cap
    share = np.float32(cap / users)
    for j in range(sums.shape[1]):
        g = sums[i, j]
        if capped:
            g = g * share
        matrix[r, j] += scale * g


@numba.njit(nogil=True, cache=True, boundscheck=False)
def add_subword_rows(matrix, starts, rows, words, inverse, grads, cap, scale, slot):
    """compiled.add_subword_rows. starts, rows: the SubwordTable (each word's own row first); slot (V + B,) −1
    on entry and on exit."""
    T, d = grads.shape
    W = len(words)
    per_word = np.empty((W, d), dtype=np.float32)  # Σ over the word's tokens, in token order
    tokens = np.zeros(W, dtype=np.int64)
    for t in range(T):
        w = inverse[t]
        if tokens[w] == 0:
            for j in range(d):
                per_word[w, j] = grads[t, j]
        else:
            for j in range(d):
                per_word[w, j] += grads[t, j]
        tokens[w] += 1
    entries = 0
    for i in range(W):
        entries += starts[words[i] + 1] - starts[words[i]] - 1
    sums = np.empty((entries, d), dtype=np.float32)  # each distinct n-gram row's sum, in first-seen order
    users = np.zeros(entries, dtype=np.int64)
    slot_rows = np.empty(entries, dtype=np.int64)
    n = 0
    for i in range(W):  # words in sorted order, each word's n-grams in table order: NumPy's order
        w = words[i]
        for e in range(starts[w] + 1, starts[w + 1]):
            s, n = accumulate(rows[e], slot, slot_rows, sums, n, per_word, i)
            users[s] += tokens[i]
    for i in range(W):
        add_capped(matrix, rows[starts[words[i]]], per_word, i, tokens[i], cap, scale)
    for s in range(n):
        add_capped(matrix, slot_rows[s], sums, s, users[s], cap, scale)
        slot[slot_rows[s]] = -1
    return True


@numba.njit(nogil=True, cache=True, boundscheck=False)
def block_masks(sentence_ids, reach, window):
    """(2W, n) float32: masks[k, t] = 1 when 0 ≤ t+s < n, same sentence, |s| ≤ reach[t], s = offsets[k]."""
    n = len(sentence_ids)
    masks = np.zeros((2 * window, n), dtype=np.float32)
    for k in range(2 * window):
        s = k - window if k < window else k - window + 1
        distance = s if s > 0 else -s
        for t in range(max(0, -s), min(n, n - s)):
            if reach[t] >= distance and sentence_ids[t + s] == sentence_ids[t]:
                masks[k, t] = 1.0
    return masks


@numba.njit(nogil=True, cache=True, boundscheck=False)
def sum_by_node(points, rows, on_path, slot):
    """hs.sum_by_node's sums in first-seen node order: points (P,) the node of each position, rows (P, d), on_path
    (P,) bool, slot (≥ nodes,) −1 on entry and on exit. Each node's first row copied, later ones added in order."""
    P, d = rows.shape
    nodes = np.empty(P, dtype=np.int64)
    sums = np.empty((P, d), dtype=rows.dtype)
    counts = np.zeros(P, dtype=np.int64)
    n = 0
    for i in range(P):
        if not on_path[i]:
            continue
        s, n = accumulate(points[i], slot, nodes, sums, n, rows, i)
        counts[s] += 1
    for s in range(n):
        slot[nodes[s]] = -1
    return nodes[:n], sums[:n], counts[:n]
