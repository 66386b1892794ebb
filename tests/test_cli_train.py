"""`w2v train` from the outside: bad input is one line and exit 2, nothing is overwritten, output is plain."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from w2vcli.vectors.checkpoint import load_model, save_model
from w2vcli.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"
runner = CliRunner()


def _one_error_line(result, text):
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr


def test_train_writes_a_model_and_prints_plain_lines(tmp_path):
    out = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--dim", "10", "--epochs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("vocabulary 143 words · 246,246 of 246,246 tokens kept (min-count 5)")
    assert lines[-1].startswith("trained: vocabulary 143 · 246,246 tokens in ") and f"saved {out}" in lines[-1]
    assert any(line.startswith("epoch 1/1  100.0%") for line in lines)
    model = load_model(out)
    assert model.center_vectors.shape == (143, 10) and model.config["epochs"] == 1


def test_quiet_prints_nothing(tmp_path):
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(tmp_path / "m.npz"), "--dim", "5",
                                 "--epochs", "1", "--quiet"])
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize("option, value, message", [
    ("--dim", "0", "--dim must be positive"), ("--window", "-1", "--window must be positive"),
    ("--negatives", "0", "--negatives must be positive"), ("--epochs", "0", "--epochs must be positive"),
    ("--lr", "0", "--lr must be positive"), ("--lr", "-0.5", "--lr must be positive"),
    ("--min-count", "1000000", "training needs two or more"),
])
def test_impossible_options_are_one_line_and_exit_2(tmp_path, option, value, message):
    out = tmp_path / "m.npz"
    out.write_bytes(b"precious")
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--force", option, value])
    assert result.exit_code == (1 if option == "--min-count" else 2)  # too few words is a corpus problem: 1
    _one_error_line(result, message)
    assert out.read_bytes() == b"precious"


@pytest.mark.parametrize("content, message", [(b"", "is empty"), (b"\x00\x01binary", "binary"),
                                              (None, "corpus not found")])
def test_bad_corpora(tmp_path, content, message):
    corpus = tmp_path / "c.txt"
    if content is not None:
        corpus.write_bytes(content)
    result = runner.invoke(app, ["train", str(corpus), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1
    _one_error_line(result, message)
    assert not (tmp_path / "m.npz").exists()


def test_existing_output_is_never_overwritten(tmp_path):
    out = tmp_path / "m.npz"
    out.write_bytes(b"precious")
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 2
    _one_error_line(result, "already exists; use --force")
    assert out.read_bytes() == b"precious"


def test_resume_refuses_other_options_and_other_corpora(tmp_path):
    out = tmp_path / "m.npz"
    assert runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--dim", "8", "--epochs", "1"]).exit_code == 0
    model = load_model(out)
    model.state.update(finished=False, epoch=0, chunk=1)  # as if stopped early
    save_model(out, model)
    result = runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(out), "--dim", "9"])
    assert result.exit_code == 2
    _one_error_line(result, "different options: dim")
    other = tmp_path / "other.txt"
    other.write_text("a b c d e\n" * 10)
    before = out.read_bytes()
    result = runner.invoke(app, ["train", str(other), "--resume", str(out), "--min-count", "5"])
    assert result.exit_code == 2
    _one_error_line(result, "not the corpus this checkpoint was trained on")
    assert out.read_bytes() == before


def test_resume_of_a_corrupt_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(bad)])
    assert result.exit_code == 1
    _one_error_line(result, "bad.npz")


def test_diverging_run_stops_with_a_message(tmp_path):
    out = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--lr", "1e6", "--dim", "20"])
    assert result.exit_code == 1
    _one_error_line(result, "training diverged: ")
    assert "try a lower --lr" in result.stderr and "no model file was written" in result.stderr
    assert not out.exists()


def test_every_option_is_documented_in_help():
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    for option in ["--out", "--resume", "--force", "--preset", "--model", "--loss", "--dim", "--window", "--negatives",
                   "--epochs", "--lr", "--min-lr", "--min-count", "--max-vocab", "--sample", "--ns-exponent",
                   "--batch-size", "--shared-negatives", "--max-repeats", "--seed", "--no-lowercase", "--checkpoint-every", "--quiet"]:
        assert option in result.output, option


def test_resuming_a_finished_model_is_refused_and_changes_nothing(tmp_path):
    out = tmp_path / "m.npz"
    assert runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--dim", "4", "--epochs", "1"]).exit_code == 0
    before = out.read_bytes()
    result = runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(out)])
    assert result.exit_code == 2
    _one_error_line(result, "has finished training; there is nothing to resume")
    assert out.read_bytes() == before
