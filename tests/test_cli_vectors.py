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
    assert (data["command"], data["model"], data["vectors"], data["measure"]) == ("nearest", str(model), "center",
                                                                                  "cosine")
    assert [(q["query"], [n["word"] for n in q["neighbours"]]) for q in data["results"]] == [
        ("king - man + woman", ["queen"]), ("rain", ["snow"])]
    assert data["results"][1]["neighbours"][0]["score"] == pytest.approx(1 / np.sqrt(1.25), abs=1e-6)


def test_analogy_similarity_and_info(model):
    result = run("analogy", "man", "king", "woman", "-k", "1", "-m", model)
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("man : king :: woman : ?\tqueen\t")
    result = run("analogy", "man", "king", "woman", "--method", "cosmul", "-k", "1", "-m", model)
    assert result.stdout.splitlines()[1].split("\t")[1] == "queen"
    assert run("similarity", "king", "queen", "-m", model).stdout == "0.5000\n"
    info = dict(line.split("\t") for line in run("info", "-m", model).stdout.splitlines()[1:])
    assert (info["vocabulary"], info["dimension"], info["tokens trained"], info["final loss"]) == (
        "7", "5", "9,000", "2.5000")


def test_analogy_and_similarity_json(model):
    data = json.loads(run("analogy", "man", "king", "woman", "-k", "1", "--method", "cosmul", "-m", model,
                          "--json").stdout)
    assert (data["command"], data["measure"], data["a"], data["b"], data["c"]) == (
        "analogy", "3CosMul", "man", "king", "woman")
    assert [answer["word"] for answer in data["answers"]] == ["queen"]
    data = json.loads(run("similarity", "king", "queen", "-m", model, "--json").stdout)
    assert data == {"command": "similarity", "model": str(model), "vectors": "center", "measure": "cosine",
                    "words": ["king", "queen"], "score": pytest.approx(0.5)}


def test_vectors_choice_reads_the_outside_matrix(model):
    assert run("similarity", "king", "queen", "-m", model, "--vectors", "outside").stdout == "0.5000\n"
    assert run("nearest", "king", "--vectors", "diagonal", "-m", model).exit_code == 2


def test_unknown_word_suggests_close_words(model):
    assert_one_error_line(run("nearest", "kign", "-m", model), 1, "unknown word 'kign' (did you mean: king?)")
    assert_one_error_line(run("analogy", "man", "king", "wman", "-m", model), 1, "did you mean: woman")


@pytest.mark.parametrize("query, bad, spaced", [
    ("king-man+woman", "king-man+woman", "king - man + woman"), ("king -man", "-man", "king - man"),
    ("rain+snow", "rain+snow", "rain + snow")])
def test_an_expression_without_spaces_gets_a_hint(model, query, bad, spaced):
    assert_one_error_line(run("nearest", query, "-m", model), 1,
                          f"unknown word '{bad}' (did you mean: {spaced}? an expression needs spaces around + and -)")


def test_no_expression_hint_when_the_parts_are_unknown(model):
    result = run("nearest", "well-known", "-m", model)
    assert_one_error_line(result, 1, "unknown word 'well-known'")
    assert "spaces" not in result.stderr


def test_subword_vectors_get_the_hint_as_a_warning_and_an_answer(capsys):
    from w2vcli.cli.vectors import check_expression
    from w2vcli.vectors.subword_vectors import SubwordVectors

    vectors = SubwordVectors(["king", "man", "woman"], np.random.default_rng(0).normal(size=(3 + 16, 4)), min_n=3,
                             max_n=5, buckets=16)
    check_expression(vectors, "king-man+woman")
    assert "answered from its character n-grams; did you mean: king - man + woman?" in capsys.readouterr().err


def test_suggestions_come_from_the_most_frequent_words_only(monkeypatch):
    from w2vcli.vectors import embeddings as emb

    monkeypatch.setattr(emb, "SUGGESTION_POOL", 3)
    vectors = emb.Embeddings(["alpha", "beta", "gamma", "kingdom"], np.eye(4))
    with pytest.raises(emb.UnknownWordError) as error:
        vectors.row("kingdon")
    assert "did you mean" not in str(error.value)  # kingdom is the 4th word, beyond the pool of 3
    monkeypatch.setattr(emb, "SUGGESTION_POOL", 4)
    with pytest.raises(emb.UnknownWordError, match="did you mean: kingdom"):
        vectors.row("kingdon")


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


def test_export_tsv_folder(model, tmp_path):
    result = run("export", model, tmp_path / "projector", "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "projector" / "metadata.tsv").read_text().split("\n")[:3] == ["man", "woman", "king"]
    assert (tmp_path / "projector" / "vectors.tsv").read_text().split("\n")[2] == "1\t0\t1\t0\t0"


def test_export_by_name_tsv_writes_the_projector_pair(model, tmp_path):
    result = run("export", model, tmp_path / "proj.tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 7 words × 5 (tsv) to {tmp_path / 'proj.tsv'}, {tmp_path / 'proj.metadata.tsv'}\n"
    assert (tmp_path / "proj.tsv").read_text().split("\n")[2] == "1\t0\t1\t0\t0"
    assert (tmp_path / "proj.metadata.tsv").read_text() == "".join(word + "\n" for word in WORDS)


def test_export_names_its_files_in_json(model, tmp_path):
    data = json.loads(run("export", model, tmp_path / "v.bin", "--json").stdout)
    assert data == {"command": "export", "model": str(model), "vectors": "center", "format": "binary",
                    "files": [str(tmp_path / "v.bin")], "words": 7, "dimension": 5}


@pytest.mark.parametrize("name, message", [
    ("v.npz", "cannot tell the format from the name"), ("v.txt.gz", "export writes uncompressed files"),
    ("v", "or give --format")])
def test_export_refuses_a_name_without_a_format(model, tmp_path, name, message):
    assert_one_error_line(run("export", model, tmp_path / name), 2, message)
    assert not (tmp_path / name).exists()


def test_export_never_writes_over_its_input(model, tmp_path):
    before = model.read_bytes()
    (tmp_path / "sub").mkdir()
    (tmp_path / "hard.txt").hardlink_to(model)
    (tmp_path / "soft.txt").symlink_to(model)
    for out in (model, tmp_path / "sub" / ".." / "model.npz", tmp_path / "hard.txt", tmp_path / "soft.txt"):
        for force in ([], ["--force"]):
            result = run("export", model, out, "--format", "text", *force)
            assert_one_error_line(result, 2, "is the input file")
    assert model.read_bytes() == before


def test_export_never_writes_over_an_existing_file_without_force(model, tmp_path):
    for name in ("other.npz", "v.txt", "proj.metadata.tsv"):
        (tmp_path / name).write_text("precious")
        out = tmp_path / ("proj.tsv" if name.endswith(".tsv") else name)
        args = ["--format", "text"] if name.endswith(".npz") else []
        assert_one_error_line(run("export", model, out, *args), 2, "already exists; use --force")
        assert (tmp_path / name).read_text() == "precious"
        assert run("export", model, out, *args, "--force").exit_code == 0
        assert (tmp_path / name).read_text() != "precious"


def test_export_refuses_a_missing_folder_before_reading(tmp_path):
    result = run("export", tmp_path / "missing.npz", tmp_path / "no" / "v.txt")
    assert_one_error_line(result, 2, f"folder {tmp_path / 'no'} does not exist")


def test_export_refuses_whitespace_words_and_keeps_the_old_file(tmp_path):
    source, out = tmp_path / "spaced.npz", tmp_path / "v.txt"
    save_model(source, ModelFile(np.eye(2), np.eye(2), ["new york", "b"], np.array([2, 1]), {}, {}, np.zeros(0)))
    out.write_text("precious")
    assert_one_error_line(run("export", source, out, "--force"), 1, "'new york' (row 1) is empty or holds whitespace")
    assert out.read_text() == "precious"


def test_nearest_never_imports_matplotlib(model):
    code = ("import sys; from typer.testing import CliRunner; from w2vcli.cli import app; "
            f"result = CliRunner().invoke(app, ['nearest', 'king', '-m', {str(model)!r}]); "
            "print(result.exit_code, 'matplotlib' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["0", "False"]
