"""The one compiled loop: scatter_add's sum of rows into a matrix, by Numba when it is installed.

`pip install "w2vcli[fast]"` adds Numba; then every SGD step adds its rows into the parameters with add_rows below
instead of scatter.py's NumPy path (a sort, the runs of equal rows, fancy indexing and np.add.at), which spent
about 40% of a word-level skip-gram step on Brown. The result is the same to the bit (tested on random rows, caps
and scales, and on whole training runs): each row receives the same float32 products f·u, added in the same
order (its occurrences in the order they come), with the same share f = float32(min(1, cap/c)) · scale.
Only the bookkeeping is compiled; the math stays in NumPy (batched.py), so the model is as readable as before.

W2VCLI_KERNEL chooses: "auto" (the default: Numba if it imports), "numpy" (never), "numba" (required: an error
if it cannot be loaded). Numba is imported on the first large scatter only, never by the other commands.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from ..errors import W2VError

CHOICES = ("auto", "numpy", "numba")
MIN_ROWS = 64  # fewer rows than this go through NumPy: not worth loading Numba for (the gradcheck's blocks)

_compiled: dict = {}  # "add_rows": the compiled function, or None when Numba is absent
_scratch = threading.local()  # per thread: {matrix rows: (V,) int32 zeros}, the occurrence counts


def choice() -> str:
    """W2VCLI_KERNEL, checked: raises W2VError for any other value than CHOICES."""
    value = os.environ.get("W2VCLI_KERNEL", "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise W2VError(f"W2VCLI_KERNEL must be one of {', '.join(CHOICES)}, not {value!r}")
    return value


def available() -> bool:
    """Whether the compiled loop will be used (loads Numba the first time)."""
    return choice() != "numpy" and _add_rows() is not None


def name() -> str:
    """"numba" or "numpy": what adds the rows of a training step, for the pre-flight line and `--json`."""
    return "numba" if available() else "numpy"


def scatter_add(matrix, rows, updates, max_repeats: int, scale, min_rows: int = MIN_ROWS) -> bool:
    """matrix[rows] += scale · updates with scatter.scatter_add's cap, compiled; False (nothing done) when the
    compiled loop is off or does not apply (fewer than min_rows rows, not float32, an index outside the matrix),
    so that the caller runs the NumPy path."""
    if len(rows) < min_rows or matrix.dtype != np.float32 or updates.dtype != np.float32 or matrix.ndim != 2:
        return False
    if not matrix.flags.c_contiguous or choice() == "numpy":
        return False
    add_rows = _add_rows()
    if add_rows is None:
        return False
    rows = np.asarray(rows)
    if rows.dtype != np.int64:
        return False
    counts = _counts(len(matrix))
    return bool(add_rows(matrix, rows, updates, np.float32(1.0 if scale is None else scale), int(max_repeats),
                         counts))


def _counts(V: int) -> np.ndarray:
    """This thread's (V,) int32 scratch of zeros (add_rows leaves it zero again)."""
    tables = getattr(_scratch, "tables", None)
    if tables is None:
        tables = _scratch.tables = {}
    if V not in tables:
        tables[V] = np.zeros(V, dtype=np.int32)
    return tables[V]


def _add_rows():
    if "add_rows" not in _compiled:
        _compiled["add_rows"] = _compile()
    add_rows = _compiled["add_rows"]
    if add_rows is None and choice() == "numba":
        raise W2VError("W2VCLI_KERNEL=numba, but Numba cannot be imported: pip install \"w2vcli[fast]\"")
    return add_rows


def _compile():
    """The Numba function, or None when Numba is not installed (or fails to load)."""
    try:
        import numba
    except Exception:  # noqa: BLE001 - absent, or broken against this NumPy: the NumPy path serves
        return None

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

    return add_rows
