"""`w2v evaluate` through CliRunner: exact plain output, JSON, warnings on stderr, one-line errors."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from test_evaluate import QUESTIONS, VECTORS, WORDS
from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.cli import app

runner = CliRunner()
PAIRS = "# word1\tword2\tscore\nman\twoman\t8\nking\tqueen\t9\nman\tapple\t1\nking\tempress\t9\n"


@pytest.fixture
def files(tmp_path):
    """The worked example of test_evaluate.py as a model, questions and pairs; word i's outside vector is word
    i - 1's center vector."""
    save_model(tmp_path / "model.npz", ModelFile(VECTORS, np.roll(VECTORS, 1, axis=0), WORDS,
                                                 np.arange(len(WORDS), 0, -1)))
    (tmp_path / "q.txt").write_text(QUESTIONS)
    (tmp_path / "p.tsv").write_text(PAIRS)
    return tmp_path


def run(*args, env=None):
    return runner.invoke(app, ["evaluate", *map(str, args)], env=env)


def test_plain_report_of_analogies_and_pairs(files):
    result = run("-m", files / "model.npz", "--analogies", files / "q.txt", "--pairs", files / "p.tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "section\tcorrect\tanswered\tskipped\taccuracy",
        "family\t2\t3\t1\t66.67%",
        "gram8-plural\t2\t2\t0\t100.00%",
        "semantic\t2\t3\t1\t66.67%",
        "syntactic\t2\t2\t0\t100.00%",
        "total\t4\t5\t1\t80.00%",
        "file\tpairs\tskipped\tspearman\tpearson",
        f"{files / 'p.tsv'}\t3\t1\t1.0000\t1.0000",  # Pearson 0.99996
    ]
    assert result.stderr == ""


def test_json_report_and_model_from_the_environment(files):
    result = run("--analogies", files / "q.txt", "-p", files / "p.tsv", "-p", files / "p.tsv", "--method",
                 "cosmul", "--restrict-vocab", "4", "--json", env={"W2V_MODEL": str(files / "model.npz")})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == str(files / "model.npz") and report["vectors"] == "center"
    assert report["analogies"]["method"] == "cosmul" and report["analogies"]["restrict_vocab"] == 4
    assert report["analogies"]["total"] == {"name": "total", "correct": 2, "answered": 2, "skipped": 4,
                                            "accuracy": 1.0}
    assert [p["pairs"] for p in report["pairs"]] == [2, 2]  # man-apple is beyond the 4 most frequent words
    assert report["pairs"][0]["spearman"] == pytest.approx(1.0)


@pytest.mark.parametrize("which, correct", [("center", 4), ("outside", 1), ("sum", 3)])
def test_vectors_option_chooses_the_matrix(files, which, correct):
    # 1 and 3: what evaluate.score_analogies gives for the rolled matrix and for the sum
    result = run("-m", files / "model.npz", "-a", files / "q.txt", "--vectors", which, "--json")
    assert json.loads(result.stdout)["analogies"]["total"]["correct"] == correct


def test_malformed_lines_are_warned_with_line_numbers_and_skipped(files):
    (files / "q.txt").write_text(QUESTIONS + "man woman\n" + "a b c d e\n" * 12)
    result = run("-m", files / "model.npz", "-a", files / "q.txt")
    assert result.exit_code == 0 and "total\t4\t5\t1\t80.00%" in result.stdout
    warnings = result.stderr.splitlines()
    assert warnings[0] == f"warning: {files / 'q.txt'} line 10: expected 4 words 'a b c d', found 2; skipped"
    assert len(warnings) == 11 and warnings[-1] == "warning: ... and 3 more malformed lines, all skipped"


@pytest.mark.parametrize("args, message, code", [
    (["-a", "missing.txt"], "error: analogy file not found: missing.txt", 1),
    (["-a", "empty.txt"], "error: analogy file empty.txt is empty", 1),
    (["-p", "comments.tsv"], "error: word-pair file comments.tsv holds no pairs "
                             "('word1<TAB>word2<TAB>score' lines)", 1),
    ([], "error: nothing to evaluate: give --analogies FILE and/or --pairs FILE", 2),
    (["-m", "nomodel.npz", "-a", "q.txt"],
     "error: model file not found: nomodel.npz (train one with: w2v train CORPUS)", 1),
])
def test_bad_input_is_one_stderr_line(files, monkeypatch, args, message, code):
    monkeypatch.chdir(files)
    (files / "empty.txt").write_text("")
    (files / "comments.tsv").write_text("# nothing but a comment\n")
    result = run(*(["-m", "model.npz"] if "-m" not in args else []), *args)
    assert result.exit_code == code
    assert result.stderr.splitlines() == [message] and result.stdout == ""
    assert "Traceback" not in result.output


def test_a_missing_analogy_file_is_reported_before_the_model_is_read(files):
    result = run("-m", files / "nomodel.npz", "-a", files / "missing.txt")
    assert result.exit_code == 1 and "analogy file not found" in result.stderr


def test_impossible_restrict_vocab_is_a_usage_error(files):
    result = run("-m", files / "model.npz", "-a", files / "q.txt", "--restrict-vocab", "0")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_word2vec_text_vectors_score_as_in_gensim(tmp_path):
    """End to end: gensim writes word2vec text; `w2v evaluate --json` and gensim read that same file."""
    from test_evaluate import keyed_vectors, structured_files, structured_vectors

    words, vectors = structured_vectors(np.random.default_rng(11))
    questions, pairs = structured_files(tmp_path, np.random.default_rng(12), words, vectors)
    keyed_vectors(words, vectors).save_word2vec_format(str(tmp_path / "v.txt"))
    kv = type(keyed_vectors(words, vectors)).load_word2vec_format(str(tmp_path / "v.txt"))
    result = run("-m", tmp_path / "v.txt", "-a", questions, "-p", pairs, "--restrict-vocab", "400", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    accuracy, sections = kv.evaluate_word_analogies(str(questions), restrict_vocab=400)
    assert abs(report["analogies"]["total"]["accuracy"] - accuracy) <= 1e-6
    assert [s["correct"] for s in report["analogies"]["sections"]] == [len(s["correct"]) for s in sections[:-1]]
    (pearson, _), (spearman, _), _ = kv.evaluate_word_pairs(str(pairs), restrict_vocab=400)
    assert abs(report["pairs"][0]["spearman"] - spearman) <= 1e-6
    assert abs(report["pairs"][0]["pearson"] - pearson) <= 1e-6
