"""CliRunner: the vector commands' exact output, and one stderr line without a traceback for every bad input."""

import json
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.cli import app
from w2vcli.vectors.formats import read_word2vec

runner = CliRunner()
# The hand-built matrix of test_vectors.py: (male, female, royal, fruit), plus a rain/snow pair.
WORDS = ["man", "woman", "king", "queen", "apple", "rain", "snow"]
VECTORS = np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 3, 0],
                    [0, 0, 0, 0, 1], [0, 0, 0, 0.5, 1]], dtype=np.float32)


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.npz"
    save_model(path, ModelFile(VECTORS, 2 * VECTORS, WORDS, np.arange(70, 0, -10), {"lowercase": True, "dim": 5},
                               {"tokens_trained": 9000}, np.array([4.0, 3.0, 2.5])))
    return path


def run(*args, env=None):
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def assert_one_error_line(result, code, fragment):
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_nearest_plain_lines(model):
    result = run("nearest", "King", "-k", "3", "-m", model)
    assert result.exit_code == 0
    assert result.stdout == "query\tword\tcosine\nKing\tman\t0.7071\nKing\tqueen\t0.5000\nKing\twoman\t0.0000\n"


def test_nearest_expression_json_and_env_model(model):
    result = run("nearest", "king - man + woman", "rain", "-k", "1", "--json", env={"W2V_MODEL": str(model)})
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(q["query"], [n["word"] for n in q["neighbours"]]) for q in data] == [
        ("king - man + woman", ["queen"]), ("rain", ["snow"])]
    assert data[1]["neighbours"][0]["cosine"] == pytest.approx(1 / np.sqrt(1.25), abs=1e-6)


def test_analogy_similarity_and_info(model):
    result = run("analogy", "man", "king", "woman", "-k", "1", "-m", model)
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("man : king :: woman : ?\tqueen\t")
    result = run("analogy", "man", "king", "woman", "--method", "cosmul", "-k", "1", "-m", model)
    assert result.stdout.splitlines()[1].split("\t")[1] == "queen"
    assert run("similarity", "king", "queen", "-m", model).stdout == "0.5000\n"
    info = dict(line.split("\t") for line in run("info", "-m", model).stdout.splitlines()[1:])
    assert (info["vocabulary"], info["dimension"], info["tokens trained"], info["final loss"]) == (
        "7", "5", "9,000", "2.5000")


def test_vectors_choice_reads_the_outside_matrix(model):
    assert run("similarity", "king", "queen", "-m", model, "--vectors", "outside").stdout == "0.5000\n"
    assert run("nearest", "king", "--vectors", "diagonal", "-m", model).exit_code == 2


def test_unknown_word_suggests_close_words(model):
    assert_one_error_line(run("nearest", "kign", "-m", model), 1, "unknown word 'kign' (did you mean: king?)")
    assert_one_error_line(run("analogy", "man", "king", "wman", "-m", model), 1, "did you mean: woman")


def _pickled_npz(path):
    np.savez(path, format_version=np.array([pickle.dumps(1)], dtype=object))


BAD_MODELS = [
    ("missing.npz", None, "model file not found"),
    ("garbage.npz", b"this is no zip", "not a readable .npz"),
    ("foreign.npz", "zip", "not a w2vcli model"),
    ("pickled.npz", "pickle", "pickled objects"),
    ("short.txt", b"3 2\na 1 2\n", "header says 3 words but the file has 1 rows"),
    ("cut.bin", b"2 1\na \0\0\x80\x3f\nb \0", "truncated"),
    ("odd.json", b"{}", "unknown vectors format"),
]


@pytest.mark.parametrize("name, content, message", BAD_MODELS)
def test_bad_model_files_give_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("other.npy", b"")
    elif content == "pickle":
        _pickled_npz(path)
    elif content is not None:
        path.write_bytes(content)
    assert_one_error_line(run("nearest", "a", "-m", path), 1, message)
    assert_one_error_line(run("info", "-m", path), 1, message)


@pytest.mark.parametrize("fmt, name, binary", [(None, "v.bin", True), (None, "v.txt", False),
                                               ("binary", "v.vectors", True), ("text", "v.vec", False)])
def test_export_word2vec(model, tmp_path, fmt, name, binary):
    out = tmp_path / name
    result = run("export", model, out, *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0 and result.stdout == f"wrote 7 words × 5 ({'binary' if binary else 'text'}) to {out}\n"
    words, vectors = read_word2vec(out, binary=binary)
    assert words == WORDS
    np.testing.assert_array_equal(vectors, VECTORS)


def test_export_is_read_by_gensim_with_the_same_answers(model, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    run("export", model, tmp_path / "v.bin")
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    np.testing.assert_array_equal(theirs.vectors, VECTORS)
    ours = run("nearest", "king", "-k", "3", "-m", tmp_path / "v.bin").stdout.splitlines()[1:]
    assert [line.split("\t")[1] for line in ours] == [word for word, _ in theirs.most_similar("king", topn=3)]


def test_export_tsv(model, tmp_path):
    result = run("export", model, tmp_path / "projector", "--format", "tsv")
    assert result.exit_code == 0
    assert (tmp_path / "projector" / "metadata.tsv").read_text().split("\n")[:3] == ["man", "woman", "king"]
    assert (tmp_path / "projector" / "vectors.tsv").read_text().split("\n")[2] == "1\t0\t1\t0\t0"


def test_export_refuses_whitespace_words_and_keeps_the_old_file(tmp_path):
    source, out = tmp_path / "spaced.npz", tmp_path / "v.txt"
    save_model(source, ModelFile(np.eye(2), np.eye(2), ["new york", "b"], np.array([2, 1]), {}, {}, np.zeros(0)))
    out.write_text("precious")
    assert_one_error_line(run("export", source, out), 1, "'new york' (row 1) is empty or holds whitespace")
    assert out.read_text() == "precious"


def test_nearest_never_imports_matplotlib(model):
    code = ("import sys; from typer.testing import CliRunner; from w2vcli.cli import app; "
            f"result = CliRunner().invoke(app, ['nearest', 'king', '-m', {str(model)!r}]); "
            "print(result.exit_code, 'matplotlib' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["0", "False"]
