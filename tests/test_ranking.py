"""`w2v odd` and `w2v rank` against real gensim KeyedVectors on the same vectors, and the commands' output."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.cli import app
from w2vcli.errors import ConfigError
from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.vectors.embeddings import Embeddings
from w2vcli.vectors.ranking import odd_one_out, rank_candidates

runner = CliRunner()


def _random_vectors(seed, V=400, d=16):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(V)]
    return words, rng.normal(size=(V, d)).astype(np.float32), rng


def _gensim(words, vectors):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


@pytest.mark.parametrize("seed", range(5))
def test_odd_one_out_is_gensims_doesnt_match_and_rank_by_centrality(seed):
    words, vectors, rng = _random_vectors(seed)
    kv, embeddings = _gensim(words, vectors), Embeddings(words, vectors)
    chosen = [words[i] for i in rng.choice(len(words), size=int(rng.integers(3, 9)), replace=False)]
    ranked = odd_one_out(embeddings, chosen)
    assert ranked[0].word == kv.doesnt_match(chosen)
    central = kv.rank_by_centrality(chosen)
    assert [r.word for r in reversed(ranked)] == [word for _, word in central]
    np.testing.assert_allclose([r.cosine for r in reversed(ranked)], [score for score, _ in central], atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_rank_candidates_is_gensims_similarity_and_rank(seed):
    words, vectors, rng = _random_vectors(seed)
    kv, embeddings = _gensim(words, vectors), Embeddings(words, vectors)
    query, *candidates = [words[i] for i in rng.choice(len(words), size=6, replace=False)]
    ranked = rank_candidates(embeddings, query, candidates)
    assert [r.rank for r in ranked] == [kv.rank(query, r.word) for r in ranked]
    np.testing.assert_allclose([r.cosine for r in ranked], [kv.similarity(query, r.word) for r in ranked], atol=1e-6)
    assert [r.cosine for r in ranked] == sorted((r.cosine for r in ranked), reverse=True)


def test_rank_counts_every_word_not_only_the_candidates():
    """Hand-built: along one axis the query's neighbours are, in order, b (cos 0.99), c, d; e is orthogonal."""
    vectors = np.array([[1, 0], [1, 0.1], [1, 0.5], [1, 1], [0, 1]], dtype=np.float32)
    embeddings = Embeddings(["q", "b", "c", "d", "e"], vectors)
    assert [(r.word, r.rank) for r in rank_candidates(embeddings, "q", ["e", "c"])] == [("c", 2), ("e", 4)]
    assert [r.word for r in odd_one_out(embeddings, ["q", "b", "c", "e"])][0] == "e"
    with pytest.raises(ConfigError, match="at least three"):
        odd_one_out(embeddings, ["q", "b"])


@pytest.fixture
def model(tmp_path):
    words = ["breakfast", "lunch", "dinner", "cereal", "king", "queen", "chair"]
    vectors = np.array([[1, 1, 0], [1, 0.9, 0], [0.9, 1, 0.1], [1, 0, 1], [0, 1, 2], [0, 1.1, 2], [3, 0, 0]],
                       dtype=np.float32)
    path = tmp_path / "m.npz"
    save_model(path, ModelFile(vectors, vectors, words, np.arange(7, 0, -1), {"lowercase": True}, {}, np.zeros(0)))
    return path


def test_odd_command_plain_and_json(model):
    result = runner.invoke(app, ["odd", "breakfast", "lunch", "dinner", "cereal", "-m", str(model)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "word\tcosine to mean" and lines[1].startswith("cereal\t") and len(lines) == 5
    data = json.loads(runner.invoke(app, ["odd", "breakfast", "lunch", "dinner", "cereal", "-m", str(model),
                                          "--json"]).stdout)
    assert (data["command"], data["odd"], data["words"][0]["word"]) == ("odd", "cereal", "cereal")


def test_rank_command_plain_and_json(model):
    result = runner.invoke(app, ["rank", "king", "queen", "chair", "-m", str(model)])
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[1::2] for line in result.stdout.splitlines()[1:]] == [["queen", "1"], ["chair", "6"]]
    data = json.loads(runner.invoke(app, ["rank", "King", "chair", "queen", "-m", str(model), "--json"]).stdout)
    assert data["command"] == "rank" and data["query"] == "King"
    assert [(c["word"], c["rank"]) for c in data["candidates"]] == [("queen", 1), ("chair", 6)]


@pytest.mark.parametrize("args, code, message", [
    (["odd", "king", "queen"], 2, "the odd one out needs at least three words (got 2)"),
    (["rank", "king", "qeen"], 1, "unknown word 'qeen' (did you mean: queen?)"),
])
def test_errors_are_one_line(model, args, code, message):
    result = runner.invoke(app, [*args, "-m", str(model)])
    assert result.exit_code == code
    assert result.stderr == f"error: {message}\n" and "Traceback" not in result.output + result.stderr
