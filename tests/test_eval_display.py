"""The scores of evaluation during training where users read them: `w2v info` (table and --json, the epoch
--keep-best kept) and `w2v plot --loss` (a panel under the loss: each score at its epoch's end, inside the frame,
no text over another), read back from the SVG; and a model whose saved scores are corrupt, refused in one line."""

import json
import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from typer.testing import CliRunner

from test_plot import SVG, _text_box, assert_one_error_line, overlaps
from w2vcli.cli import app
from w2vcli.vectors.checkpoint import ModelFile, save_model

runner = CliRunner()
EVALUATIONS = [[1, 1000, 0.30, 0.50], [2, 2000, 0.45, 0.40], [3, 3000, 0.40, 0.60]]  # analogies best at epoch 2


def _model(path, evaluations=EVALUATIONS, best_epoch=2, history=np.linspace(4.0, 2.0, 30), **state):
    state = {"words_done": 3000, "epoch": 3, "finished": True, "corpus_tokens": 1000, "corpus": "c.txt",
             "evaluations": evaluations, "best_epoch": best_epoch, **state}
    save_model(path, ModelFile(np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32), ["a", "b", "c"],
                               np.array([3, 2, 1]), {"epochs": 3, "lowercase": True}, state, np.asarray(history)))
    return path


def _run(*args):
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_info_shows_every_epochs_scores_and_the_kept_epoch(tmp_path):
    path = _model(tmp_path / "m.npz")
    rows = [line.split("\t") for line in _run("info", "-m", path).splitlines()]
    scores = [row for row in rows if row[0].startswith("scores") or row[0].startswith("kept")]
    assert scores == [["scores, epoch 1", "analogies 30.00% · pairs 0.5000"],
                      ["scores, epoch 2", "analogies 45.00% · pairs 0.4000 (kept)"],
                      ["scores, epoch 3", "analogies 40.00% · pairs 0.6000"],
                      ["kept by --keep-best", "epoch 2"]]
    training = json.loads(_run("info", "-m", path, "--json"))["training"]
    assert training["best_epoch"] == 2
    assert training["evaluations"][1] == {"epoch": 2, "stopped": False, "tokens": 2000, "analogies": 0.45,
                                          "pairs": 0.40}


def test_info_names_a_score_taken_when_a_run_stopped(tmp_path):
    path = _model(tmp_path / "m.npz", evaluations=[[1, 1000, None, 0.5], [1, 1500, None, None]], best_epoch=0,
                  finished=False, epoch=1, words_done=1500)
    rows = [line.split("\t") for line in _run("info", "-m", path).splitlines()]
    assert [row for row in rows if row[0].startswith("scores")] == [
        ["scores, epoch 1", "pairs 0.5000"], ["scores, stopped in epoch 2", "none computable"]]
    assert not any(row[0].startswith("kept") for row in rows)


@pytest.mark.parametrize("entry", [[1, 1000, 1.5, 0.5], [1, -5, 0.1, 0.5], "epoch 1", [1, 1000, 0.1]])
def test_corrupt_scores_are_one_line(tmp_path, entry):
    path = _model(tmp_path / "m.npz", evaluations=[entry])
    for args in (["info", "-m", path], ["plot", "--loss", "-m", path, "--out", tmp_path / "l.png"]):
        assert_one_error_line(runner.invoke(app, [str(arg) for arg in args]), 1,
                              f"corrupt checkpoint {path}: state evaluations holds")


def _path_points(group):
    """The vertices of the first path in an SVG group, as (n, 2) in SVG units (y down)."""
    d = group.find(f"{SVG}path").get("d")
    return np.array([(float(x), float(y)) for x, y in re.findall(r"([-\d.]+) ([-\d.]+)", d)])


def _marker_points(group):
    """The centres of the markers drawn in an SVG group (matplotlib writes each as a <use x y>), as (n, 2)."""
    return np.array([(float(use.get("x")), float(use.get("y"))) for use in group.iter(f"{SVG}use")])


def _groups(root):
    return {group.get("id"): group for group in root.iter(f"{SVG}g") if group.get("id")}


def _texts(root):
    """(text, box) of every horizontal text, its box from the font's metrics and its text-anchor."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        if "rotate(-90" in (text.get("transform") or "") or not text.text:
            continue
        style = text.get("style")
        size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
        x0, y0, x1, y1 = _text_box(text.text, float(text.get("x")), float(text.get("y")), size, "normal")
        shift = {"middle": (x1 - x0) / 2, "end": x1 - x0}.get(re.search(r"text-anchor: (\w+)", style).group(1), 0)
        boxes.append((text.text, x0 - shift, y0, x1 - shift, y1))
    return boxes


def test_plot_loss_draws_the_scores_at_the_epoch_ends_under_the_loss(tmp_path):
    out = tmp_path / "loss.svg"
    _run("plot", "--loss", "-m", _model(tmp_path / "m.npz"), "--out", out)
    root = ElementTree.parse(out).getroot()
    groups = _groups(root)
    frame = _path_points(groups["scores-frame"])
    (left, top), (right, bottom) = frame.min(axis=0), frame.max(axis=0)
    loss_frame = _path_points(groups["loss-frame"])
    epoch_x = [_path_points(groups[f"scores-epoch-end-{epoch}"])[0, 0] for epoch in (1, 2, 3)]
    for measure, column in (("analogies", 2), ("pairs", 3)):
        points = _marker_points(groups[f"scores-0-{measure}"])  # (3, 2): one per epoch
        np.testing.assert_allclose(points, _path_points(groups[f"scores-0-{measure}"]), atol=0.01)  # joined
        np.testing.assert_allclose(points[:, 0], epoch_x, atol=0.01)  # at the epoch ends
        assert np.all((points[:, 1] > top) & (points[:, 1] < bottom))  # inside the frame
        values = [entry[column] for entry in EVALUATIONS]
        assert list(np.argsort(points[:, 1])) == list(np.argsort(values)[::-1])  # higher score, higher point
    kept = _marker_points(groups["kept-0-analogies"])
    np.testing.assert_allclose(kept, _marker_points(groups["scores-0-analogies"])[1:2], atol=0.01)  # epoch 2
    loss_line = _path_points(groups["epoch-end-2"])
    np.testing.assert_allclose(loss_line[0, 0], epoch_x[1], atol=0.01)  # the panels share the tokens axis
    assert loss_frame[:, 1].max() < top  # the scores' panel is under the loss
    texts = _texts(root)
    assert overlaps(texts) == []
    legend = [box for box in texts if box[0] in ("analogies (accuracy)", "word pairs (Spearman ρ)",
                                                  "kept by --keep-best")]
    assert len(legend) == 3 and all(box[1] > right for box in legend)  # beside the panel, over no point
    width = float(root.get("width").rstrip("pt"))
    assert all(0 <= box[1] and box[3] <= width for box in texts)


def test_the_geometry_check_sees_a_score_off_its_epoch(tmp_path):
    """The check above can fail: scores recorded at other tokens than the epoch ends are drawn elsewhere."""
    out = tmp_path / "loss.svg"
    shifted = [[epoch, tokens - 500, a, p] for epoch, tokens, a, p in EVALUATIONS]
    _run("plot", "--loss", "-m", _model(tmp_path / "m.npz", evaluations=shifted), "--out", out)
    groups = _groups(ElementTree.parse(out).getroot())
    points = _marker_points(groups["scores-0-analogies"])
    epoch_x = [_path_points(groups[f"scores-epoch-end-{epoch}"])[0, 0] for epoch in (1, 2, 3)]
    assert not np.allclose(points[:, 0], epoch_x, atol=0.01)


def test_a_model_without_scores_keeps_the_single_panel(tmp_path):
    out = tmp_path / "loss.svg"
    _run("plot", "--loss", "-m", _model(tmp_path / "m.npz", evaluations=[], best_epoch=0), "--out", out)
    groups = _groups(ElementTree.parse(out).getroot())
    assert "scores-frame" not in groups and "epoch-end-1" in groups
