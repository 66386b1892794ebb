"""Training: the schedule, learning on real relations, exact resume, and the CS224n preset."""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.training import trainer as train_module
from w2vcli.vectors.checkpoint import load_model
from w2vcli.training.session import resolve_config, run_training
from w2vcli.training.config import TrainConfig
from w2vcli.training.trainer import learning_rate
from conftest import shared_file

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"


class Quiet:
    def report(self, progress, rate):
        self.last = progress


def _train(out, config, *, resume=None, stop_after=None, checkpoint_every=0.0):
    reports = []

    def should_stop():
        reports.append(1)
        return stop_after is not None and len(reports) >= stop_after

    checkpoint = load_model(resume) if resume else None
    return run_training(EXAMPLE, config, checkpoint, out, reporter=Quiet(), checkpoint_every=checkpoint_every,
                        should_stop=should_stop, on_preflight=lambda pre: None)


def test_learning_rate_decays_linearly_to_min_lr():
    config = TrainConfig(lr=0.025, min_lr=0.0001)
    assert learning_rate(config, 0.0) == 0.025
    assert learning_rate(config, 0.5) == pytest.approx((0.025 + 0.0001) / 2)
    assert learning_rate(config, 1.0) == pytest.approx(0.0001) and learning_rate(config, 1.2) == 0.0001


@pytest.mark.parametrize("model, loss", [("skipgram", "neg"), ("cbow", "neg"), ("skipgram", "softmax"),
                                         ("cbow", "softmax")])
def test_training_learns_the_example_relations(tmp_path, model, loss):
    config = TrainConfig(model=model, loss=loss, dim=30, epochs=3)
    summary = _train(tmp_path / "m.npz", config)
    saved = load_model(tmp_path / "m.npz")
    assert summary.finished and saved.state["finished"]
    history = saved.loss_history
    assert history[-1] < history[0]  # the smoothed loss falls
    vectors = saved.center_vectors / np.linalg.norm(saved.center_vectors, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(saved.words)}
    similarity = vectors @ vectors[index["king"]]
    ranked = [saved.words[i] for i in np.argsort(-similarity)[1:4]]
    assert set(ranked) <= {"queen", "prince", "princess", "lord", "lady"}, ranked  # royalty clusters
    assert saved.center_vectors.dtype == np.float32


def test_interrupted_run_resumes_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 20_000)  # ~14 chunks per epoch
    config = TrainConfig(dim=16, epochs=2, seed=7)
    _train(tmp_path / "full.npz", config)
    stopped = _train(tmp_path / "part.npz", config, stop_after=17)  # stop inside epoch 2
    assert not stopped.finished and load_model(tmp_path / "part.npz").state["epoch"] == 1
    resumed_config, _ = resolve_config({}, None, tmp_path / "part.npz")
    assert resumed_config == config
    _train(tmp_path / "part.npz", resumed_config, resume=tmp_path / "part.npz")
    full, part = load_model(tmp_path / "full.npz"), load_model(tmp_path / "part.npz")
    np.testing.assert_array_equal(full.center_vectors, part.center_vectors)
    np.testing.assert_array_equal(full.outside_vectors, part.outside_vectors)
    np.testing.assert_array_equal(full.loss_history, part.loss_history)


def _w2v(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "w2vcli", "train", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path):
    """A real process killed with SIGKILL at a random moment after its first checkpoint."""
    args = [EXAMPLE, "--dim", "24", "--epochs", "8", "--seed", "3", "--quiet", "--workers", "1"]
    full = _w2v(*args, "--out", tmp_path / "full.npz")
    killed = _w2v(*args, "--out", tmp_path / "killed.npz", "--checkpoint-every", "0.01")
    deadline = time.monotonic() + 60
    while not (tmp_path / "killed.npz").exists() and time.monotonic() < deadline:  # the event: a checkpoint
        time.sleep(0.01)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert full.wait() == 0
    state = load_model(tmp_path / "killed.npz").state
    assert not state["finished"], "the run ended before it was killed; make it longer"
    resumed = _w2v(EXAMPLE, "--resume", tmp_path / "killed.npz", "--quiet", "--workers", "1")
    assert resumed.wait() == 0, resumed.stderr.read()
    full_model, resumed_model = load_model(tmp_path / "full.npz"), load_model(tmp_path / "killed.npz")
    np.testing.assert_array_equal(full_model.center_vectors, resumed_model.center_vectors)
    np.testing.assert_array_equal(full_model.outside_vectors, resumed_model.outside_vectors)
    assert resumed_model.state["finished"]
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []


def wait_for_line(stream, start: str) -> str:
    """Read stream until a line starting with start (the event a test waits for); fails at the end of stream."""
    for line in stream:
        if line.startswith(start):
            return line
    raise AssertionError(f"the stream ended without a line starting {start!r}")


def test_ctrl_c_saves_and_says_how_to_resume(tmp_path):
    run = _w2v(EXAMPLE, "--dim", "24", "--epochs", "300", "--out", tmp_path / "m.npz")  # stopped long before the end
    wait_for_line(run.stdout, "vocabulary ")  # the pre-flight line: training has started
    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert f"resume with: w2v train {EXAMPLE} --resume {tmp_path / 'm.npz'}" in stdout
    assert "Traceback" not in stderr
    assert not load_model(tmp_path / "m.npz").state["finished"]


@pytest.mark.slow
def test_cs224n_preset_reaches_the_assignment_loss(tmp_path):
    """The assignment's run on the Stanford Sentiment Treebank: smoothed loss at or below 10 after 40,000 steps."""
    corpus = shared_file("sst/datasetSentences.txt")
    config, _ = resolve_config({}, "cs224n", None)
    assert (config.dim, config.negatives, config.lr, config.min_count) == (10, 10, 0.3, 1)
    checkpoint = None
    summary = run_training(corpus, config, checkpoint, tmp_path / "sst.npz", reporter=Quiet(), checkpoint_every=0,
                           should_stop=lambda: False, on_preflight=lambda pre: None)
    assert summary.finished and summary.final_loss <= 10.0
    saved = load_model(tmp_path / "sst.npz")
    assert saved.center_vectors.shape == (len(saved.words), 10) and len(saved.loss_history) == 400
    assert dataclasses.asdict(config) == saved.config


def test_update_caps_the_share_of_words_repeated_beyond_max_repeats():
    from w2vcli.math.scatter import SparseGradient
    from w2vcli.training.step import sgd_update

    center_idxs = np.array([3, 3, 3, 5, 3, 7])  # word 3 four times
    outside_idxs = np.array([1, 2, 2, 9])
    grad = SparseGradient(0.0, center_idxs, np.ones((6, 2), np.float32), outside_idxs, np.ones((4, 2), np.float32))
    for cap, word_3 in ((2, 2.0), (4, 4.0), (0, 4.0)):  # 4 occurrences count as 2, as 4, as 4 (no cap)
        params = np.zeros((10, 2), np.float32), np.zeros((10, 2), np.float32)
        sgd_update(params, grad, lr=1.0, max_repeats=cap)
        np.testing.assert_allclose(-params[0][[3, 5, 7], 0], [word_3, 1, 1])
        np.testing.assert_allclose(-params[1][[1, 2, 9], 0], [1, 2, 1])  # nothing beyond 2 there


def test_block_size_shrinks_for_wide_windows():
    from w2vcli.training.step import block_tokens

    assert [block_tokens(TrainConfig(window=w)) for w in (1, 5, 6, 10, 20)] == [1024, 1024, 512, 512, 256]
    cbow = [block_tokens(TrainConfig(window=w, model="cbow")) for w in (1, 5, 6, 10, 20)]
    hs = [block_tokens(TrainConfig(window=w, loss="hs")) for w in (1, 5, 6, 10, 20)]
    assert cbow == hs == [512, 512, 256, 256, 128]
    assert block_tokens(TrainConfig(window=10, batch_size=1000)) == 1000


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_noise_curvature_is_the_second_derivative_along_the_groups_direction(model):
    from w2vcli.math.batched import block_gradient, make_block

    rng = np.random.default_rng(0)
    T, W, d = 60, 3, 5
    block = make_block(rng.integers(10, 30, size=T), np.cumsum(rng.random(T) < 0.1), rng.integers(1, W + 1, T), W)
    center, outside = rng.normal(size=(30, d)), rng.normal(size=(30, d))  # float64: finite differences
    negatives = np.array([[0, 1, 2], [3, 4, 5]])  # two groups, no word twice, none in the block
    if model == "cbow":
        negatives = negatives[:1]  # CBOW shares one group by the block
    grad = block_gradient(center, outside, block, negatives, neg_weight=5 / 3, model=model)
    curvature, eps = grad.noise_curvature, 1e-5
    for g in range(len(negatives)):
        m = curvature.directions[g]
        assert np.isclose(np.linalg.norm(m), 1.0)
        for k, word in enumerate(negatives[g]):
            row = T + 3 * g + k
            slopes = []
            for sign in (1, -1):
                moved = outside.copy()
                moved[word] += sign * eps * m
                slopes.append(block_gradient(center, moved, block, negatives, neg_weight=5 / 3, model=model)
                              .grad_outside_rows[row] @ m)
            assert np.isclose(curvature.values[g, k], (slopes[0] - slopes[1]) / (2 * eps), rtol=1e-5)


def test_damped_negative_step_follows_plain_sgd_over_the_pairs_one_by_one():
    """A negative shared by 200 tokens of one word: word2vec's sequential SGD (one pair after another, each
    seeing the last one's update) against the block's step, explicit (the lump) and damped (the gradient flow)."""
    from w2vcli.math.batched import block_gradient, make_block
    from w2vcli.math.core import sigmoid
    from w2vcli.training.step import damp_noise_rows

    rng = np.random.default_rng(0)
    T, W, d = 200, 2, 4
    center, outside = rng.normal(size=(5, d)) * 0.1, rng.normal(size=(5, d)) * 0.1
    center[1] = [1.0, 0.5, -0.5, 0.2]
    block = make_block(np.full(T, 1), np.zeros(T), np.full(T, W), W)
    for lr, neg_weight in [(0.01, 1.0), (0.025, 1.0), (0.025, 4.0)]:
        u = outside[0].copy()
        for pairs in block.contexts_per_center() * neg_weight:
            for _ in range(int(pairs)):
                u -= lr * sigmoid(u @ center[1]) * center[1]
        sequential = u - outside[0]
        grad = block_gradient(center, outside, block, np.array([0]), neg_weight=neg_weight)
        explicit = -lr * grad.grad_outside_rows[-1].copy()
        damped = -lr * damp_noise_rows(grad, lr).grad_outside_rows[-1]
        assert np.linalg.norm(damped - sequential) < np.linalg.norm(explicit - sequential) / 5
        assert np.linalg.norm(damped) <= np.linalg.norm(sequential)  # never past where plain SGD goes


def test_a_light_lump_steps_as_plain_sgd():
    from w2vcli.math.batched import block_gradient, make_block
    from w2vcli.training.step import damp_noise_rows, flow_factor

    rng = np.random.default_rng(1)
    T, W = 40, 2
    block = make_block(rng.integers(5, 20, size=T), np.zeros(T), np.full(T, W), W)
    center, outside = (rng.normal(size=(20, 3)) * 1e-3).astype(np.float32), np.zeros((20, 3), np.float32)
    grad = block_gradient(center, outside, block, np.arange(4), neg_weight=0.5)
    before = grad.grad_outside_rows.copy()
    damp_noise_rows(grad, 0.025)
    np.testing.assert_allclose(grad.grad_outside_rows, before, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(flow_factor([0.0, 1e-7, 1.0, 30.0]),
                               [1.0, 1.0 - 5e-8, 1 - np.exp(-1.0), (1 - np.exp(-30.0)) / 30], rtol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(2, 8), st.integers(0, 2**32 - 1),
       st.floats(1e-4, 1.0))
def test_the_noise_damping_shrinks_only_the_step_along_m(groups, K, d, seed, lr):
    """damp_noise_rows: each noise row's component along its group's m is scaled by φ(lr·λ) ∈ (0, 1], the rest
    of it and the block's own rows are untouched."""
    from w2vcli.math import scatter
    from w2vcli.training.step import damp_noise_rows, flow_factor

    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(groups, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    values = rng.exponential(100.0, size=(groups, K))  # λ ≥ 0, from light to heavy lumps
    rows = rng.normal(size=(3 + groups * K, d))  # 3 block rows, then the noise rows
    grad = scatter.SparseGradient(0.0, np.arange(3), rows[:3], np.arange(len(rows)), rows.copy(),
                                  scatter.NoiseCurvature(directions, values))
    damped = damp_noise_rows(grad, lr).grad_outside_rows
    np.testing.assert_array_equal(damped[:3], rows[:3])
    before, after = rows[3:].reshape(groups, K, d), damped[3:].reshape(groups, K, d)
    along_before = np.einsum("gkd,gd->gk", before, directions)
    along_after = np.einsum("gkd,gd->gk", after, directions)
    phi = flow_factor(lr * values)
    assert np.all((phi > 0) & (phi <= 1))
    np.testing.assert_allclose(along_after, phi * along_before, rtol=1e-5, atol=1e-6)
    orthogonal = lambda x, along: x - along[..., None] * directions[:, None, :]  # noqa: E731
    np.testing.assert_allclose(orthogonal(after, along_after), orthogonal(before, along_before), atol=1e-6)


def test_info_names_the_cs224n_units(tmp_path):
    from w2vcli.cli.info import model_story
    from w2vcli.vectors.checkpoint import ModelFile, save_model

    model = ModelFile(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32), ["a", "b"], np.array([2, 1]),
                      {"preset": "cs224n"}, {"step": 40000, "finished": True}, np.array([9.6]))
    save_model(tmp_path / "m.npz", model)
    story = model_story(tmp_path / "m.npz")["training"]
    assert (story["unit"], story["done"], story["total"]) == ("steps", 40000, 40000)


def test_a_block_built_alone_equals_a_slice_of_the_whole_run():
    from w2vcli.data.blocks import sub_block, window_block
    from w2vcli.math.batched import make_block

    rng = np.random.default_rng(3)
    n, W = 300, 4
    ids, sentences, windows = rng.integers(20, size=n), np.cumsum(rng.random(n) < 0.1), rng.integers(1, W + 1, n)
    whole = make_block(ids, sentences, windows, W)
    for start, stop in [(0, 64), (64, 128), (250, 300), (5, 6)]:
        alone, sliced = window_block(ids, sentences, windows, start, stop, W), sub_block(whole, start, stop)
        np.testing.assert_array_equal(alone.ids, sliced.ids)
        np.testing.assert_array_equal(alone.masks, sliced.masks)


def test_a_chunk_trained_in_slices_equals_the_chunk_trained_whole():
    """Slices end by time; one block per slice must give the very same parameters and loss sums."""
    from w2vcli.data.corpus import scan_corpus
    from w2vcli.data.vocab import Vocab
    from w2vcli.training.trainer import Corpus, Task, Trainer, init_params

    config = TrainConfig(dim=8, batch_size=64)
    with scan_corpus(EXAMPLE) as store:
        vocab = Vocab.from_counts(store.words, store.counts, min_count=5)
        corpus = Corpus(store.read, store.n_items, store.n_tokens, vocab.remap(store.words))
        results = []
        for seconds in (1e9, 0.0):
            params = init_params(len(vocab), 8, np.random.default_rng(0))
            trainer, task, slices = Trainer(config, vocab, params), Task(0, 1), 0
            while True:
                result = trainer.run_slice(corpus, task, seconds=seconds)
                slices += 1
                if result.done:
                    break
                task = Task(0, 1, result.block, result.loss_sum, result.pairs)
            results.append((params, result, slices))
    (whole, whole_result, one), (sliced, sliced_result, many) = results
    assert one == 1 and many == whole_result.block > 100
    np.testing.assert_array_equal(whole[0], sliced[0])
    np.testing.assert_array_equal(whole[1], sliced[1])
    assert (whole_result.loss_sum, whole_result.pairs) == (sliced_result.loss_sum, sliced_result.pairs)


def test_skipgram_splits_a_blocks_negatives_into_groups_of_tokens():
    from w2vcli.training.step import negatives_shape

    assert negatives_shape(TrainConfig(), 1024) == (4, 64)  # 4 groups of 256 tokens, 64 negatives each
    assert negatives_shape(TrainConfig(shared_negatives=32), 512) == (2, 32)
    assert negatives_shape(TrainConfig(), 256) == (64,)  # one group: shared by the whole block
    assert negatives_shape(TrainConfig(), 300) == (64,)
    assert negatives_shape(TrainConfig(model="cbow"), 512) == (64,)
    assert negatives_shape(TrainConfig(), 512, subwords=True) == (64,)
