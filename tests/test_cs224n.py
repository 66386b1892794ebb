"""The CS224n preset's fast step equals the proven objective; its draws follow the assignment; resume is exact."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.math import pairs as pairs_objectives
from w2vcli.training import cs224n
from w2vcli.training.config import CS224nSchedule, TrainConfig
from w2vcli.training.cs224n import DrawnSteps, NegStep, draw_steps, pairs_losses, random_windows, stacked_rows
from w2vcli.training.session import resolve_config, run_training
from w2vcli.vectors.checkpoint import load_model

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"


class Quiet:
    def report(self, progress, rate):
        self.last = progress


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(1, 6), st.integers(1, 3), st.integers(1, 30), st.integers(1, 6),
       st.floats(1e-3, 1.0), st.integers(0, 2**32 - 1))
def test_neg_steps_equal_pairs_objective_then_add_to(V, d, n_steps, pairs_per_step, K, scale, seed):
    """n steps of NegStep on [V; U] equal n rounds of pairs_neg_sampling_gradient(...).add_to(−scale)."""
    rng = np.random.default_rng(seed)
    center_vectors, outside_vectors = (rng.normal(size=(V, d)).astype(np.float32) for _ in range(2))
    P = n_steps * pairs_per_step
    drawn = DrawnSteps(rng.integers(V, size=P), rng.integers(V, size=P), rng.integers(V, size=(P, K)),
                       np.arange(0, P + 1, pairs_per_step))  # repeats of every kind allowed
    stacked = np.concatenate([center_vectors, outside_vectors])
    rows = stacked_rows(drawn, V)
    scores = np.empty((P, 1 + K), dtype=np.float32)
    step = NegStep(d, K, max_pairs=pairs_per_step)
    for i in range(n_steps):  # each step checked from the same starting point (float32 rounding is not compounded)
        pairs = drawn.step(i)
        before = stacked.astype(np.float64)
        step(stacked, rows[pairs], scores[pairs], scale)
        ref_c, ref_o = before[:V].copy(), before[V:].copy()
        grad = pairs_objectives.pairs_neg_sampling_gradient(ref_c, ref_o, drawn.centers[pairs], drawn.outsides[pairs],
                                                              drawn.negatives[pairs])
        loss = pairs_losses(scores[:pairs.stop], drawn.bounds[:i + 2])[i]  # the steps run so far
        np.testing.assert_allclose(loss, grad.loss, rtol=1e-4, atol=1e-4)
        grad.add_to(ref_c, ref_o, -scale)
        tolerance = 1e-5 * max(1.0, np.abs(before).max())
        np.testing.assert_allclose(stacked, np.concatenate([ref_c, ref_o]), rtol=1e-4, atol=tolerance)


def test_pairs_losses_never_overflow():
    scores = np.array([[-200.0, 200.0], [200.0, -200.0]], dtype=np.float32)  # (P=2, 1+K=2): worst, then best
    np.testing.assert_allclose(pairs_losses(scores, np.array([0, 1, 2])), [400.0, 0.0], atol=1e-6)


def _toy_corpus():
    ids = np.array([1, 1, 2, 3, 4, 5, 6, 7, 8, 9])  # sentences [1 1] and [2 .. 9]
    return ids, np.array([0, 2]), np.array([2, 8])


def test_windows_stay_in_their_sentence_and_drop_copies_of_the_center():
    ids, starts, lengths = corpus = _toy_corpus()
    centers, outsides, window_of_pair = random_windows(corpus, 2000, 3, np.random.default_rng(0))
    assert not np.any(centers == outsides)  # [1 1] never pairs; it is redrawn
    assert np.all((centers >= 2) & (outsides >= 2)) and np.all(np.abs(centers - outsides) <= 3)
    assert np.array_equal(np.unique(window_of_pair), np.arange(2000))  # every window kept a context word
    assert np.all(np.diff(window_of_pair) >= 0)


def test_draws_of_a_segment_are_grouped_by_step_and_deterministic():
    config = TrainConfig(window=3, negatives=2)
    sampler = cs224n.NoiseSampler(np.full(10, 0.1))
    first = draw_steps(_toy_corpus(), 5, config, sampler, np.random.default_rng(1), windows_per_step=4)
    again = draw_steps(_toy_corpus(), 5, config, sampler, np.random.default_rng(1), windows_per_step=4)
    assert len(first.bounds) == 6 and first.bounds[0] == 0 and first.bounds[-1] == len(first.centers)
    assert np.all(np.diff(first.bounds) >= 4)  # at least one pair per window
    assert not np.any(first.negatives == first.outsides[:, None])
    for field in dataclasses.fields(DrawnSteps):
        np.testing.assert_array_equal(getattr(first, field.name), getattr(again, field.name))


def _train(out, config, *, resume=None, stop_after=None):
    reports = []

    def should_stop():
        reports.append(1)
        return stop_after is not None and len(reports) >= stop_after

    return run_training(EXAMPLE, config, load_model(resume) if resume else None, out, reporter=Quiet(),
                        checkpoint_every=0, should_stop=should_stop, on_preflight=lambda pre: None)


@pytest.mark.parametrize("loss", ["neg", "softmax"])
def test_stopped_cs224n_run_resumes_bit_for_bit(tmp_path, loss, monkeypatch):
    short = CS224nSchedule(iterations=750, anneal_every=300)  # ends inside a report interval; anneals between reports
    monkeypatch.setattr(cs224n, "SCHEDULE", short)
    config = dataclasses.replace(resolve_config({}, "cs224n", None)[0], loss=loss)
    _train(tmp_path / "full.npz", config)
    stopped = _train(tmp_path / "part.npz", config, stop_after=3)
    assert not stopped.finished and load_model(tmp_path / "part.npz").state["step"] == 300
    resumed_config, _ = resolve_config({}, None, tmp_path / "part.npz")
    summary = _train(tmp_path / "part.npz", resumed_config, resume=tmp_path / "part.npz")
    full, part = load_model(tmp_path / "full.npz"), load_model(tmp_path / "part.npz")
    assert summary.finished and part.state["step"] == 750
    np.testing.assert_array_equal(full.center_vectors, part.center_vectors)
    np.testing.assert_array_equal(full.outside_vectors, part.outside_vectors)
    np.testing.assert_array_equal(full.loss_history, part.loss_history)
    assert len(full.loss_history) == 8


def test_a_diverging_run_stops_with_params_and_state_of_its_last_report():
    from w2vcli.errors import TrainingDiverged
    from w2vcli.training.config import TrainState
    from w2vcli.training.cs224n import train_cs224n

    rng = np.random.default_rng(0)
    items = np.where(rng.random(3000) < 0.1, -1, rng.integers(20, size=3000))
    counts = np.bincount(items[items >= 0], minlength=20)
    params = (rng.normal(size=(20, 4)).astype(np.float32), rng.normal(size=(20, 4)).astype(np.float32))
    config = dataclasses.replace(resolve_config({}, "cs224n", None)[0], dim=4, lr=1e4)
    state = TrainState()
    reported = [(params[0].copy(), params[1].copy(), state.step, state.smoothed_loss)]  # the start counts
    with pytest.raises(TrainingDiverged, match="try a lower --lr"), np.errstate(over="ignore", invalid="ignore"):
        for _ in train_cs224n(config, counts, items, params, state, CS224nSchedule(iterations=100_000)):
            reported.append((params[0].copy(), params[1].copy(), state.step, state.smoothed_loss))
    center, outside, step, smoothed = reported[-1]
    np.testing.assert_array_equal(params[0], center)
    np.testing.assert_array_equal(params[1], outside)
    assert state.step == step and np.isfinite(center).all() and np.isfinite(outside).all()
    assert state.smoothed_loss == smoothed or (np.isnan(smoothed) and np.isnan(state.smoothed_loss))
