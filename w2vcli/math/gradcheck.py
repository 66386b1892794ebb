"""Numerical gradient checking, and the named checks that `w2v gradcheck` runs.

Centred finite differences over every coordinate, compared with the hand-derived gradient (CS224n's
gradcheck_naive, rewritten to return a result instead of printing). Pure: no output; the CLI renders.
Not a training-time tool: it evaluates the objective 2·x.size times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import batched, core, hs, subwords


@dataclass(frozen=True)
class GradcheckResult:
    passed: bool
    max_rel_error: float  # max over coordinates of |num − ana| / max(1, |num|, |ana|)
    worst_index: tuple[int, ...]  # coordinate where that maximum is reached


def gradcheck(f: Callable, x: np.ndarray, h: float = 1e-4, tolerance: float = 1e-5,
              rng: np.random.Generator | None = None) -> GradcheckResult:
    """Check that f(x) -> (value, gradient) returns the gradient of its value, coordinate by coordinate.

    The numerical derivative is (f(x + h e_i) − f(x − h e_i)) / 2h. Before every evaluation rng's state is
    reset to what it was at the start, so an objective that draws from rng (negative sampling) sees the same
    draws each time. x is modified during the check and restored exactly afterwards.
    """
    rng_state = rng.bit_generator.state if rng is not None else None

    def evaluate():
        if rng is not None:
            rng.bit_generator.state = rng_state
        return f(x)

    _, analytic = evaluate()
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"gradient shape {analytic.shape} differs from x's {x.shape}")
    max_rel_error, worst_index = 0.0, (0,) * x.ndim
    for ix in np.ndindex(x.shape):
        original = x[ix]
        x[ix] = original + h
        value_plus = float(evaluate()[0])
        x[ix] = original - h
        value_minus = float(evaluate()[0])
        x[ix] = original
        numeric = (value_plus - value_minus) / (2 * h)
        rel_error = abs(numeric - analytic[ix]) / max(1.0, abs(numeric), abs(analytic[ix]))
        if rel_error > max_rel_error:
            max_rel_error, worst_index = rel_error, ix
    return GradcheckResult(bool(max_rel_error <= tolerance), float(max_rel_error), tuple(int(i) for i in worst_index))


@dataclass(frozen=True)
class NamedCheck:
    name: str
    x: np.ndarray  # the point the gradient is checked at
    f: Callable  # x -> (value, gradient)
    rng: np.random.Generator | None = None


def _both_matrices(objective, V):
    """Check a (loss, grad_center_vectors, grad_outside_vectors) objective in both matrices at once, x (2, V, d)."""

    def f(x):
        loss, grad_center, grad_outside = objective(x[0], x[1])
        return loss, np.stack([grad_center, grad_outside])

    return f


def standard_checks(dim: int = 5, vocab_size: int = 8, seed: int = 0, negatives: int = 4) -> list[NamedCheck]:
    """Every hand-written gradient in w2vcli, each as a check at a random point (float64)."""
    setup = np.random.default_rng(seed)
    V, d, K = vocab_size, dim, negatives
    center_vectors = setup.normal(size=(V, d))
    outside_vectors = setup.normal(size=(V, d))
    center_vec = setup.normal(size=d)
    outside_idx = int(setup.integers(V))
    negative_idxs = setup.integers(V, size=K)
    noise_probs = setup.random(V) + 0.1
    noise_probs /= noise_probs.sum()
    sampler_rng = np.random.default_rng(seed + 1)
    neg = core.neg_sampling_with_sampler(K, noise_probs, sampler_rng)
    window = setup.integers(V, size=2 * 2)  # 4 outside words, one may repeat
    center_idx = int(setup.integers(V))
    block = _random_block(setup, V, length=12, window=3)
    shared_negatives = setup.integers(V, size=K + 2)
    both = np.stack([center_vectors, outside_vectors])

    checks = [
        NamedCheck("sigmoid′(x) = σ(x)(1 − σ(x))", setup.normal(size=(d,)) * 3,
                   lambda x: (np.sum(core.sigmoid(x)), core.sigmoid(x) * (1 - core.sigmoid(x)))),
        NamedCheck("naive softmax · ∂J/∂v_c", center_vec.copy(),
                   lambda x: _pick(core.naive_softmax_loss_and_gradient(x, outside_idx, outside_vectors), 1)),
        NamedCheck("naive softmax · ∂J/∂U", outside_vectors.copy(),
                   lambda x: _pick(core.naive_softmax_loss_and_gradient(center_vec, outside_idx, x), 2)),
        NamedCheck("neg sampling · ∂J/∂v_c", center_vec.copy(),
                   lambda x: _pick(core.neg_sampling_loss_and_gradient(x, outside_idx, outside_vectors,
                                                                      negative_idxs), 1)),
        NamedCheck("neg sampling · ∂J/∂U", outside_vectors.copy(),
                   lambda x: _pick(core.neg_sampling_loss_and_gradient(center_vec, outside_idx, x, negative_idxs), 2)),
    ]
    checks += _model_checks(center_idx, window, both, neg, sampler_rng)
    checks += _block_checks(block, shared_negatives, both, K) + _curvature_checks(setup, d)
    return (checks + _hs_checks(setup, center_vectors, center_vec, center_idx, window, block)
            + _subword_checks(setup, d, K))


def _model_checks(center_idx, window, both, neg, sampler_rng) -> list[NamedCheck]:
    """Skip-gram and CBOW over one window, with each loss, on both matrices."""
    V, checks = both.shape[1], []
    for model_name, model in (("skip-gram", core.skipgram), ("CBOW", core.cbow)):
        for loss_name, loss_fn, rng in (("naive softmax", core.naive_softmax_loss_and_gradient, None),
                                        ("neg sampling", neg, sampler_rng)):
            objective = (lambda m, l: lambda c, o: m(center_idx, window, c, o, l))(model, loss_fn)
            checks.append(NamedCheck(f"{model_name} · {loss_name}", both.copy(), _both_matrices(objective, V), rng))
    return checks


def _block_checks(block, shared_negatives, both, K: int) -> list[NamedCheck]:
    """The batched block objective the trainer runs, for each model and loss, on both matrices."""
    V, checks = both.shape[1], []
    for model in ("skipgram", "cbow"):
        for loss in ("softmax", "neg"):
            objective = (lambda m, l: lambda c, o: batched.block_loss_and_gradient(
                c, o, block, shared_negatives, model=m, loss=l, neg_weight=K / len(shared_negatives)))(model, loss)
            label = f"block · {'skip-gram' if model == 'skipgram' else 'CBOW'} · " \
                    f"{'naive softmax' if loss == 'softmax' else 'neg sampling'}"
            checks.append(NamedCheck(label, both.copy(), _both_matrices(objective, V)))
    groups = shared_negatives[:2 * (len(shared_negatives) // 2)].reshape(2, -1)  # (G, K'): the trainer's default
    grouped = lambda c, o: batched.block_loss_and_gradient(c, o, block, groups, neg_weight=K / groups.shape[1])  # noqa: E731
    checks.append(NamedCheck("block · skip-gram · neg sampling, 2 negative groups", both.copy(),
                             _both_matrices(grouped, V)))
    return checks


def _curvature_checks(setup: np.random.Generator, d: int, K: int = 3) -> list[NamedCheck]:
    """The shared negatives' curvature along their group's direction m (batched.noise_curvature), which the SGD
    step damps by (training/step.py, damp_noise_rows): checked as the derivative of m·∂J/∂u_k when each noise row
    u_k moves by s_k·m. The negatives are distinct and none is a block word, so each row's terms are its own."""
    words, V = 8, 8 + 2 * K
    block = _random_block(setup, words, length=12, window=3)
    center, outside = setup.normal(size=(V, d)), setup.normal(size=(V, d))
    negatives = np.arange(words, V).reshape(2, K)  # (G, K'): two groups, as skip-gram's
    checks = []
    for model, groups in (("skipgram", negatives), ("cbow", negatives[:1])):

        def f(s, model=model, groups=groups):
            directions = batched.block_gradient(center, outside, block, groups, model=model,
                                                neg_weight=5 / K).noise_curvature.directions  # (G, d): U-free
            moved = outside.copy()
            moved[groups] += s.reshape(groups.shape)[..., None] * directions[:, None, :]
            grad = batched.block_gradient(center, moved, block, groups, model=model, neg_weight=5 / K)
            noise = grad.grad_outside_rows[-groups.size:].reshape(*groups.shape, d)  # (G, K', d)
            return float(np.sum(noise * directions[:, None, :])), grad.noise_curvature.values.reshape(-1)

        label = "skip-gram" if model == "skipgram" else "CBOW"
        checks.append(NamedCheck(f"block · {label} · noise curvature along m", np.zeros(groups.size), f))
    return checks


def _hs_checks(setup, center_vectors, center_vec, center_idx, window, block) -> list[NamedCheck]:
    """Hierarchical softmax on a random tree: the loss alone, both models, and the block objectives."""
    V, d = center_vectors.shape
    paths = _random_tree(setup, V)
    inner_vectors = setup.normal(size=(V - 1, d))
    points, codes = paths.path(int(setup.integers(V)))
    both = np.concatenate([center_vectors, inner_vectors])  # (2V − 1, d): V center rows, then V − 1 inner rows
    hs_loss = hs.hs_with_paths(paths)
    checks = [
        NamedCheck("hierarchical softmax · ∂J/∂v_c", center_vec.copy(),
                   lambda x: _pick(hs.hs_loss_and_gradient(x, points, codes, inner_vectors), 1)),
        NamedCheck("hierarchical softmax · ∂J/∂inner", inner_vectors.copy(),
                   lambda x: _pick(hs.hs_loss_and_gradient(center_vec, points, codes, x), 2)),
    ]
    for model_name, model in (("skip-gram", core.skipgram), ("CBOW", core.cbow)):
        objective = (lambda m: lambda c, o: m(center_idx, window, c, o, hs_loss))(model)
        checks.append(NamedCheck(f"{model_name} · hierarchical softmax", both.copy(), _stacked(objective, V)))
    for model in ("skipgram", "cbow"):
        objective = (lambda m: lambda c, o: hs.block_loss_and_gradient_hs(c, o, block, paths, model=m))(model)
        label = f"block · {'skip-gram' if model == 'skipgram' else 'CBOW'} · hierarchical softmax"
        checks.append(NamedCheck(label, both.copy(), _stacked(objective, V)))
    return checks


SUBWORD_CHECK_WORDS = ("king", "kings", "queen", "café", "a", "walking", "walked", "rings")


def _subword_checks(setup: np.random.Generator, d: int, K: int) -> list[NamedCheck]:
    """fastText's subword models (math/subwords.py), per example and batched, in Z (V + B, d) and U at once."""
    words = SUBWORD_CHECK_WORDS
    V, buckets = len(words), 6
    table = subwords.subword_table(words, 3, 4, buckets)
    x = setup.normal(size=(V + buckets + V, d))  # Z stacked on U
    negative_idxs = setup.integers(V, size=K)
    center_idx, outside_idxs = int(setup.integers(V)), setup.integers(V, size=4)
    block = _random_block(setup, V, length=12, window=3)
    losses = {"naive softmax": core.naive_softmax_loss_and_gradient,
              "neg sampling": lambda v, o, U: core.neg_sampling_loss_and_gradient(v, o, U, negative_idxs)}
    checks = []
    for model_name, model, block_model in (("skip-gram", subwords.subword_skipgram, "skipgram"),
                                           ("CBOW", subwords.subword_cbow, "cbow")):
        for loss_name, loss_fn in losses.items():
            objective = (lambda m, l: lambda z, u: m(center_idx, outside_idxs, z, table, u, l))(model, loss_fn)
            checks.append(NamedCheck(f"subwords · {model_name} · {loss_name}", x.copy(), _stacked(objective, -V)))
            block_objective = (lambda m, l: lambda z, u: subwords.subword_block_loss_and_gradient(
                z, u, table, block, negative_idxs, model=m, loss=l))(block_model, "softmax" if "softmax" in
                                                                     loss_name else "neg")
            checks.append(NamedCheck(f"subwords block · {model_name} · {loss_name}", x.copy(),
                                     _stacked(block_objective, -V)))
    return checks


def _stacked(objective, split: int):
    """Check a (loss, grad_first, grad_second) objective at x = [first; second], split at row `split`: the V center
    rows then the V − 1 inner nodes (hierarchical softmax, split = V), or Z (V + buckets rows) then U (subwords,
    split = −V)."""

    def f(x):
        loss, grad_first, grad_second = objective(x[:split], x[split:])
        return loss, np.concatenate([grad_first, grad_second])

    return f


def _random_tree(rng: np.random.Generator, V: int) -> hs.TreePaths:
    """A random binary tree over V leaves (V − 1 merges of two random free nodes), for checks and tests."""
    free, first, second = list(range(V)), [], []
    for a in range(V - 1):
        i, j = rng.choice(len(free), size=2, replace=False)
        first.append(free[i])
        second.append(free[j])
        free = [node for k, node in enumerate(free) if k not in (i, j)] + [V + a]
    return hs.paths_from_merges(first, second)


def _pick(result, i):
    return result[0], result[i]


def _random_block(rng: np.random.Generator, V: int, length: int, window: int) -> batched.Block:
    """A small block with two sentences and random reduced windows, for checks and tests."""
    ids = rng.integers(V, size=length)
    sentence_ids = (np.arange(length) >= length // 2).astype(np.int64)
    reduced_windows = rng.integers(1, window + 1, size=length)
    return batched.make_block(ids, sentence_ids, reduced_windows, window)


def run_checks(checks: list[NamedCheck], h: float = 1e-4, tolerance: float = 1e-5):
    """Run each check; returns [(check, result)]."""
    return [(check, gradcheck(check.f, check.x, h=h, tolerance=tolerance, rng=check.rng)) for check in checks]
