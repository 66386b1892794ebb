"""`w2v train --subwords`: fastText's model trained with every guarantee of the word-level trainer (exact resume,
workers, checkpoints), saved with what vectors for unseen words need, and queried, exported and evaluated."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.cli.commands import app
from w2vcli.errors import ModelFileError
from w2vcli.math import subwords
from w2vcli.training import trainer as train_module
from w2vcli.training.config import TrainConfig
from w2vcli.training.session import resolve_config, run_training
from w2vcli.vectors.checkpoint import load_model, save_model
from w2vcli.vectors.embeddings import load_vectors
from w2vcli.vectors.formats import read_word2vec

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"
CONFIG = TrainConfig(dim=16, epochs=2, seed=3, subwords=True, buckets=3000, min_n=3, max_n=5)
runner = CliRunner()


class Quiet:
    def report(self, progress, rate):
        pass


def _train(out, config, *, resume=None, stop_after=None, workers=1):
    reports = []

    def should_stop():
        reports.append(1)
        return stop_after is not None and len(reports) >= stop_after

    checkpoint = load_model(resume) if resume else None
    return run_training(EXAMPLE, config, checkpoint, out, reporter=Quiet(), checkpoint_every=0.0,
                        should_stop=should_stop, on_preflight=lambda pre: None, workers=workers)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("subwords") / "m.npz"
    _train(out, dataclasses.replace(CONFIG, dim=30, epochs=3))
    return out


def test_the_model_file_holds_the_ngram_rows_and_the_loss_falls(trained):
    saved = load_model(trained)
    assert saved.ngram_vectors.shape == (3000, 30) and saved.center_vectors.shape == (len(saved.words), 30)
    assert saved.config["subwords"] and saved.loss_history[-1] < saved.loss_history[0]
    assert np.abs(saved.ngram_vectors).max() > 0.5 / 30  # trained away from their uniform start


def test_unseen_words_get_the_mean_of_their_ngram_rows(trained):
    saved, vectors = load_model(trained), load_vectors(trained)
    rows = subwords.ngram_rows("kingz", 3, 5, 3000, len(saved.words))
    np.testing.assert_allclose(vectors.vector("kingz"), saved.ngram_vectors[rows - len(saved.words)].mean(axis=0),
                               rtol=1e-6)
    table = subwords.subword_table(saved.words, 3, 5, 3000)
    Z = np.concatenate([saved.center_vectors, saved.ngram_vectors])
    np.testing.assert_allclose(vectors.vectors, subwords.word_vectors(Z, table), rtol=1e-6)


def test_nearest_of_a_misspelling_is_flagged_and_finds_the_word(trained):
    result = runner.invoke(app, ["nearest", "kingz", "-k", "3", "-m", str(trained)])
    assert result.exit_code == 0 and "Traceback" not in result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert all(row[0] == "kingz (from subwords)" for row in rows) and "king" in [row[1] for row in rows]


def test_interrupted_subword_run_resumes_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 20_000)  # ~14 chunks per epoch
    _train(tmp_path / "full.npz", CONFIG)
    stopped = _train(tmp_path / "part.npz", CONFIG, stop_after=17)  # stop inside epoch 2
    assert not stopped.finished and load_model(tmp_path / "part.npz").state["epoch"] == 1
    resumed_config, _ = resolve_config({}, None, tmp_path / "part.npz")
    assert resumed_config == CONFIG
    _train(tmp_path / "part.npz", resumed_config, resume=tmp_path / "part.npz")
    full, part = load_model(tmp_path / "full.npz"), load_model(tmp_path / "part.npz")
    np.testing.assert_array_equal(full.center_vectors, part.center_vectors)
    np.testing.assert_array_equal(full.ngram_vectors, part.ngram_vectors)
    np.testing.assert_array_equal(full.outside_vectors, part.outside_vectors)


def test_two_workers_train_the_shared_ngram_rows(tmp_path):
    summary = _train(tmp_path / "m.npz", CONFIG, workers=2)
    saved = load_model(tmp_path / "m.npz")
    assert summary.finished and np.isfinite(saved.ngram_vectors).all()
    assert saved.loss_history[-1] < saved.loss_history[0] and np.abs(saved.ngram_vectors).max() > 0.5 / 16


def test_export_writes_the_composed_vectors_as_vec(trained, tmp_path):
    result = runner.invoke(app, ["export", str(trained), str(tmp_path / "v.vec")])
    assert result.exit_code == 0, result.output
    words, vectors = read_word2vec(tmp_path / "v.vec", binary=False)
    expected = load_vectors(trained)
    assert words == expected.words
    np.testing.assert_allclose(vectors, expected.vectors, atol=1e-5)


def test_evaluate_reports_vocabulary_words_and_every_word(trained, tmp_path):
    (tmp_path / "q.txt").write_text(": family\nking queen prince princess\nking queen kingz queenz\n")
    result = runner.invoke(app, ["evaluate", "-m", str(trained), "-a", str(tmp_path / "q.txt")])
    assert result.exit_code == 0, result.output
    out = result.stdout.split("# (every word; unknown words from subwords)\n")
    assert len(out) == 2
    assert [line.split("\t")[2:4] for line in out[0].splitlines() if line.startswith("total")] == [["1", "1"]]
    assert [line.split("\t")[2:4] for line in out[1].splitlines() if line.startswith("total")] == [["2", "0"]]


@pytest.mark.parametrize("args, message", [
    (["--min-n", "5", "--max-n", "3"], "error: --min-n must be at most --max-n (got 5 and 3)"),
    (["--buckets", "0"], "error: --buckets must be positive (got 0)"),
    (["--preset", "cs224n"], "error: --subwords does not apply to --preset cs224n"),
])
def test_impossible_subword_options_are_refused(tmp_path, args, message):
    result = runner.invoke(app, ["train", str(EXAMPLE), "--subwords", *args, "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 2 and result.stderr.strip() == message and "Traceback" not in result.output


def test_a_subword_model_without_its_ngram_rows_is_refused(trained, tmp_path):
    saved = load_model(trained)
    save_model(tmp_path / "broken.npz", dataclasses.replace(saved, ngram_vectors=None))
    with pytest.raises(ModelFileError, match=r"a subword model needs ngram_vectors \(3000 buckets x 30\); found none"):
        load_model(tmp_path / "broken.npz")
    result = runner.invoke(app, ["nearest", "king", "-m", str(tmp_path / "broken.npz")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_plot_draws_an_unseen_word_from_its_ngrams(trained, tmp_path):
    result = runner.invoke(app, ["plot", "-m", str(trained), "--words", "king,queen,kingz,prince",
                                 "--out", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    assert result.stderr == "warning: kingz: not in the vocabulary, vector from subwords\n"
    assert (tmp_path / "p.png").stat().st_size > 0


def test_info_shows_the_subword_options(trained):
    result = runner.invoke(app, ["info", "-m", str(trained)])
    assert result.exit_code == 0
    assert "--subwords\ttrue\n--min-n\t3\n--max-n\t5\n--buckets\t3000\n" in result.stdout


def test_rows_held_by_more_tokens_than_the_cap_are_damped():
    from w2vcli.math.batched import make_block
    from w2vcli.training.step import damp_subword_rows

    words = ["walk", "walks", "talk"]
    table = subwords.subword_table(words, 3, 4, 50)
    rng = np.random.default_rng(0)
    Z, U = rng.normal(size=(3 + 50, 4)), rng.normal(size=(3, 4))
    ids = np.array([0, 1, 0, 0, 2, 1])  # "<wa" is used by 5 tokens (walk x3, walks x2), "<ta" by 1
    block = make_block(ids, np.zeros(6), np.full(6, 2), 2)
    grad = subwords.subword_block_gradient(Z, U, table, block, np.array([2]), full_spread=True)
    damped = damp_subword_rows(grad, cap=2)
    wa = 3 + subwords.fnv1a_hash("<wa") % 50
    ta = 3 + subwords.fnv1a_hash("<ta") % 50
    ratio = dict(zip(grad.center_idxs, damped.grad_center_rows[:, 0] / grad.grad_center_rows[:, 0]))
    np.testing.assert_allclose([ratio[0], ratio[1], ratio[2]], [2 / 3, 1.0, 1.0])  # the words' own rows
    np.testing.assert_allclose([ratio[wa], ratio[ta]], [2 / 5, 1.0])
    assert damp_subword_rows(grad, cap=8) is grad


def test_subwords_start_from_their_own_measured_defaults():
    config, _ = resolve_config({"subwords": True}, None, None)
    assert (config.lr, config.batch_size, config.sentence_ends) == (0.05, 128, True) and config.subwords
    assert not resolve_config({"subwords": True, "sentence_ends": False}, None, None)[0].sentence_ends
    assert not resolve_config({}, None, None)[0].sentence_ends
    assert resolve_config({"subwords": True, "lr": 0.01}, None, None)[0].lr == 0.01
    assert resolve_config({}, None, None)[0].lr == TrainConfig().lr == 0.025
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    assert "Starting learning rate (0.05 with --subwords)." in result.output
    assert "128 with --subwords" in result.output


def test_sentences_end_with_fasttexts_token_a_word_without_ngrams(tmp_path):
    """fastText reads each line with "</s>" as its last word: a vocabulary word counted once per sentence, with its
    own row and no n-gram rows, and a context of each sentence's last words; --no-sentence-ends leaves it out."""
    sentences = sum(1 for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.split())
    _train(tmp_path / "ends.npz", dataclasses.replace(CONFIG, sentence_ends=True))
    saved = load_model(tmp_path / "ends.npz")
    assert saved.counts[saved.words.index("</s>")] == sentences
    table = subwords.subword_table(saved.words, 3, 5, 3000)
    assert table.rows_of(saved.words.index("</s>")).tolist() == [saved.words.index("</s>")]
    _train(tmp_path / "none.npz", dataclasses.replace(CONFIG, sentence_ends=False))
    assert "</s>" not in load_model(tmp_path / "none.npz").words
