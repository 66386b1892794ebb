"""Continued training (--init): the vocabulary gensim's build_vocab(update=True) makes, the model's vectors kept,
a stopped continued run resumed bit for bit, and the refusals."""

import itertools

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import shared_file
from test_train import Quiet
from w2vcli.cli import app
from w2vcli.data.corpus import iter_sentences, scan_corpus
from w2vcli.training.config import TrainConfig
from w2vcli.training.continued import continued_params, continued_vocab
from w2vcli.training.session import run_training
from w2vcli.vectors.checkpoint import ModelFile, load_model

runner = CliRunner()


def _write(path, sentences):
    path.write_text("".join(" ".join(s) + "\n" for s in sentences))
    return path


@pytest.fixture(scope="module")
def two_parts(tmp_path_factory):
    """Two consecutive pieces of Brown: the second brings words the first never had."""
    folder = tmp_path_factory.mktemp("parts")
    sentences = list(itertools.islice(iter_sentences(shared_file("brown.txt")), 6000))
    return _write(folder / "one.txt", sentences[:3000]), _write(folder / "two.txt", sentences[3000:])


def _run(corpus, out, config, *, init=None, resume=None, stop_after=None):
    calls = []

    def should_stop():
        calls.append(1)
        return stop_after is not None and len(calls) >= stop_after

    return run_training(corpus, config, load_model(resume) if resume else None, out, reporter=Quiet(),
                        checkpoint_every=0.0, should_stop=should_stop, on_preflight=lambda pre: None,
                        init=None if init is None else (init, load_model(init)))


def test_the_vocabulary_is_gensims_after_build_vocab_update(tmp_path, two_parts):
    from gensim.models import Word2Vec

    one, two = two_parts
    config = TrainConfig(dim=10, epochs=1)
    _run(one, tmp_path / "a.npz", config)
    with scan_corpus(two) as store:
        vocab = continued_vocab(load_model(tmp_path / "a.npz"), store, config)
    gensim = Word2Vec(vector_size=10, min_count=5, workers=1)
    gensim.build_vocab(list(iter_sentences(one)))
    gensim.build_vocab(list(iter_sentences(two)), update=True)
    theirs = {word: gensim.wv.get_vecattr(word, "count") for word in gensim.wv.index_to_key}
    assert dict(zip(vocab.words, vocab.counts.tolist())) == theirs
    assert len(theirs) > len(load_model(tmp_path / "a.npz").words)  # new words were added
    assert list(vocab.counts) == sorted(vocab.counts, reverse=True)  # ids stay frequency ranks


def test_the_preflight_counts_the_new_corpus_tokens_only(tmp_path, two_parts):
    one, two = two_parts
    config = TrainConfig(dim=10, epochs=1)
    _run(one, tmp_path / "a.npz", config)
    seen = []
    run_training(two, config, None, tmp_path / "b.npz", reporter=Quiet(), checkpoint_every=0.0,
                 should_stop=lambda: False, on_preflight=seen.append,
                 init=(tmp_path / "a.npz", load_model(tmp_path / "a.npz")))
    with scan_corpus(two) as store:
        in_vocab = np.isin(np.array(store.words), np.array(load_model(tmp_path / "b.npz").words))
        assert seen[0].tokens_kept == int(store.counts[in_vocab].sum()) < seen[0].tokens


def _model(words, dim=3, loss="neg"):
    rng = np.random.default_rng(0)
    return ModelFile(rng.normal(size=(len(words), dim)).astype(np.float32),
                     rng.normal(size=(len(words), dim)).astype(np.float32), words,
                     np.arange(len(words), 0, -1) * 10, {"loss": loss, "dim": dim}, {}, np.zeros(0))


class _Store:
    def __init__(self, counts):
        self.words, self.counts = list(counts), np.array(list(counts.values()), dtype=np.int64)


@pytest.mark.parametrize("loss", ["neg", "hs"])
def test_the_models_words_keep_their_vectors(loss):
    init = _model(["the", "king", "queen"], loss=loss)
    config = TrainConfig(dim=3, loss=loss)
    vocab = continued_vocab(init, _Store({"queen": 100, "castle": 7, "moat": 2}), config)
    assert vocab.words == ["queen", "the", "king", "castle"] and vocab.counts.tolist() == [110, 30, 20, 7]
    center, outside = continued_params(init, vocab, config, np.random.default_rng(1))
    for word in ("the", "king", "queen"):
        np.testing.assert_array_equal(center[vocab.index[word]], init.center_vectors[init.words.index(word)])
        expected = 0 if loss == "hs" else init.outside_vectors[init.words.index(word)]
        np.testing.assert_array_equal(outside[vocab.index[word]], expected)  # a new tree: inner nodes restart
    assert np.all(np.abs(center[3]) <= 0.5 / 3) and not outside[3].any()  # castle starts as in a fresh run


def test_a_stopped_continued_run_resumes_bit_for_bit(tmp_path, two_parts):
    one, two = two_parts
    config = TrainConfig(dim=10, epochs=2)
    _run(one, tmp_path / "a.npz", TrainConfig(dim=10, epochs=1))
    _run(two, tmp_path / "whole.npz", config, init=tmp_path / "a.npz")
    _run(two, tmp_path / "part.npz", config, init=tmp_path / "a.npz", stop_after=2)
    stopped = load_model(tmp_path / "part.npz")
    assert not stopped.state["finished"] and stopped.state["init"] == str(tmp_path / "a.npz")
    _run(two, tmp_path / "part.npz", config, resume=tmp_path / "part.npz")
    whole, resumed = load_model(tmp_path / "whole.npz"), load_model(tmp_path / "part.npz")
    assert whole.words == resumed.words and resumed.state["finished"]
    np.testing.assert_array_equal(whole.center_vectors, resumed.center_vectors)
    np.testing.assert_array_equal(whole.outside_vectors, resumed.outside_vectors)
    assert whole.state["words_done"] == 2 * whole.state["corpus_tokens"]  # a fresh schedule over the new text


def _error(result, code, message):
    assert result.exit_code == code, result.output
    assert result.stderr == f"error: {message}\n" and "Traceback" not in result.output + result.stderr


def test_command_continues_and_refuses_what_cannot_be(tmp_path, two_parts):
    one, two = two_parts
    _run(one, tmp_path / "a.npz", TrainConfig(dim=10, epochs=1))
    result = runner.invoke(app, ["train", str(two), "--init", str(tmp_path / "a.npz"), "-o", str(tmp_path / "c.npz"),
                                 "--epochs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(load_model(tmp_path / "c.npz").words) > len(load_model(tmp_path / "a.npz").words)
    _error(runner.invoke(app, ["train", str(two), "--init", str(tmp_path / "a.npz"), "--dim", "20",
                               "-o", str(tmp_path / "d.npz")]), 2,
           "--dim 20 differs from the --init model's dimension 10; drop --dim to keep it")
    _error(runner.invoke(app, ["train", str(two), "--init", str(tmp_path / "a.npz"), "--resume",
                               str(tmp_path / "c.npz")]), 2,
           "--init starts a new run from a model and --resume continues a stopped one: give one")
    _error(runner.invoke(app, ["train", str(one), "--resume", str(tmp_path / "c.npz")]), 2,
           f"{tmp_path / 'c.npz'} has finished training; there is nothing to resume (to train again, run without "
           f"--resume, with --force to replace {tmp_path / 'c.npz'})")
