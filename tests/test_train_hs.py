"""Training with hierarchical softmax (--loss hs): it learns, it resumes exactly, the tree is the vocabulary's
Huffman tree, and a step updates only the inner nodes on the block's paths."""

import numpy as np
import pytest
from typer.testing import CliRunner

from test_train import EXAMPLE, _train
from w2vcli.cli import app
from w2vcli.data.huffman import huffman_paths
from w2vcli.errors import ConfigError
from w2vcli.math.batched import make_block
from w2vcli.training.config import CS224N, TrainConfig
from w2vcli.math.hs import block_gradient_hs
from w2vcli.training.step import NODE_REPEATS, sgd_step
from w2vcli.vectors.checkpoint import load_model

ROYALTY = {"queen", "prince", "princess", "lord", "lady"}


def _neighbours(path, word, k=3):
    saved = load_model(path)
    unit = saved.center_vectors / np.linalg.norm(saved.center_vectors, axis=1, keepdims=True)
    similarity = unit @ unit[saved.words.index(word)]
    return [saved.words[i] for i in np.argsort(-similarity)[1:k + 1]]


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_hs_training_learns_the_example_relations_as_gensim_does(tmp_path, model):
    """The oracle: gensim with hs=1, negative=0 on the same corpus finds the same kind of neighbours."""
    from gensim.models import Word2Vec
    from w2vcli.data.corpus import iter_sentences

    summary = _train(tmp_path / "m.npz", TrainConfig(model=model, loss="hs", dim=30, epochs=3))
    saved = load_model(tmp_path / "m.npz")
    assert summary.finished and saved.config["loss"] == "hs"
    assert saved.loss_history[-1] < saved.loss_history[0]
    ours = _neighbours(tmp_path / "m.npz", "king")
    assert set(ours) <= ROYALTY, ours
    gensim = Word2Vec(list(iter_sentences(EXAMPLE)), vector_size=30, epochs=3, hs=1, negative=0, min_count=5,
                      sg=int(model == "skipgram"), workers=1, seed=1)
    theirs = [w for w, _ in gensim.wv.most_similar("king", topn=3)]
    assert ours[0] == theirs[0] == "queen" and len(set(theirs) & ROYALTY) >= 2, theirs
    assert not np.any(saved.outside_vectors[-1])  # V − 1 inner nodes: the last row is never used


def test_hs_run_resumes_bit_for_bit(tmp_path):
    config = TrainConfig(loss="hs", dim=12, epochs=2)
    _train(tmp_path / "whole.npz", config)
    _train(tmp_path / "part.npz", config, stop_after=3)
    assert not load_model(tmp_path / "part.npz").state["finished"]
    _train(tmp_path / "part.npz", config, resume=tmp_path / "part.npz")
    whole, resumed = load_model(tmp_path / "whole.npz"), load_model(tmp_path / "part.npz")
    np.testing.assert_array_equal(whole.center_vectors, resumed.center_vectors)
    np.testing.assert_array_equal(whole.outside_vectors, resumed.outside_vectors)


def test_a_step_moves_only_the_nodes_on_the_blocks_paths():
    rng = np.random.default_rng(0)
    counts = np.sort(rng.integers(1, 1000, size=50))[::-1]
    paths = huffman_paths(counts, root_first=True)
    center, outside = rng.normal(size=(50, 4)).astype(np.float32), rng.normal(size=(50, 4)).astype(np.float32)
    before = outside.copy()
    block = make_block([3, 7, 3, 20], [0, 0, 0, 0], [2, 2, 2, 2], 2)
    sgd_step((center, outside), block, None, 0.1, TrainConfig(loss="hs", max_repeats=100), True, paths=paths)
    moved = set(np.flatnonzero(np.any(outside != before, axis=1)))
    on_paths = set(np.concatenate([paths.path(w)[0] for w in (3, 7, 20)]).tolist())
    assert moved == on_paths and 0 in moved  # the root is node 0


def test_root_first_numbering_is_a_relabelling():
    counts = np.arange(30, 0, -1)
    plain, root_first = huffman_paths(counts), huffman_paths(counts, root_first=True)
    for w in range(30):
        np.testing.assert_array_equal(root_first.path(w)[0], 28 - plain.path(w)[0])
        np.testing.assert_array_equal(root_first.path(w)[1], plain.path(w)[1])


def test_the_cs224n_preset_and_subwords_refuse_hs():
    with pytest.raises(ConfigError, match="--preset cs224n"):
        TrainConfig(**{**CS224N.__dict__, "loss": "hs"}).validate()
    with pytest.raises(ConfigError, match="--subwords trains with --loss neg or softmax"):
        TrainConfig(loss="hs", subwords=True).validate()


def test_train_command_takes_loss_hs(tmp_path):
    result = CliRunner().invoke(app, ["train", str(EXAMPLE), "--loss", "hs", "--dim", "10", "--epochs", "1",
                                      "-o", str(tmp_path / "m.npz"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert load_model(tmp_path / "m.npz").config["loss"] == "hs"


def test_the_benchmark_runs_the_peers_with_hierarchical_softmax():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_train import FASTTEXT_SCRIPT, GENSIM_SCRIPT, for_loss

    assert "negative=0, hs=1" in for_loss(GENSIM_SCRIPT, "hs") and "loss='hs'" in for_loss(FASTTEXT_SCRIPT, "hs")
    assert "negative=5, hs=0" in for_loss(GENSIM_SCRIPT, "neg") and "loss='ns'" in for_loss(FASTTEXT_SCRIPT, "neg")


@pytest.mark.parametrize("model, factor", [("skipgram", NODE_REPEATS), ("cbow", 1)])
def test_each_node_moves_by_at_most_its_cap_of_paths(model, factor):
    """The step sums each inner node's rows, then scales the sum by min(1, cap / paths through the node): the root
    is on the path of every token with a context word, so with 60 such tokens and cap 2·factor it moves by
    2·factor/60 of its summed gradient, while a node on one path moves by all of its gradient."""
    rng = np.random.default_rng(3)
    counts = np.sort(rng.integers(1, 1000, size=50))[::-1]
    paths = huffman_paths(counts, root_first=True)
    center, outside = (rng.normal(size=(50, 4)) * 0.3).astype(np.float32), np.zeros((50, 4), np.float32)
    outside[:49] = rng.normal(size=(49, 4)) * 0.3
    block = make_block(rng.integers(50, size=60), np.zeros(60), np.full(60, 2), 2)
    grad = block_gradient_hs(center, outside, block, paths, model=model, want_loss=False, full_spread=True)
    assert grad.node_counts[list(grad.outside_idxs).index(0)] == 60  # the root: every path
    expected = outside.copy()
    share = np.minimum(1.0, 2 * factor / grad.node_counts)  # (N,)
    expected[grad.outside_idxs] -= np.float32(0.1) * (share[:, None] * grad.grad_outside_rows).astype(np.float32)
    sgd_step((center, outside), block, None, 0.1, TrainConfig(loss="hs", model=model, max_repeats=2), False,
             paths=paths)
    np.testing.assert_allclose(outside, expected, rtol=1e-5, atol=1e-7)
    assert share.min() < 1 and share.max() == 1  # both kinds of node occur
