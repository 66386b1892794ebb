"""The compiled loops: the SGD step's bookkeeping, by Numba when it is installed (the loops: compiled_loops.py).

`pip install "w2vcli[fast]"` adds Numba; then every SGD step adds its rows into the parameters with scatter_add
below instead of scatter.py's NumPy path (a sort, the runs of equal rows, fancy indexing and np.add.at), which
spent about 40% of a word-level skip-gram step on Brown. The result is the same to the bit (tested on random rows,
caps and scales, and on whole training runs): each row receives the same float32 products f·u, added in the same
order (its occurrences in the order they come), with the same share f = float32(min(1, cap/c)) · scale.
Only the bookkeeping is compiled; the math stays in NumPy (batched.py), so the model is as readable as before.
add_subword_rows does the same for a subword block (math/subwords.py): each token's step summed into its word's
row and n-gram rows, capped, added; again the same sums in the same order as NumPy's
(_ComposedBlock.row_gradients, step.damp_subword_rows and the update), without the sort of the n-gram rows.
block_masks builds make_block's pair masks (0 or 1, so trivially equal); sum_by_node sums hierarchical softmax's
rows node by node as hs.sum_by_node does (each node's rows in the same order), without its sort.

W2VCLI_KERNEL chooses: "auto" (the default: Numba if it imports), "numpy" (never), "numba" (required: an error
if it cannot be loaded). Numba is imported on the first large block only, never by the other commands; `w2v
train` loads it in its pre-flight (compiled.name()), before the workers fork, so they share the compiled code.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from ..errors import ConfigError

CHOICES = ("auto", "numpy", "numba")
MIN_ROWS = 64  # fewer rows than this go through NumPy: not worth loading Numba for (the gradcheck's blocks)

_compiled: dict = {}  # "kernels": the compiled functions (a dict), or None when Numba is absent
_local = threading.local()  # per thread: {fill: int32 array}, the loops' scratch (counts 0, slots −1)


def choice() -> str:
    """W2VCLI_KERNEL, checked: raises ConfigError (exit code 2) for any other value than CHOICES."""
    value = os.environ.get("W2VCLI_KERNEL", "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise ConfigError(f"W2VCLI_KERNEL must be one of {', '.join(CHOICES)}, not {value!r}")
    return value


def available() -> bool:
    """Whether the compiled loops will be used (loads Numba the first time)."""
    return _loop("add_rows") is not None


def name() -> str:
    """"numba" or "numpy": what adds the rows of a training step, for the pre-flight line and `--json`."""
    return "numba" if available() else "numpy"


def scatter_add(matrix, rows, updates, max_repeats: int, scale, min_rows: int = MIN_ROWS) -> bool:
    """matrix[rows] += scale · updates with scatter.scatter_add's cap, compiled; False (nothing done) when the
    compiled loop is off or does not apply (fewer than min_rows rows, not float32, an index outside the matrix),
    so that the caller runs the NumPy path."""
    rows = np.asarray(rows)
    if len(rows) < min_rows or rows.dtype != np.int64 or not _float32_rows(matrix, updates):
        return False
    add_rows = _loop("add_rows")
    return add_rows is not None and bool(add_rows(matrix, _plain(rows), _plain(updates),
                                                  np.float32(1.0 if scale is None else scale), int(max_repeats),
                                                  _counts(len(matrix))))


def add_subword_rows(matrix, table, words, inverse, token_grads, max_repeats: int, scale) -> bool:
    """For a subword block: matrix[r] += scale · share_r · Σ of token_grads over the tokens whose word holds row r
    (its own row, or an n-gram row), share_r = min(1, cap/(tokens holding r)) — what _ComposedBlock.row_gradients
    (full spread), step.damp_subword_rows and the update of step.sgd_step_subwords do, to the bit. words (W,)
    sorted distinct ids, inverse (T,) each token's index in words, token_grads (T, d). False (nothing done) when
    the compiled loops are off or do not apply."""
    loop = _loop("add_subword_rows") if _float32_rows(matrix, token_grads) else None
    if loop is None:
        return False
    loop(matrix, _plain(table.starts, np.int64), _plain(table.rows, np.int64), _plain(words, np.int64),
         _plain(inverse, np.int64), _plain(token_grads), int(max_repeats), np.float32(scale), _slots(len(matrix)))
    return True


def block_masks(sentence_ids, reach, window: int):
    """batched.make_block's masks (2W, n) from sentence ids and reaches (0 for a token that is not a center), by
    the compiled loop; None when it is off (the caller computes them in NumPy)."""
    loop = _loop("block_masks") if len(reach) >= MIN_ROWS else None
    return None if loop is None else loop(_plain(sentence_ids, np.int64), _plain(reach, np.int64), int(window))


def sum_by_node(points, grad_path_rows, path_mask):
    """hs.sum_by_node by the compiled loop: (nodes (N,) ascending, sums (N, d), counts (N,)), equal to the bit
    (each node's rows summed in the same order); None when it is off or the rows are not float32."""
    usable = grad_path_rows.dtype == np.float32 and points.size >= MIN_ROWS
    loop = _loop("sum_by_node") if usable else None
    if loop is None:
        return None
    flat_points = _plain(points.reshape(-1), np.int64)
    rows = _plain(grad_path_rows.reshape(-1, grad_path_rows.shape[2]))  # (T·L, d)
    nodes, sums, counts = loop(flat_points, rows, _plain(path_mask.reshape(-1), np.bool_),
                               _slots(int(flat_points.max()) + 1))
    order = np.argsort(nodes, kind="stable")  # NumPy's path returns the nodes sorted
    return nodes[order], sums[order], counts[order]


def _float32_rows(matrix, updates) -> bool:
    """Whether the row loops apply: a C-contiguous float32 (n, d) matrix and float32 updates."""
    return (matrix.dtype == np.float32 and updates.dtype == np.float32 and matrix.ndim == 2
            and matrix.flags.c_contiguous)


def _plain(array, dtype=None) -> np.ndarray:
    """array as the loops were compiled for (C-contiguous, writable, of dtype): a copy only when it is not.

    Why: Numba compiles a loop once per kind of argument; a read-only or strided array would be compiled anew
    inside each training worker (a second or so, and its memory), rather than found warmed up (_warm_up)."""
    array = np.asarray(array, dtype=dtype)
    return array if array.flags.c_contiguous and array.flags.writeable else np.array(array, order="C")


def _counts(n: int) -> np.ndarray:
    """This thread's int32 scratch of zeros, at least n long (add_rows leaves it zero again)."""
    return _scratch(n, 0)


def _slots(n: int) -> np.ndarray:
    """This thread's int32 scratch of −1, at least n long (add_subword_rows and sum_by_node leave it −1 again)."""
    return _scratch(n, -1)


def _scratch(n: int, fill: int) -> np.ndarray:
    """One int32 array per thread and fill value, grown when a call needs more: the loops index it by row or node
    and restore every entry they change, so any array at least as long as the matrix serves."""
    arrays = getattr(_local, "arrays", None)
    if arrays is None:
        arrays = _local.arrays = {}
    array = arrays.get(fill)
    if array is None or len(array) < n:
        array = arrays[fill] = np.full(max(n, 1), fill, dtype=np.int32)
    return array


def _loop(name: str):
    """The compiled loop `name`, or None when W2VCLI_KERNEL is numpy or Numba is absent."""
    if choice() == "numpy":
        return None
    kernels = _kernels()
    return None if kernels is None else kernels[name]


def _kernels():
    if "kernels" not in _compiled:
        _compiled["kernels"] = _compile()
    kernels = _compiled["kernels"]
    if kernels is None and choice() == "numba":
        raise ConfigError("W2VCLI_KERNEL=numba, but Numba cannot be imported: pip install \"w2vcli[fast]\"")
    return kernels


def _compile():
    """The compiled loops by name, warmed up, or None when Numba is not installed (or fails to load)."""
    try:
        from . import compiled_loops
    except Exception:  # noqa: BLE001 - Numba absent, or broken against this NumPy: the NumPy path serves
        return None
    _warm_up(compiled_loops)
    return {name: getattr(compiled_loops, name)
            for name in ("add_rows", "add_subword_rows", "block_masks", "sum_by_node")}


def _warm_up(loops) -> None:
    """Call each loop once on the argument types training uses, so that it is compiled (or read from Numba's
    cache) here, before the training workers fork and share it, rather than once in every worker."""
    matrix, ids = np.zeros((2, 1), dtype=np.float32), np.zeros(1, dtype=np.int64)
    loops.add_rows(matrix, ids, np.zeros((1, 1), dtype=np.float32), np.float32(1.0), 0, np.zeros(2, dtype=np.int32))
    starts, rows = np.array([0, 2], dtype=np.int64), np.array([0, 1], dtype=np.int64)
    loops.add_subword_rows(matrix, starts, rows, ids, ids, np.zeros((1, 1), dtype=np.float32), 8, np.float32(1.0),
                           np.full(2, -1, dtype=np.int32))
    loops.block_masks(ids, ids, 1)
    loops.sum_by_node(ids, np.zeros((1, 1), dtype=np.float32), np.ones(1, dtype=np.bool_), np.full(2, -1, np.int32))
