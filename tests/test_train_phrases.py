"""`w2v train --phrases`: the same run as training on the file `w2v phrases` writes (vocabulary and, with one
worker and the same seed, vectors bit for bit), the same phrases as real gensim, an exact resume, the settings
recorded in the model (`w2v info`), queries on the joined words, and the refusals as one line."""

import itertools
from collections import Counter

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import shared_file
from test_phrases import _gensim_rewrite, assert_one_error_line
from test_train import EXAMPLE, _train
from w2vcli.cli import app
from w2vcli.data.corpus import iter_sentences
from w2vcli.data.phrases import PhraseScoring
from w2vcli.errors import ConfigError
from w2vcli.training import trainer as train_module
from w2vcli.training.config import TrainConfig
from w2vcli.vectors.checkpoint import load_model

runner = CliRunner()
PHRASED = TrainConfig(dim=12, epochs=2, phrases=True, phrase_threshold=30.0)  # 81 phrases on the example corpus


def _brown_part(tmp_path, lines=3000):
    path = tmp_path / "brown-part.txt"
    with open(shared_file("brown.txt"), encoding="utf-8") as source:
        path.write_text("".join(itertools.islice(source, lines)), encoding="utf-8")
    return path


def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("passes", ["1", "2"])
def test_training_with_phrases_equals_training_on_the_phrased_file(tmp_path, passes):
    """The oracle is the command itself: w2v phrases writes the text, w2v train reads it; --phrases must give the
    same vocabulary, counts and (one worker, one seed) the same vectors, bit for bit."""
    corpus = _brown_part(tmp_path)
    phrase_options = ["--threshold", "10", "--min-count", "3", "--passes", passes]
    _ok(["phrases", str(corpus), "-o", str(tmp_path / "phrased.txt"), *phrase_options])
    common = ["--dim", "10", "--epochs", "1", "--workers", "1", "--seed", "3", "-q"]
    _ok(["train", str(tmp_path / "phrased.txt"), "-o", str(tmp_path / "file.npz"), *common])
    _ok(["train", str(corpus), "-o", str(tmp_path / "fly.npz"), "--phrases", "--phrase-threshold", "10",
         "--phrase-min-count", "3", "--phrase-passes", passes, *common])
    on_file, on_the_fly = load_model(tmp_path / "file.npz"), load_model(tmp_path / "fly.npz")
    assert on_the_fly.words == on_file.words and np.array_equal(on_the_fly.counts, on_file.counts)
    assert "new_york" in on_the_fly.words
    assert any(word.count("_") >= 2 for word in on_the_fly.words) == (passes == "2")
    np.testing.assert_array_equal(on_the_fly.center_vectors, on_file.center_vectors)
    np.testing.assert_array_equal(on_the_fly.outside_vectors, on_file.outside_vectors)


@pytest.mark.parametrize("scoring, threshold", [(PhraseScoring.gensim, 10.0), (PhraseScoring.word2phrase, 100.0)])
def test_the_phrased_vocabulary_is_gensims(tmp_path, scoring, threshold):
    """Real gensim Phrases with the same settings rewrites the same sentences; the words it leaves at least
    --min-count times, with their counts, are the model's vocabulary."""
    corpus = _brown_part(tmp_path)
    _ok(["train", str(corpus), "-o", str(tmp_path / "m.npz"), "--phrases", "--phrase-scoring", scoring.value,
         "--phrase-threshold", str(threshold), "--dim", "8", "--epochs", "1", "--workers", "1", "-q"])
    theirs = Counter(word for sentence in _gensim_rewrite(list(iter_sentences(corpus)), 1, scoring, min_count=5,
                                                          threshold=threshold) for word in sentence)
    kept = {word: count for word, count in theirs.items() if count >= 5}
    saved = load_model(tmp_path / "m.npz")
    assert dict(zip(saved.words, saved.counts.tolist())) == kept
    assert sum("_" in word for word in kept) > 20  # phrases were found at all


def test_a_phrased_run_resumes_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 20_000)  # several chunks per epoch
    _train(tmp_path / "whole.npz", PHRASED)
    _train(tmp_path / "part.npz", PHRASED, stop_after=5)
    part = load_model(tmp_path / "part.npz")
    assert not part.state["finished"] and part.config["phrases"] is True
    _train(tmp_path / "part.npz", PHRASED, resume=tmp_path / "part.npz")
    whole, resumed = load_model(tmp_path / "whole.npz"), load_model(tmp_path / "part.npz")
    assert resumed.words == whole.words and "said_that" in whole.words
    np.testing.assert_array_equal(whole.center_vectors, resumed.center_vectors)
    np.testing.assert_array_equal(whole.outside_vectors, resumed.outside_vectors)


def test_resume_takes_the_saved_phrase_settings_and_refuses_others(tmp_path):
    out = tmp_path / "m.npz"
    _train(out, PHRASED, stop_after=1)
    assert_one_error_line(runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(out), "--phrase-threshold",
                                              "50"]), 2,
                          f"cannot resume {out} with different options: phrase_threshold (drop them to continue "
                          "with the checkpoint's)")
    resumed = _ok(["train", str(EXAMPLE), "--resume", str(out), "--workers", "1"]).stdout
    assert "41,106 word pairs joined into phrases" in resumed  # as w2v phrases --threshold 30 joins them
    assert load_model(out).state["finished"] is True


def test_info_shows_the_phrase_settings_and_queries_find_joined_words(tmp_path):
    out = tmp_path / "m.npz"
    _train(out, PHRASED)
    table = _ok(["info", "-m", str(out)]).stdout
    for row in ("--phrases\ttrue", "--phrase-passes\t1", "--phrase-threshold\t30.0", "--phrase-min-count\t5",
                "--phrase-scoring\tword2phrase"):
        assert row in table, table
    import json

    options = json.loads(_ok(["info", "-m", str(out), "--json"]).stdout)["training"]["options"]
    assert options["phrases"] is True and options["phrase_threshold"] == 30.0
    assert "said_that" in _ok(["nearest", "walked_to", "-m", str(out), "-k", "40"]).stdout
    _train(tmp_path / "plain.npz", TrainConfig(dim=12, epochs=1))
    assert "--phrase" not in _ok(["info", "-m", str(tmp_path / "plain.npz")]).stdout  # off: not shown


def test_phrase_options_are_checked_before_any_work(tmp_path):
    assert_one_error_line(runner.invoke(app, ["train", str(EXAMPLE), "--phrase-threshold", "10", "-o",
                                              str(tmp_path / "m.npz")]), 2,
                          "--phrase-threshold applies only with --phrases")
    assert_one_error_line(runner.invoke(app, ["train", str(EXAMPLE), "--phrases", "--phrase-passes", "5", "-o",
                                              str(tmp_path / "m.npz")]), 2,
                          "--phrase-passes must be between 1 and 4 (got 5)")
    assert_one_error_line(runner.invoke(app, ["train", str(EXAMPLE), "--phrases", "--phrase-min-count", "0", "-o",
                                              str(tmp_path / "m.npz")]), 2,
                          "--phrase-min-count must be at least 1 (got 0)")
    assert_one_error_line(runner.invoke(app, ["train", "-", "--phrases", "-o", str(tmp_path / "m.npz")],
                                        input="a b c\n"), 2,
                          "--phrases reads the corpus several times, and - is a stream that can be read only once: "
                          "save it to a file first, or write the phrased text with w2v phrases and pipe that")
    assert not (tmp_path / "m.npz").exists()
    with pytest.raises(ConfigError, match="--phrase-threshold must be a finite number"):
        TrainConfig(phrases=True, phrase_threshold=float("nan")).validate()

