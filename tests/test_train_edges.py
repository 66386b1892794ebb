"""`w2v train` at its edges (issue 15): room and permission checked before work, stops that always save, an honest
divergence guard, every option and checkpoint field checked, and the run's story recorded for `w2v info`."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.cli import app, commands
from w2vcli.training import checks, session
from w2vcli.training.config import DEFAULTS, TrainConfig
from w2vcli.vectors.checkpoint import load_model, save_model

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"
runner = CliRunner()


def _one_error_line(result, text, code):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr


def _train(*args):
    return runner.invoke(app, ["train", str(EXAMPLE), *map(str, args)])


@pytest.fixture
def no_scan(monkeypatch):
    """Make any corpus scan fail loudly: the refusals below must come before the work starts."""
    def scan(*args, **kwargs):
        raise AssertionError("the corpus was scanned before the refusal")

    monkeypatch.setattr(session, "scan_corpus", scan)


@pytest.mark.parametrize("option, value, message", [
    ("--seed", "-1", "--seed must be 0 or more (got -1)"),
    ("--window", "1000000000", "--window must be at most 10,000 (got 1000000000)"),
    ("--sample", "nan", "--sample must be a finite number (got nan)"),
    ("--lr", "inf", "--lr must be a finite number (got inf)"),
    ("--ns-exponent", "nan", "--ns-exponent must be a finite number (got nan)"),
    ("--min-lr", "-1", "--min-lr must be 0 or more (got -1.0)"),
    ("--min-lr", "0.5", "--min-lr must be between 0 and --lr (got 0.5)"),
    ("--checkpoint-every", "nan", "--checkpoint-every must be 0 or more seconds (got nan)"),
    ("--dim", "1099511627776", "(the parameters alone 16.0 TiB)"),
    ("--shared-negatives", "10000000", "lower --dim, --window, --batch-size, --shared-negatives or --workers"),
])
def test_every_numeric_option_is_checked_before_work(tmp_path, no_scan, option, value, message):
    result = _train("--out", tmp_path / "m.npz", option, value)
    _one_error_line(result, message, 2)
    assert not (tmp_path / "m.npz").exists()


def test_memory_beyond_what_the_machine_has_is_refused_with_the_figure(tmp_path, monkeypatch, no_scan):
    monkeypatch.setattr(checks, "available_memory", lambda: 1000)
    result = _train("--out", tmp_path / "m.npz", "--workers", "1")
    _one_error_line(result, "and 1,000 bytes is available", 2)


def test_an_unwritable_output_folder_is_found_before_work(no_scan):
    result = _train("--out", "/proc/w2v-model.npz")
    _one_error_line(result, "cannot write in /proc (for --out /proc/w2v-model.npz)", 2)


def test_no_room_for_the_model_file_is_found_before_work(tmp_path, monkeypatch, no_scan):
    monkeypatch.setattr(checks, "free_bytes", lambda folder: 4096)
    result = _train("--out", tmp_path / "m.npz")
    _one_error_line(result, "has 4.0 KiB free; the model file needs about", 2)


def test_no_room_for_the_model_file_with_the_real_vocabulary_is_found_before_the_first_step(tmp_path, monkeypatch):
    room = checks.model_bytes(2, 50)  # enough for 2 words, not for 143
    monkeypatch.setattr(checks, "free_bytes", lambda folder: room if folder == tmp_path else 10**12)
    monkeypatch.setattr(checks, "SAVE_SLACK", 0)
    steps = []
    monkeypatch.setattr(session, "progress_stream", lambda *a: steps.append(1) or [])
    result = _train("--out", tmp_path / "m.npz", "--dim", "50")
    _one_error_line(result, "the model file needs about 55.9 KiB (2 x 143 words x 50 dimensions x 4 bytes)", 2)
    assert steps == [] and os.listdir(tmp_path) == []


def test_no_room_in_tmpdir_for_the_token_store_is_found_before_work(tmp_path, monkeypatch, no_scan):
    monkeypatch.setattr(checks, "free_bytes", lambda folder: 10**12 if folder == tmp_path else 1000)
    result = _train("--out", tmp_path / "m.npz")
    _one_error_line(result, "the corpus's token store needs about", 2)
    assert "set TMPDIR to a folder with more room" in result.stderr


def test_a_full_tmpdir_during_the_scan_is_one_line(tmp_path, monkeypatch):
    from w2vcli.data import corpus

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(corpus, "_flush", full)
    result = _train("--out", tmp_path / "m.npz")
    _one_error_line(result, "cannot store the corpus's tokens in", 1)
    assert "No space left on device; set TMPDIR" in result.stderr


def test_a_failed_save_is_one_line_and_keeps_the_previous_file(tmp_path, monkeypatch):
    from w2vcli.vectors import checkpoint

    out = tmp_path / "m.npz"
    out.write_bytes(b"precious")

    def full(file, **arrays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.np, "savez", full)
    result = _train("--out", out, "--force", "--dim", "5", "--epochs", "1")
    _one_error_line(result, f"cannot write {out}: No space left on device (the previous file, if any, is kept)", 1)
    assert out.read_bytes() == b"precious" and os.listdir(tmp_path) == ["m.npz"]


def _trained(tmp_path, *args):
    out = tmp_path / "m.npz"
    assert _train("--out", out, "--dim", "6", "--epochs", "1", "--workers", "1", *args).exit_code == 0
    return out


@pytest.mark.parametrize("part, key, value, message", [
    ("config", "dim", "abc", "config dim must be int, not 'abc'"),
    ("config", "window", [1, 2], "config window must be int, not [1, 2]"),
    ("config", "lr", float("nan"), "lr must be a finite number (got nan)"),
    ("config", "model", 3, "config model must be str, not 3"),
    ("state", "epoch", -5, "state epoch must be 0 or more, not -5"),
    ("state", "smoothed_loss", "abc", "state smoothed_loss must be float, not 'abc'"),
    ("state", "rng_state", {"bit_generator": "PCG64", "state": "x"}, "state rng_state is not a generator state"),
    ("state", "started", [[0, 1, "x", 0.0, 0, False]], "state started must be int, not 'x'"),
    ("state", "chunk", 99, "position epoch 0, chunk 99 is outside 1 epochs of 5 chunks"),
    ("state", "finished", "no", "state finished must be bool, not 'no'"),
])
def test_every_checkpoint_field_is_checked_before_resume(tmp_path, part, key, value, message):
    out = _trained(tmp_path)
    model = load_model(out)
    model.state.update(finished=False, epoch=0, chunk=1)
    getattr(model, part)[key] = value
    save_model(out, model)
    before = out.read_bytes()
    result = runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(out)])
    _one_error_line(result, f"corrupt checkpoint {out}: ", 1)
    assert message in result.stderr and out.read_bytes() == before


def test_a_checkpoint_with_vectors_of_the_wrong_shape_is_corrupt(tmp_path):
    out = _trained(tmp_path)
    model = load_model(out)
    model.state.update(finished=False, epoch=0, chunk=1)
    model.config["dim"] = 7
    save_model(out, model)
    result = runner.invoke(app, ["train", str(EXAMPLE), "--resume", str(out)])
    _one_error_line(result, "vectors (143, 6) do not match 143 words x dim 7", 1)


def test_the_saved_state_tells_the_story_of_the_run(tmp_path):
    out = _trained(tmp_path)
    state = load_model(out).state
    assert state["finished"] is True and state["epoch"] == 1 and state["train_seconds"] > 0
    assert state["corpus_tokens"] == 246_246 and state["corpus_bytes"] == EXAMPLE.stat().st_size


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("args", [["--model", "cbow", "--lr", "0.2", "--epochs", "2"],
                                  ["--lr", "1.0", "--batch-size", "4096", "--checkpoint-every", "0.01"]])
def test_a_diverging_run_never_exits_0_and_never_saves_non_finite_vectors(tmp_path, args, workers):
    out = tmp_path / "m.npz"
    result = _train("--out", out, "--dim", "16", "--workers", workers, *args)
    _one_error_line(result, "training diverged: ", 1)
    assert "try a lower --lr" in result.stderr
    if out.exists():
        assert "keeps the last good checkpoint" in result.stderr
        model = load_model(out)
        assert np.isfinite(model.center_vectors).all() and np.isfinite(model.outside_vectors).all()
        history = model.loss_history[np.isfinite(model.loss_history)]
        assert len(history) == 0 or history[-1] <= session.DIVERGE_FACTOR * history[0]


def test_the_divergence_rule():
    session.check_divergence(39.9, 4.0, 0.1)
    session.check_divergence(float("nan"), 4.0, 0.1)  # no measurement yet
    for loss in (40.1, float("inf")):
        with pytest.raises(session.TrainingDiverged, match="try a lower --lr"):
            session.check_divergence(loss, 4.0, 0.1)


def test_non_finite_parameters_are_never_saved(tmp_path):
    from w2vcli.data.vocab import Vocab
    from w2vcli.training.config import TrainState

    vocab = Vocab.from_counts(["a", "b"], np.array([3, 2]))
    params = (np.array([[1.0], [np.nan]], np.float32), np.zeros((2, 1), np.float32))
    run = session.Session(EXAMPLE, TrainConfig(dim=1), tmp_path / "m.npz", vocab, params, TrainState(), None)
    with pytest.raises(session.TrainingDiverged, match="the vectors are no longer finite"):
        run.save()
    assert not (tmp_path / "m.npz").exists()


def _w2v(*args):
    return subprocess.Popen([sys.executable, "-m", "w2vcli", "train", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_line(stream, start):
    for line in stream:
        if line.startswith(start):
            return line
    raise AssertionError(f"no line starting {start!r}")


@pytest.mark.parametrize("presses", [1, 2, 5])
def test_ctrl_c_always_leaves_a_resumable_file_however_often_it_is_pressed(tmp_path, presses):
    out = tmp_path / "m.npz"
    run = _w2v(EXAMPLE, "--dim", "24", "--epochs", "300", "--checkpoint-every", "0", "--workers", "1", "--out", out)
    _wait_for_line(run.stdout, "vocabulary ")  # the pre-flight line: training has started, nothing saved yet
    for _ in range(presses):
        run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130 and "Traceback" not in stderr, stderr
    assert "resume with: w2v train" in stdout
    state = load_model(out).state
    assert not state["finished"] and state["words_done"] + sum(s[2] for s in state["started"]) > 0


@pytest.mark.slow
def test_a_stop_is_honoured_within_seconds_even_with_a_huge_window(tmp_path):
    """Old code: no progress line in 120 s and Ctrl-C ignored for 90 s with --window 1000."""
    out = tmp_path / "m.npz"
    run = _w2v(EXAMPLE, "--dim", "8", "--window", "1000", "--checkpoint-every", "0.5", "--workers", "1", "--out", out)
    _wait_for_line(run.stdout, "vocabulary ")
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:  # the event: --checkpoint-every honoured
        time.sleep(0.05)
    assert out.exists()
    asked = time.monotonic()
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert time.monotonic() - asked < 10  # a slice is 0.5 s and a block well under that; 10 s allows a loaded machine
    state = load_model(out).state
    assert state["started"] and state["started"][0][2] > 0  # stopped inside the first chunk, resumable there


def test_train_help_shows_the_config_defaults_in_panels(monkeypatch):
    monkeypatch.setattr(commands, "_help_is_rich", lambda: True)  # panels are a terminal's help
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    lines = result.output.splitlines()
    for name in ["model", "loss", "dim", "window", "negatives", "epochs", "lr", "min_lr", "min_count", "max_vocab",
                 "sample", "ns_exponent", "batch_size", "shared_negatives", "max_repeats", "seed"]:
        option = "--" + name.replace("_", "-") + " "
        [at] = [i for i, line in enumerate(lines) if line.lstrip("│ ").startswith(option)]
        shown = " ".join(" ".join(lines[at:at + 3]).replace("│", " ").split())  # the default may wrap
        assert f"[default: {getattr(DEFAULTS, name)}]" in shown, shown
    for panel in ["Model", "Data", "Optimisation", "Output", "Run"]:
        assert f"─ {panel} ─" in result.output
    assert "see README" not in result.output and "CS224n assignment's run: d=10" in result.output


def test_train_help_fits_one_screen_per_panel_at_80_columns(monkeypatch):
    monkeypatch.setattr(commands, "_help_is_rich", lambda: True)
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "80"})
    panels = result.output.split("╭─")[1:]
    assert len(panels) >= 6 and all(len(panel.splitlines()) <= 40 for panel in panels)
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "CORPUS" in result.output.splitlines()[1]


def test_output_lines_fit_80_columns(tmp_path, monkeypatch):
    from w2vcli.cli.display import console

    monkeypatch.setattr(console, "_width", 80)  # as on a pipe without COLUMNS
    out = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", str(EXAMPLE), "--out", str(out), "--dim", "5", "--epochs", "2"],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
    assert any(line.startswith("epoch 2/2") for line in result.stdout.splitlines())
