"""Embeddings queries on a hand-built matrix whose answers are worked out by hand, and gensim as an oracle."""

import math

import numpy as np
import pytest

from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.errors import ConfigError, ModelFileError, UnknownWordError
from w2vcli.vectors.embeddings import Embeddings, load_vectors, parse_query
from w2vcli.vectors.formats import write_word2vec

SQRT2 = math.sqrt(2)
# Axes: (male, female, royal, fruit). king = man + royal and queen = woman + royal, each scaled to unit length.
WORDS = ["man", "woman", "king", "queen", "apple"]
VECTORS = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 3]], dtype=np.float32)


@pytest.fixture
def embeddings():
    return Embeddings(WORDS, VECTORS, lowercase=True)


def test_similarity_worked_examples(embeddings):
    assert embeddings.similarity("king", "queen") == pytest.approx(0.5)  # (1,0,1,0)·(0,1,1,0) / 2
    assert embeddings.similarity("man", "king") == pytest.approx(1 / SQRT2)
    assert embeddings.similarity("man", "apple") == 0.0


def test_nearest_excludes_the_query_and_breaks_ties_by_frequency(embeddings):
    # cos with king: man 1/√2, queen 1/2, woman 0, apple 0 (the tie goes to the earlier, more frequent word)
    assert [(w, round(s, 6)) for w, s in embeddings.nearest("king", k=3)] == [
        ("man", round(1 / SQRT2, 6)), ("queen", 0.5), ("woman", 0.0)]
    assert len(embeddings.nearest("king", k=100)) == 4


def test_nearest_to_an_expression(embeddings):
    # t = king - man + woman over unit vectors = (1/√2 - 1, 1, 1/√2, 0), |t|² = 3 - √2;
    # cos(queen, t) = (1 + 1/√2)/√2 / √(3 - √2)
    expected = (1 + 1 / SQRT2) / SQRT2 / math.sqrt(3 - SQRT2)
    (word, score), = embeddings.nearest("king - man + woman", k=1)
    assert word == "queen" and score == pytest.approx(expected, rel=1e-6)


def test_analogy_3cosadd_and_3cosmul_worked_examples(embeddings):
    expected_add = (1 + 1 / SQRT2) / SQRT2 / math.sqrt(3 - SQRT2)  # same target as the expression above
    answers = embeddings.analogy("man", "king", "woman", k=5)
    assert [word for word, _ in answers] == ["queen", "apple"]  # the inputs are never answers
    assert answers[0][1] == pytest.approx(expected_add, rel=1e-6)
    # 3CosMul with cos' = (1 + cos)/2: queen has cos' 3/4 to king, (1 + 1/√2)/2 to woman, 1/2 to man
    expected_mul = 0.75 * (1 + 1 / SQRT2) / 2 / (0.5 + 1e-6)  # epsilon 1e-6, as gensim
    (word, score), = embeddings.analogy("man", "king", "woman", k=1, method="cosmul")
    assert word == "queen" and score == pytest.approx(expected_mul, rel=1e-6)
    with pytest.raises(ConfigError):
        embeddings.analogy("man", "king", "woman", method="cosine")


def test_lowercased_model_folds_case_and_a_cased_one_does_not():
    assert Embeddings(WORDS, VECTORS, lowercase=True).similarity("KING", "Queen") == pytest.approx(0.5)
    with pytest.raises(UnknownWordError):
        Embeddings(WORDS, VECTORS, lowercase=False).row("KING")


def test_unknown_word_names_up_to_three_close_words(embeddings):
    with pytest.raises(UnknownWordError, match=r"^unknown word 'kign' \(did you mean: king\?\)$"):
        embeddings.nearest("kign")
    many = Embeddings(["cat", "cats", "cart", "car", "bat"], np.eye(5))
    with pytest.raises(UnknownWordError) as caught:
        many.row("catz")
    assert str(caught.value).count(",") == 2  # three suggestions
    with pytest.raises(UnknownWordError, match=r"^unknown word 'zzzzzz'$"):
        many.row("zzzzzz")


@pytest.mark.parametrize("text, terms", [
    ("king", [(1, "king")]),
    ("king - man + woman", [(1, "king"), (-1, "man"), (1, "woman")]),
    ("- man", [(-1, "man")]),
    ("well-known", [(1, "well-known")]),  # a hyphen inside a word is part of it
])
def test_parse_query(text, terms):
    assert parse_query(text) == terms


@pytest.mark.parametrize("text", ["", "king -", "+", "king + "])
def test_parse_query_refuses_dangling_signs(text):
    with pytest.raises(ConfigError):
        parse_query(text)


def test_rows_of_keeps_order_drops_repeats_and_lists_unknowns(embeddings):
    assert embeddings.rows_of(["queen", "KING", "queen", "pear"]) == ([3, 2], ["pear"])


def _model(path, **config):
    outside = VECTORS[::-1].copy()
    save_model(path, ModelFile(VECTORS, outside, WORDS, np.array([50, 40, 30, 20, 10]), config,
                               {"tokens_trained": 1234}, np.array([3.0, 2.5])))
    return outside


@pytest.mark.parametrize("which", ["center", "outside", "sum"])
def test_load_vectors_from_npz_picks_the_matrix(tmp_path, which):
    outside = _model(tmp_path / "m.npz", lowercase=True)
    expected = {"center": VECTORS, "outside": outside, "sum": VECTORS + outside}[which]
    loaded = load_vectors(tmp_path / "m.npz", which)
    np.testing.assert_array_equal(loaded.vectors, expected)
    assert loaded.words == WORDS and loaded.lowercase


def test_load_vectors_from_word2vec_files(tmp_path):
    write_word2vec(tmp_path / "v.bin", WORDS, VECTORS, binary=True)
    loaded = load_vectors(tmp_path / "v.bin")
    assert loaded.words == WORDS and loaded.lowercase  # no capitals anywhere: lookups fold case
    np.testing.assert_array_equal(loaded.vectors, VECTORS)
    write_word2vec(tmp_path / "cased.txt", ["Paris", "paris"], np.eye(2), binary=False)
    assert not load_vectors(tmp_path / "cased.txt").lowercase
    with pytest.raises(ConfigError, match="needs a w2vcli .npz"):
        load_vectors(tmp_path / "v.bin", "outside")


def test_load_vectors_refuses_an_unknown_format(tmp_path):
    (tmp_path / "v.json").write_text("{}")
    with pytest.raises(ModelFileError, match="unknown vectors format"):
        load_vectors(tmp_path / "v.json")


def test_gensim_gives_the_same_vectors_and_answers(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(40)]
    ours = Embeddings(words, rng.standard_normal((40, 6)).astype(np.float32))
    write_word2vec(tmp_path / "v.bin", ours.words, ours.vectors, binary=True)
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    np.testing.assert_array_equal(theirs.vectors, ours.vectors)
    for word in ("w0", "w7", "w33"):
        expected = theirs.most_similar(word, topn=5)
        got = ours.nearest(word, k=5)
        assert [w for w, _ in got] == [w for w, _ in expected]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)
    expected = theirs.most_similar(positive=["w2", "w3"], negative=["w1"], topn=5)
    got = ours.analogy("w1", "w2", "w3", k=5)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)


def test_3cosmul_equals_gensims_most_similar_cosmul_and_evaluate_ranks_alike(tmp_path):
    """One 3CosMul (epsilon 1e-6, gensim's): `w2v analogy --method cosmul` gives gensim's words and scores, and
    `w2v evaluate --method cosmul` picks the same best answer for the same question."""
    gensim_models = pytest.importorskip("gensim.models")
    from w2vcli.vectors.evalfiles import AnalogyFile, Section
    from w2vcli.vectors.evaluate import score_analogies

    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(60)]
    ours = Embeddings(words, rng.standard_normal((60, 8)).astype(np.float32))
    write_word2vec(tmp_path / "v.bin", ours.words, ours.vectors, binary=True)
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    for a, b, c in (("w1", "w2", "w3"), ("w10", "w4", "w33"), ("w59", "w0", "w7")):
        expected = theirs.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        got = ours.analogy(a, b, c, k=5, method="cosmul")
        assert [w for w, _ in got] == [w for w, _ in expected]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)
        question = AnalogyFile("q", [Section("s", [(a, b, c, got[0][0])])], [])
        assert score_analogies(ours, question, method="cosmul", case_insensitive=False).total.correct == 1
