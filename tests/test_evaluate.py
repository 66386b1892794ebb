"""evaluate.py: the readers, a worked analogy example, Spearman/Pearson against scipy, and gensim as the oracle."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_file
from w2vcli.vectors import evalfiles as files
from w2vcli.vectors import evaluate as ev
from w2vcli.vectors.embeddings import Embeddings


def lines(text):
    return list(enumerate(text.split("\n"), start=1))


# Worked example. Axes: 0 person, 1 female, 2 royal, 3 fruit, 4 plural. With unit vectors, the query of
# "man woman king ?" is unit(woman) - unit(man) + unit(king) = (.414, .707, .707, 0, 0), whose cosine is .975
# with queen = (1, 1, 1, 0, 0) / sqrt(3) and at most .86 with every word that is not an input.
WORDS = ["man", "woman", "king", "queen", "apple", "apples", "pear", "pears"]
VECTORS = np.array([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 0, 1, 0, 0], [1, 1, 1, 0, 0],
                    [0, 0, 0, 1, 0], [0, 0, 0, 1, 1], [0, .2, 0, 1, 0], [0, .2, 0, 1, 1]], dtype=np.float32)
QUESTIONS = """: family
man woman king queen
Man Woman King Queen
man king woman apple
man woman king empress

: gram8-plural
apple apples pear pears
pear pears apple apples
"""


def worked(text=QUESTIONS, **options):
    return ev.score_analogies(Embeddings(WORDS, VECTORS), files.parse_analogies(lines(text), "q.txt"), **options)


@pytest.mark.parametrize("method", ["add", "cosmul"])
def test_worked_example_counts_per_section_and_totals(method):
    result = worked(method=method)
    assert [(s.name, s.correct, s.answered, s.skipped) for s in result.sections] == [
        ("family", 2, 3, 1), ("gram8-plural", 2, 2, 0)]  # 'man king woman apple' answers queen, not apple
    assert (result.semantic.correct, result.semantic.answered) == (2, 3)
    assert (result.syntactic.correct, result.syntactic.answered) == (2, 2)
    assert (result.total.correct, result.total.answered, result.total.skipped) == (4, 5, 1)
    assert result.total.accuracy == pytest.approx(0.8) and result.warnings == []


def test_restrict_vocab_limits_questions_and_answers():
    result = worked(restrict_vocab=4)  # apple, apples, pear, pears are no longer candidates
    assert [(s.correct, s.answered, s.skipped) for s in result.sections] == [(2, 2, 2), (0, 0, 2)]
    assert result.sections[1].accuracy == 0.0  # nothing answered: 0.0, as gensim reports it


def test_case_sensitive_matching_skips_capitalised_questions():
    result = worked(case_insensitive=False)
    assert (result.sections[0].answered, result.sections[0].skipped) == (2, 2)


def test_the_inputs_are_never_the_answer_even_in_another_case():
    # KING scores 1.0 (it *is* the query) but folds like the input king; Queen comes next and folds like queen.
    query = VECTORS[1] / np.sqrt(2) - VECTORS[0] + VECTORS[2] / np.sqrt(2)
    vectors = np.vstack([VECTORS, query, query + [0, 0, 0, 0.05, 0]])
    embeddings = Embeddings(WORDS + ["KING", "Queen"], vectors)
    found = files.parse_analogies(lines(": family\nman woman king queen"))
    assert ev.score_analogies(embeddings, found).total.correct == 1
    assert ev.score_analogies(embeddings, found, case_insensitive=False).total.correct == 0  # answers KING


def test_a_tie_goes_to_the_more_frequent_word_whatever_the_chunking(monkeypatch):
    # Axis vectors make every cosine exact: the query woman - man + king is e1, and queen (row 3) and monarch
    # (row 8) both score exactly 1.0 against it.
    words = ["man", "woman", "king", "queen", "w4", "w5", "w6", "w7", "monarch"]
    vectors = np.eye(5, dtype=np.float32)[[0, 1, 0, 1, 2, 3, 4, 2, 1]]
    questions = files.parse_analogies(lines(": family\nman woman king queen"))
    assert ev.score_analogies(Embeddings(words, vectors), questions).total.correct == 1
    monkeypatch.setattr(ev, "CANDIDATE_CHUNK", 4)  # queen and monarch in different chunks
    monkeypatch.setattr(ev, "QUESTION_BATCH", 1)
    assert ev.score_analogies(Embeddings(words, vectors), questions).total.correct == 1
    words[3], words[8] = "monarch", "queen"
    assert ev.score_analogies(Embeddings(words, vectors), questions).total.correct == 0


def test_case_folding_is_gensims_upper_case():
    # 'straße'.upper() is 'STRASSE' while 'STRASSE'.lower() is 'strasse': folding to lower case would miss it
    found = files.parse_pairs(lines("STRASSE\tman\t3\nWoman\tKING\t2\nstraße\tqueen\t1"))
    result = ev.score_pairs(Embeddings(["straße"] + WORDS, np.vstack([VECTORS[4], VECTORS])), found)
    assert (result.pairs, result.skipped) == (3, 0)


def test_malformed_analogy_lines_are_warnings_with_line_numbers():
    found = files.parse_analogies([(1, "orphan question here ok"), (2, ": s1"), (3, "a b c"), (4, ""),
                                (5, "a b c d e"), (6, None), (7, "a b c d"), (8, ":gram x"), (9, "e f g h")], "q")
    assert [(s.name, s.questions) for s in found.sections] == [("s1", [("a", "b", "c", "d")]),
                                                                 ("gram x", [("e", "f", "g", "h")])]
    assert found.warnings == ["q line 1: question before any ': section' line; skipped",
                              "q line 3: expected 4 words 'a b c d', found 3; skipped",
                              "q line 5: expected 4 words 'a b c d', found 5; skipped",
                              "q line 6: not UTF-8 text; skipped"]


def test_pairs_reader_skips_comments_and_reports_bad_lines():
    text = "# Word 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\n\ntiger\tcat\nbook\tpaper\tlots\nx\ty\tnan\n cup \tmug\t8\n"
    found = files.parse_pairs(lines(text), "ws")
    assert found.pairs == [("love", "sex", 6.77), ("cup", "mug", 8.0)]
    assert found.warnings == ["ws line 4: expected 'word1<TAB>word2<TAB>score'; skipped",
                              "ws line 5: score 'lots' is not a finite number; skipped",
                              "ws line 6: score 'nan' is not a finite number; skipped"]


@pytest.mark.parametrize("content, message", [
    (None, "analogy file not found: {path}"), (b"", "analogy file {path} is empty"),
    (b" \n\n", "analogy file {path} is empty"),
    (b"no section\n: s\n", "analogy file {path} holds no questions (': section' lines, then 'a b c d')"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "analogy file {path} holds no questions (': section' lines, then 'a b c d')"),
])
def test_unusable_analogy_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "q.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(files.EvaluationFileError) as error:
        files.read_analogies(path)
    assert str(error.value) == message.format(path=path)


def test_pairs_file_without_pairs_is_an_error(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("# only a comment\n")
    with pytest.raises(files.EvaluationFileError, match="holds no pairs"):
        files.read_pairs(path)
    with pytest.raises(files.EvaluationFileError, match="is a directory"):
        files.read_pairs(tmp_path)


def test_pairs_worked_example():
    found = files.parse_pairs(lines("man\twoman\t8\nking\tqueen\t9\nman\tapple\t1\nking\tempress\t9"))
    result = ev.score_pairs(Embeddings(WORDS, VECTORS), found)
    # cosines .707, .816, 0 against 8, 9, 1: the same order, so rho = 1
    assert (result.pairs, result.skipped, result.spearman) == (3, 1, 1.0)
    cosines, human = np.array([1 / np.sqrt(2), 2 / np.sqrt(6), 0]), np.array([8, 9, 1])
    assert result.pearson == pytest.approx(np.corrcoef(human, cosines)[0, 1], abs=1e-12)


def test_average_ranks_and_spearman_worked_example():
    np.testing.assert_array_equal(ev.average_ranks([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
    # ranks 1..5 against 1, 2, 3.5, 5, 3.5: sum dx dy = 8, sum dx^2 = 10, sum dy^2 = 9.5
    assert ev.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95), abs=1e-15)
    assert math.isnan(ev.spearman([1], [2])) and math.isnan(ev.pearson([1, 2, 3], [4, 4, 4]))


# Covers 2..60 values drawn from 0..5, so most samples have ties in both columns (and some are constant).
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=60))
def test_spearman_and_pearson_equal_scipy(pairs):
    stats = pytest.importorskip("scipy.stats")
    x, y = np.array(pairs, dtype=float).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_rho, expected_r = stats.spearmanr(x, y)[0], stats.pearsonr(x, y)[0] if len(x) > 2 else np.nan
    if np.isnan(expected_rho):
        assert math.isnan(ev.spearman(x, y))
    else:
        assert ev.spearman(x, y) == pytest.approx(expected_rho, abs=1e-12)
    if not np.isnan(expected_r):
        assert ev.pearson(x, y) == pytest.approx(expected_r, abs=1e-12)


def test_quality_gives_accuracy_and_spearman(tmp_path):
    (tmp_path / "q.txt").write_text(QUESTIONS)
    (tmp_path / "p.tsv").write_text("man\twoman\t8\nking\tqueen\t9\nman\tapple\t1\n")
    assert ev.quality(Embeddings(WORDS, VECTORS), tmp_path / "q.txt", tmp_path / "p.tsv") == (0.8, 1.0)


# --- gensim, the oracle: the same vectors in gensim's KeyedVectors give the same numbers

def structured_vectors(rng, n=60, n_filler=300, dim=20, noise=0.9):
    """Words whose vectors hold analogies up to noise, in a shuffled (frequency) order, plus case variants."""
    base = {f"country{i}": rng.normal(size=dim) for i in range(n)} | {f"noun{i}": rng.normal(size=dim)
                                                                        for i in range(n)}
    capital, plural = rng.normal(size=dim), rng.normal(size=dim)
    derived = {f"capital{i}": base[f"country{i}"] + capital + noise * rng.normal(size=dim) for i in range(n)}
    derived |= {f"noun{i}s": base[f"noun{i}"] + plural + noise * rng.normal(size=dim) for i in range(n)}
    filler = {f"w{i}": rng.normal(size=dim) for i in range(n_filler)}
    words = list(base | derived | filler)
    words = [words[i] for i in rng.permutation(len(words))] + ["Capital3", "COUNTRY7", "Noun5s"]
    vectors = np.array([(base | derived | filler).get(w, rng.normal(size=dim)) for w in words], dtype=np.float32)
    return words, vectors


def structured_files(tmp_path, rng, words, vectors, n=60):
    i, j = rng.integers(0, n, size=(2, 300))
    questions = [": capital-world"] + [f"Country{a} Capital{a} country{b} capital{b}" for a, b in zip(i, j)]
    questions += [": gram8-plural"] + [f"noun{a} noun{a}s NOUN{b} noun{b}s" for a, b in zip(i, j)]
    questions += ["noun1 noun1s unknown nouns"]
    first, second = rng.integers(0, len(words), size=(2, 200))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    human = np.round(np.sum(unit[first] * unit[second], axis=1) + rng.normal(0, 0.3, 200), 1)  # ties
    pairs = ["# word1\tword2\tscore"] + [f"{words[a]}\t{words[b]}\t{s}" for a, b, s in zip(first, second, human)]
    (tmp_path / "q.txt").write_text("\n".join(questions) + "\n")
    (tmp_path / "p.tsv").write_text("\n".join(pairs + ["wordx\tunknown\t1.0"]) + "\n")
    return tmp_path / "q.txt", tmp_path / "p.tsv"


def keyed_vectors(words, vectors):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv = gensim_kv.KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def assert_analogies_equal(result, gensim_result):
    score, (*sections, _total) = gensim_result
    assert [(s.name, s.correct, s.answered) for s in result.sections] == [
        (s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections]
    assert abs(result.total.accuracy - score) <= 1e-6


def assert_pairs_equal(result, gensim_result):
    (pearson, _), (spearman, _), oov_percent = gensim_result
    assert abs(result.spearman - spearman) <= 1e-6 and abs(result.pearson - pearson) <= 1e-6
    assert 100 * result.skipped / (result.pairs + result.skipped) == pytest.approx(oov_percent, abs=1e-9)


@pytest.mark.parametrize("restrict_vocab", [300_000, 400])
def test_synthetic_vectors_score_as_in_gensim(tmp_path, restrict_vocab):
    words, vectors = structured_vectors(np.random.default_rng(5))
    questions, pairs = structured_files(tmp_path, np.random.default_rng(6), words, vectors)
    kv, embeddings = keyed_vectors(words, vectors), Embeddings(words, vectors)
    result = ev.evaluate_analogies(embeddings, questions, restrict_vocab=restrict_vocab)
    assert 0.2 < result.total.accuracy < 0.9 and result.total.skipped >= 1  # neither trivial nor hopeless
    assert_analogies_equal(result, kv.evaluate_word_analogies(str(questions), restrict_vocab=restrict_vocab))
    assert_pairs_equal(ev.evaluate_pairs(embeddings, pairs, restrict_vocab=restrict_vocab),
                       kv.evaluate_word_pairs(str(pairs), restrict_vocab=restrict_vocab))


def gensim_cosmul_correct(kv, found):
    """Correct answers per section by gensim's evaluate_word_analogies loop with most_similar_cosmul (gensim
    4.4 accepts a similarity_function argument there but always calls most_similar)."""
    ok_vocab = {key.upper(): kv.get_index(key) for key in reversed(kv.index_to_key)}
    original, kv.key_to_index = kv.key_to_index, ok_vocab  # gensim's own trick for case-insensitive lookups
    try:
        counts = []
        for section in found.sections:
            correct = 0
            for a, b, c, expected in ([w.upper() for w in q] for q in section.questions):
                if all(w in ok_vocab for w in (a, b, c, expected)):
                    best = next(w.upper() for w, _ in kv.most_similar_cosmul([b, c], [a], topn=5)
                                if w.upper() not in (a, b, c))
                    correct += best == expected
            counts.append(correct)
        return counts
    finally:
        kv.key_to_index = original


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
def test_cosmul_answers_as_gensim_most_similar_cosmul(tmp_path):
    words, vectors = structured_vectors(np.random.default_rng(7))
    questions, _ = structured_files(tmp_path, np.random.default_rng(8), words, vectors)
    found = files.read_analogies(questions)
    result = ev.score_analogies(Embeddings(words, vectors), found, method="cosmul")
    assert [s.correct for s in result.sections] == gensim_cosmul_correct(keyed_vectors(words, vectors), found)
    assert 0.1 < result.total.accuracy < 0.9


@pytest.mark.slow
def test_brown_vectors_score_as_in_gensim():
    """A tiny gensim model (20K sentences of Brown, ~2 s) on the real questions-words.txt and WordSim-353."""
    questions, pairs = shared_file("eval/questions-words.txt"), shared_file("eval/wordsim353.tsv")
    word2vec = pytest.importorskip("gensim.models.word2vec")
    with open(shared_file("brown.txt")) as corpus:
        sentences = [next(corpus).split() for _ in range(20_000)]
    kv = word2vec.Word2Vec(sentences, vector_size=50, min_count=2, epochs=3, workers=1, seed=1).wv
    embeddings = Embeddings(kv.index_to_key, kv.vectors)
    for restrict_vocab in (300_000, 3_000):
        assert_analogies_equal(ev.evaluate_analogies(embeddings, questions, restrict_vocab=restrict_vocab),
                               kv.evaluate_word_analogies(str(questions), restrict_vocab=restrict_vocab))
    # subtle: at the default restrict_vocab only; among the 3,000 most frequent words this weak model's cosines
    # barely vary, and gensim's float32 rounding alone then moves Pearson by ~1e-6
    assert_pairs_equal(ev.evaluate_pairs(embeddings, pairs), kv.evaluate_word_pairs(str(pairs)))
