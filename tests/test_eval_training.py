"""Evaluation during training: a score per epoch equal to `w2v evaluate`'s on the same vectors, --keep-best
keeping the best epoch, a score on stop, and the refusals."""

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import shared_file
from test_train import EXAMPLE, Quiet
from w2vcli.cli import app
from w2vcli.training.config import TrainConfig
from w2vcli.training.evaluation import RESTRICT_VOCAB, EpochEvaluator
from w2vcli.training.session import run_training
from w2vcli.vectors.checkpoint import load_model
from w2vcli.vectors.embeddings import Embeddings
from w2vcli.vectors.evaluate import evaluate_analogies, evaluate_pairs


class Recorder(Quiet):
    def __init__(self):
        self.scores = []

    def evaluated(self, score):
        self.scores.append(score)


def _files():
    return shared_file("eval/questions-words.txt"), shared_file("eval/wordsim353.tsv")


def _run(out, evaluator, reporter, stop_after=None, epochs=3):
    calls = []

    def should_stop():
        calls.append(1)
        return stop_after is not None and len(calls) >= stop_after

    return run_training(EXAMPLE, TrainConfig(dim=20, epochs=epochs), None, out, reporter=reporter,
                        checkpoint_every=0.0, should_stop=should_stop, on_preflight=lambda pre: None,
                        evaluator=evaluator)


def _evaluate(path):
    model = load_model(path)
    embeddings = Embeddings(model.words, model.center_vectors, lowercase=True)
    analogies, pairs = _files()
    return (evaluate_analogies(embeddings, analogies, restrict_vocab=RESTRICT_VOCAB).total.accuracy,
            evaluate_pairs(embeddings, pairs, restrict_vocab=RESTRICT_VOCAB).spearman)


@pytest.mark.parametrize("keep_best", [False, True])
def test_every_epoch_is_scored_as_w2v_evaluate_scores_it(tmp_path, keep_best):
    analogies, pairs = _files()
    reporter = Recorder()
    _run(tmp_path / "m.npz", EpochEvaluator(analogies, pairs, keep_best), reporter)
    saved = load_model(tmp_path / "m.npz")
    recorded = saved.state["evaluations"]
    assert [entry[0] for entry in recorded] == [1, 2, 3] == [score.epoch for score in reporter.scores]
    scores = [(entry[2], entry[3]) for entry in recorded]
    best = max(range(3), key=lambda i: (scores[i][0], -i))  # the first epoch reaching the best accuracy
    expected = scores[best] if keep_best else scores[-1]
    assert _evaluate(tmp_path / "m.npz") == pytest.approx(expected, abs=1e-12)
    assert saved.state["best_epoch"] == (best + 1 if keep_best else 0)


def test_a_stopped_run_is_scored_too(tmp_path):
    analogies, _ = _files()
    reporter = Recorder()
    summary = _run(tmp_path / "m.npz", EpochEvaluator(analogies), reporter, stop_after=2, epochs=50)
    assert not summary.finished and len(reporter.scores) == 1
    assert reporter.scores[0].epoch == 0 and reporter.scores[0].pairs is None
    assert load_model(tmp_path / "m.npz").state["evaluations"] == [reporter.scores[0].to_json()]
    assert np.isclose(_evaluate(tmp_path / "m.npz")[0], reporter.scores[0].analogies)


def test_command_prints_the_scores_and_refuses_keep_best_alone(tmp_path):
    _, pairs = _files()
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(EXAMPLE), "--dim", "10", "--epochs", "2", "-o", str(tmp_path / "m.npz"),
                                 "--eval-pairs", str(pairs), "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("epoch ") and ": pairs " in line]
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2"]
    result = runner.invoke(app, ["train", str(EXAMPLE), "--keep-best", "-o", str(tmp_path / "n.npz")])
    assert result.exit_code == 2 and "Traceback" not in result.output + result.stderr
    assert result.stderr == ("error: --keep-best needs a score: give --eval-analogies FILE and/or --eval-pairs "
                             "FILE\n")
