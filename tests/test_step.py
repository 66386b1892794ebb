"""The step for wide windows: blocks computed pair by pair equal the same blocks computed by shifting."""

import numpy as np
import pytest

from w2vcli.math import batched
from w2vcli.math.batched import block_gradient, make_block


@pytest.mark.parametrize("model, loss", [("skipgram", "neg"), ("cbow", "neg"), ("skipgram", "softmax"),
                                         ("cbow", "softmax")])
@pytest.mark.parametrize("window, length", [(3, 40), (12, 30)])
def test_pairwise_blocks_equal_shifted_blocks(monkeypatch, model, loss, window, length):
    rng = np.random.default_rng(window)
    ids, sentences = rng.integers(15, size=length), np.cumsum(rng.random(length) < 0.2)
    is_center = np.zeros(length, bool)
    is_center[window:length - window] = True  # a block with its halo, as the trainer builds them
    block = make_block(ids, sentences, rng.integers(1, window + 1, length), window, is_center)
    params = rng.normal(size=(15, 4)), rng.normal(size=(15, 4))
    results = []
    for pairwise in (False, True):
        monkeypatch.setattr(batched, "by_pairs", lambda block: pairwise)
        results.append(block_gradient(*params, block, np.arange(5), model=model, loss=loss, neg_weight=0.7,
                                      full_spread=True).dense(*params))
    (dense_loss, *dense), (pair_loss, *pair) = results
    assert pair_loss == pytest.approx(dense_loss, rel=1e-10)
    for a, b in zip(dense, pair):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_wide_windows_go_pair_by_pair_and_the_defaults_do_not():
    block = make_block(np.zeros(2002, int), np.zeros(2002), np.full(2002, 1000), 1000, np.arange(2002) < 2)
    assert batched.by_pairs(block)
    assert not batched.by_pairs(make_block(np.zeros(522, int), np.zeros(522), np.full(522, 5), 5))
