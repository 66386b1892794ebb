"""Phrases: hand-computed scores, the same rewritten text as real gensim Phrases on Brown, and the command's
refusals (its input, an existing file) as one line without a traceback."""

import itertools

import pytest
from typer.testing import CliRunner

from conftest import shared_file
from w2vcli.cli import app
from w2vcli.data.corpus import iter_sentences
from w2vcli.data.phrases import PhraseCounts, PhraseModel, PhraseScoring, PhraseSettings, learn_phrases, rewrite
from w2vcli.errors import ConfigError

runner = CliRunner()
TOY = [["new", "york", "is", "big"], ["new", "york", "city"], ["i", "like", "new", "york"], ["a", "new", "idea"]]


def test_scores_by_hand():
    """count(new) = 4, count(york) = 3, count(new york) = 3; 14 tokens; 17 table entries."""
    counts = PhraseCounts.of(TOY, max_table=100)
    assert (counts.tokens, counts.table["new"], counts.table["york"], counts.pair("new", "york")) == (14, 4, 3, 3)
    word2phrase = PhraseModel(counts, PhraseSettings(min_count=1, threshold=1.0))
    assert word2phrase.score("new", "york") == pytest.approx((3 - 1) * 14 / (4 * 3))
    entries = len(counts.table)
    assert entries == 9 + 8  # words: new york is big city i like a idea; pairs: 8 distinct adjacent pairs
    gensim = PhraseModel(counts, PhraseSettings(min_count=1, threshold=1.0, scoring=PhraseScoring.gensim))
    assert gensim.score("new", "york") == pytest.approx((3 - 1) * entries / (4 * 3))
    assert word2phrase.score("york", "new") is None  # never adjacent in that order
    assert PhraseModel(counts, PhraseSettings(min_count=4, threshold=1.0)).score("new", "york") is None  # york < 4


def test_rewriting_is_greedy_left_to_right():
    model = PhraseModel(PhraseCounts.of([["a", "b", "c"]] * 10, 100), PhraseSettings(min_count=1, threshold=0.5))
    assert model.is_phrase("a", "b") and model.is_phrase("b", "c")
    assert model.apply(["a", "b", "c", "a", "b"]) == ["a_b", "c", "a_b"]


def test_pruning_raises_the_floor_until_the_table_fits():
    """x, y, 'x y' (5 each), then single words: the table reaches 21 entries after word 17, is pruned at floor 1
    (every single word dropped), reaches 21 again after word 35, is pruned at floor 2, and ends with 36..49."""
    counts = PhraseCounts.of([["x", "y"]] * 5 + [[str(i)] for i in range(50)], max_table=20)
    assert counts.prunings == 2
    assert counts.table == {"x": 5, "y": 5, "x y": 5, **{str(i): 1 for i in range(36, 50)}}


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="--delimiter"):
        PhraseSettings(delimiter="a b")
    with pytest.raises(ConfigError, match="--passes"):
        learn_phrases(lambda: TOY, PhraseSettings(), passes=0)


def _w2p_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """word2phrase's score, for gensim's scoring hook (module level so that gensim can pickle it)."""
    if worda_count < min_count or wordb_count < min_count:
        return float("-inf")
    return (bigram_count - min_count) * corpus_word_count / (worda_count * wordb_count)


def _gensim_rewrite(sentences, passes, scoring, **kw):
    from gensim.models.phrases import Phrases

    for _ in range(passes):
        model = Phrases(sentences, scoring="default" if scoring is PhraseScoring.gensim else _w2p_scorer, **kw)
        sentences = list(model[sentences])
    return sentences


def _ours(sentences, passes, **kw):
    models = learn_phrases(lambda: iter(sentences), PhraseSettings(**kw), passes)
    return list(rewrite(models, sentences))


@pytest.mark.parametrize("scoring, threshold", [(PhraseScoring.gensim, 10.0), (PhraseScoring.word2phrase, 100.0)])
def test_same_text_as_gensim_on_part_of_brown_with_pruning(scoring, threshold):
    """The first 8,000 Brown sentences with the table bounded to 30,000 entries, so both prune several times.

    The tables differ a little (gensim's first pruning drops nothing: its keep test is count ≥ floor with the floor
    starting at 1, where word2phrase's and ours is count > floor), but only in entries far below any phrase."""
    sentences = list(itertools.islice(iter_sentences(shared_file("brown.txt")), 8000))
    ours = _ours(sentences, 1, threshold=threshold, scoring=scoring, max_table=30_000)
    theirs = _gensim_rewrite(sentences, 1, scoring, min_count=5, threshold=threshold, max_vocab_size=30_000)
    assert PhraseCounts.of(sentences, 30_000).prunings >= 2
    assert ours == theirs
    assert sum("_" in w for s in ours for w in s) > 100  # phrases were found at all


@pytest.mark.slow
@pytest.mark.parametrize("scoring, threshold", [(PhraseScoring.gensim, 10.0), (PhraseScoring.word2phrase, 100.0)])
def test_same_text_as_gensim_on_brown_in_two_passes(scoring, threshold):
    sentences = list(iter_sentences(shared_file("brown.txt")))
    ours = _ours(sentences, 2, threshold=threshold, scoring=scoring)
    assert ours == _gensim_rewrite(sentences, 2, scoring, min_count=5, threshold=threshold)
    assert any(w.count("_") == 2 for s in ours for w in s)  # three-word phrases from the second pass


def _write(path, lines):
    path.write_text("".join(" ".join(s) + "\n" for s in lines))
    return path


def assert_one_error_line(result, code, message):
    assert result.exit_code == code, result.output
    assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.output + result.stderr


def test_command_writes_the_phrased_corpus(tmp_path):
    corpus = _write(tmp_path / "c.txt", TOY * 5)
    result = runner.invoke(app, ["phrases", str(corpus), "-o", str(tmp_path / "p.txt"), "--min-count", "1",
                                 "--threshold", "1", "--delimiter", "+"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.txt").read_text().splitlines()[:2] == ["new+york is+big", "new+york city"]
    assert "pass 1:" in result.stdout and "phrases joined" in result.stdout


def test_command_refuses_its_input_and_existing_files(tmp_path):
    corpus = _write(tmp_path / "c.txt", TOY)
    before = corpus.read_text()
    assert_one_error_line(runner.invoke(app, ["phrases", str(corpus), "-o", str(corpus), "--force"]), 2,
                          f"{corpus} is the input file {corpus}; choose another output name")
    (tmp_path / "p.txt").write_text("mine\n")
    assert_one_error_line(runner.invoke(app, ["phrases", str(corpus), "-o", str(tmp_path / "p.txt")]), 2,
                          f"{tmp_path / 'p.txt'} already exists; use --force to overwrite it")
    assert corpus.read_text() == before and (tmp_path / "p.txt").read_text() == "mine\n"
    assert runner.invoke(app, ["phrases", str(corpus), "-o", str(tmp_path / "p.txt"), "--force"]).exit_code == 0
    assert_one_error_line(runner.invoke(app, ["phrases", str(tmp_path / "none.txt"), "-o", str(tmp_path / "q")]),
                          1, f"corpus not found: {tmp_path / 'none.txt'}")
