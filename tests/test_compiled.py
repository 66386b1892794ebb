"""The compiled row sums (math/compiled.py): equal to the bit to scatter.py's NumPy path, on random rows and on
whole training runs, and chosen by W2VCLI_KERNEL."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.errors import W2VError
from w2vcli.math import compiled, scatter
from w2vcli.training.config import TrainConfig
from w2vcli.training.session import run_training
from w2vcli.vectors.checkpoint import load_model

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"

needs_numba = pytest.mark.skipif(compiled._compile() is None, reason="Numba is not installed (w2vcli[fast])")


@pytest.fixture(autouse=True)
def _auto_kernel(monkeypatch):
    monkeypatch.delenv("W2VCLI_KERNEL", raising=False)


@needs_numba
@settings(max_examples=120, deadline=None)
@given(st.integers(1, 300), st.integers(1, 12), st.integers(1, 40), st.integers(0, 9), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_compiled_rows_equal_numpy_to_the_bit(R, d, V, cap, scaled, seed):
    """Frequent rows (a Zipf draw repeats the first rows dozens of times), every cap, with and without a scale."""
    rng = np.random.default_rng(seed)
    rows = (rng.zipf(1.3, size=R) - 1) % V
    updates = rng.normal(size=(R, d)).astype(np.float32)
    start = rng.normal(size=(V, d)).astype(np.float32)
    scale = np.float32(-rng.uniform(0.001, 0.1)) if scaled else None
    expected, got = start.copy(), start.copy()
    scatter.scatter_add_numpy(expected, rows, updates, cap, scale)
    assert compiled.scatter_add(got, rows, updates, cap, scale, min_rows=0)
    np.testing.assert_array_equal(got, expected)
    assert not compiled._counts(V).any()  # the scratch is left zero for the next call


@needs_numba
@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 60), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_compiled_subword_rows_equal_numpy_to_the_bit(V, T, d, cap, seed):
    """A random table (n-grams shared between words and repeated within one), a block of T tokens: the compiled
    loop adds what _ComposedBlock.row_gradients, step.damp_subword_rows and the update add."""
    from w2vcli.math.subwords import SubwordTable, _ComposedBlock
    from w2vcli.training.step import damp_subword_rows

    rng = np.random.default_rng(seed)
    buckets = 7
    sizes = rng.integers(0, 6, size=V)  # n-grams per word
    rows = np.concatenate([[w, *(V + rng.integers(0, buckets, size=k))] for w, k in enumerate(sizes)]).astype(np.int64)
    table = SubwordTable(np.concatenate([[0], np.cumsum(sizes + 1)]).astype(np.int64), rows)
    ids = (rng.zipf(1.5, size=T) - 1) % V
    start = rng.normal(size=(V + buckets, d)).astype(np.float32)
    composed = _ComposedBlock(start, table, ids)
    token_grads = rng.normal(size=(T, d)).astype(np.float32)
    scale = np.float32(-rng.uniform(0.001, 0.1))
    expected, got = start.copy(), start.copy()
    grad = damp_subword_rows(_subword_block_of(composed, token_grads).gradient(), cap)
    expected[grad.center_idxs] += scale * grad.grad_center_rows
    assert compiled.add_subword_rows(got, table, composed.words, composed.inverse, token_grads, cap, scale)
    np.testing.assert_array_equal(got, expected)
    assert (compiled._slots(V + buckets) == -1).all()


def _subword_block_of(composed, token_grads):
    from w2vcli.math.subwords import SubwordBlock

    return SubwordBlock(composed, 0.0, token_grads, True, None, np.zeros((1, token_grads.shape[1]), np.float32))


@needs_numba
@settings(max_examples=60, deadline=None)
@given(st.integers(64, 300), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_compiled_block_masks_equal_numpy(T, W, seed):
    """make_block's pair masks by the compiled loop and by NumPy: sentence ends, reduced windows, halo tokens."""
    from w2vcli.math.batched import make_block

    rng = np.random.default_rng(seed)
    sentence_ids, reach = np.cumsum(rng.random(T) < 0.1), rng.integers(1, W + 1, size=T)
    is_center = rng.random(T) < 0.9
    compiled_masks = make_block(np.arange(T), sentence_ids, reach, W, is_center).masks
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("W2VCLI_KERNEL", "numpy")
        numpy_masks = make_block(np.arange(T), sentence_ids, reach, W, is_center).masks
    assert compiled.block_masks(sentence_ids, reach, W) is not None
    assert compiled_masks.dtype == numpy_masks.dtype == np.float32
    np.testing.assert_array_equal(compiled_masks, numpy_masks)


@needs_numba
@settings(max_examples=60, deadline=None)
@given(st.integers(8, 60), st.integers(1, 12), st.integers(1, 5), st.integers(2, 40), st.integers(0, 2**32 - 1))
def test_compiled_node_sums_equal_numpy_to_the_bit(T, L, d, nodes, seed):
    """hs.sum_by_node: frequent nodes on many paths, paths of every length; nodes, sums and counts the same."""
    from w2vcli.math.hs import sum_by_node

    rng = np.random.default_rng(seed)
    points = (rng.zipf(1.4, size=(T, L)) - 1) % nodes
    rows = rng.normal(size=(T, L, d)).astype(np.float32)
    mask = np.arange(L)[None, :] < rng.integers(0, L + 1, size=T)[:, None]
    got = compiled.sum_by_node(points, rows, mask)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("W2VCLI_KERNEL", "numpy")
        expected = sum_by_node(points, rows, mask)
    if T * L < compiled.MIN_ROWS:
        assert got is None
        return
    for mine, theirs in zip(got, expected):
        assert mine.dtype == theirs.dtype
        np.testing.assert_array_equal(mine, theirs)


@needs_numba
def test_a_row_outside_the_matrix_adds_nothing_and_falls_back_to_numpy():
    matrix = np.zeros((4, 2), dtype=np.float32)
    rows = np.array([0, 1, 4])
    assert not compiled.scatter_add(matrix, rows, np.ones((3, 2), np.float32), 0, None, min_rows=0)
    assert not matrix.any()
    with pytest.raises(IndexError):
        scatter.scatter_add(matrix, np.arange(100) % 5, np.ones((100, 2), np.float32))


def test_small_or_float64_scatters_stay_in_numpy():
    rows, updates = np.zeros(200, dtype=np.int64), np.ones((200, 2))
    assert not compiled.scatter_add(np.zeros((3, 2)), rows, updates, 0, None)  # float64
    assert not compiled.scatter_add(np.zeros((3, 2), np.float32), rows[:10], updates[:10].astype(np.float32), 0,
                                    None)  # under MIN_ROWS


def test_the_kernel_variable_chooses(monkeypatch):
    monkeypatch.setenv("W2VCLI_KERNEL", "numpy")
    assert compiled.name() == "numpy"
    rows = np.arange(100) % 7
    assert not compiled.scatter_add(np.zeros((7, 3), np.float32), rows, np.ones((100, 3), np.float32), 0, None)
    monkeypatch.setenv("W2VCLI_KERNEL", "fortran")
    with pytest.raises(W2VError, match="W2VCLI_KERNEL must be one of auto, numpy, numba"):
        compiled.name()
    monkeypatch.setenv("W2VCLI_KERNEL", "numba")
    monkeypatch.setitem(compiled._compiled, "kernels", None)  # as when Numba is not installed
    with pytest.raises(W2VError, match=r"pip install \"w2vcli\[fast\]\""):
        compiled.name()
    monkeypatch.setenv("W2VCLI_KERNEL", "auto")
    assert compiled.name() == "numpy"


@needs_numba
@pytest.mark.parametrize("model, loss, subwords", [("skipgram", "neg", False), ("cbow", "neg", False),
                                                   ("skipgram", "hs", False), ("cbow", "hs", False),
                                                   ("skipgram", "neg", True), ("cbow", "neg", True)])
def test_training_with_and_without_numba_gives_the_same_vectors(tmp_path, monkeypatch, model, loss, subwords):
    """Word-level and subword training, each block's rows added by NumPy or by the compiled loops: the same
    model to the bit (the subword runs use --max-repeats 2, so that the cap shares are exercised)."""
    config = TrainConfig(model=model, loss=loss, dim=20, epochs=2, subwords=subwords, buckets=5000,
                         max_repeats=2 if subwords else 8)
    vectors = {}
    for kernel in ("numpy", "numba"):
        monkeypatch.setenv("W2VCLI_KERNEL", kernel)
        out = tmp_path / f"{kernel}.npz"
        seen = []
        run_training(EXAMPLE, config, None, out, reporter=_Quiet(), checkpoint_every=0.0,
                     should_stop=lambda: False, on_preflight=seen.append)
        assert seen[0].kernel == kernel
        saved = load_model(out)
        vectors[kernel] = (saved.center_vectors, saved.outside_vectors)
    for numpy_side, numba_side in zip(vectors["numpy"], vectors["numba"]):
        np.testing.assert_array_equal(numpy_side, numba_side)


class _Quiet:
    def report(self, progress, rate):
        pass


def test_a_bad_kernel_choice_is_a_usage_error_of_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, W2VCLI_KERNEL="fortran")
    done = subprocess.run([sys.executable, "-m", "w2vcli", "train", str(EXAMPLE), "--epochs", "1", "--out",
                           str(tmp_path / "m.npz")], capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: W2VCLI_KERNEL must be one of auto, numpy, numba, not 'fortran'"]
    assert not (tmp_path / "m.npz").exists()
