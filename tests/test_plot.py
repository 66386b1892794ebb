"""`w2v plot` through CliRunner: the geometry of the figures read back from their SVG (labels never overlap and
stay inside the axes; a few words make a 2-D map), the loss positions, and what plot may and may not overwrite."""

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from typer.testing import CliRunner

from conftest import shared_file
from w2vcli.cli import app
from w2vcli.cli.plot import loss_positions
from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.vectors.projection import CS224N_WORDS

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
# The hand-built matrix of test_vectors.py: (male, female, royal, fruit), plus a rain/snow pair.
WORDS = ["man", "woman", "king", "queen", "apple", "rain", "snow"]
VECTORS = np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 3, 0],
                    [0, 0, 0, 0, 1], [0, 0, 0, 0.5, 1]], dtype=np.float32)


def run(*args):
    return runner.invoke(app, [str(arg) for arg in args])


def assert_one_error_line(result, code, fragment):
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.npz"
    save_model(path, ModelFile(VECTORS, 2 * VECTORS, WORDS, np.arange(70, 0, -10), {"lowercase": True, "dim": 5},
                               {"words_done": 9000, "finished": True}, np.array([4.0, 3.0, 2.5])))
    return path


def clustered_model(path, words, *, dim=10, clusters=6, seed=0, config=None, state=None, history=(3.0, 2.0)):
    """Words in a few tight clusters, so that labels drawn beside their points would collide."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((clusters, dim))  # (c, d)
    vectors = centers[rng.integers(clusters, size=len(words))] + 0.08 * rng.standard_normal((len(words), dim))
    save_model(path, ModelFile(vectors, vectors, list(words), np.arange(len(words), 0, -1), config or {},
                               state or {}, np.array(history)))
    return path


@pytest.fixture
def big_model(tmp_path):
    filler = [f"w{i}" for i in range(300)]
    words = [*filler[:10], *CS224N_WORDS, *filler[10:]]  # the assignment's words among frequent ones
    return clustered_model(tmp_path / "big.npz", words)


def svg_labels(path):
    """(word, box x0, y0, x1, y1) for every label, in SVG units (y down), and the axes frame x0, y0, x1, y1."""
    root = ElementTree.parse(path).getroot()
    frame_path = root.find(f".//{SVG}g[@id='axes-frame']/{SVG}path").get("d")
    xs, ys = zip(*[(float(x), float(y)) for x, y in re.findall(r"([-\d.]+) ([-\d.]+)", frame_path)])
    labels = []
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith("label-"):
            text = group.find(f"{SVG}text")
            style = text.get("style")
            size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
            weight = "bold" if "font-weight: 700" in style else "normal"
            labels.append((text.text, *_text_box(text.text, float(text.get("x")), float(text.get("y")), size,
                                                 weight)))
    return labels, (min(xs), min(ys), max(xs), max(ys))


def _text_box(word, x, baseline, size, weight):
    """The box of word drawn from (x, baseline), from the font's own metrics (DejaVu Sans, matplotlib's)."""
    measure = TextToPath().get_text_width_height_descent
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
    width, height, descent = measure(word, prop, ismath=False)
    _, line_height, line_descent = measure("lp", prop, ismath=False)
    ascent = max(height - descent, line_height - line_descent)
    return x, baseline - ascent, x + width, baseline + max(descent, line_descent)


def overlaps(labels):
    return [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]


def outside(labels, frame):
    return [label[0] for label in labels
            if label[1] < frame[0] or label[2] < frame[1] or label[3] > frame[2] or label[4] > frame[3]]


def all_texts(path):
    return [text.text for text in ElementTree.parse(path).getroot().iter(f"{SVG}text")]


@pytest.mark.parametrize("args, count", [
    ([], 24),  # the CS224n figure
    (["--top", "100"], 100),
    (["--words", "w0,w3,w5,queen,coffee", "--neighbours", "10"], 55),
])
def test_labels_never_overlap_and_stay_inside_the_axes(big_model, tmp_path, args, count):
    out = tmp_path / "map.svg"
    result = run("plot", *args, "-m", big_model, "--out", out)
    assert result.exit_code == 0 and result.stderr == "", result.output
    labels, frame = svg_labels(out)
    assert len(labels) == count
    assert overlaps(labels) == [] and outside(labels, frame) == []


def test_the_check_sees_overlaps_when_labels_sit_beside_their_points(big_model, tmp_path, monkeypatch):
    import w2vcli.cli.figures as figures

    monkeypatch.setattr(figures, "place_labels", lambda points, sizes, frame, **_: points + 4)
    out = tmp_path / "naive.svg"
    assert run("plot", "--top", "100", "-m", big_model, "--out", out).exit_code == 0
    labels, frame = svg_labels(out)
    assert len(overlaps(labels)) > 10


def test_two_words_make_a_map_of_their_neighbourhoods(big_model, tmp_path):
    out = tmp_path / "wf.svg"
    result = run("plot", "--words", "queen,coffee", "--neighbours", "4", "-m", big_model, "--out", out)
    assert result.exit_code == 0 and result.stderr == "", result.output
    labels, _ = svg_labels(out)
    assert len(labels) == 2 + 2 * 4 and {"queen", "coffee"} <= {label[0] for label in labels}
    texts = all_texts(out)
    shares = [float(re.match(rf"component {i} \(([\d.]+)% of variance\)", text).group(1))
              for i in (1, 2) for text in texts if text and text.startswith(f"component {i} (")]
    assert len(shares) == 2 and shares[0] >= shares[1] > 0  # two tight clusters: the second axis is their spread
    assert "queen and 4 nearest" in texts and "coffee and 4 nearest" in texts  # the legend
    assert any("big.npz · center vectors · SVD of the covariance (CS224n)" in (text or "") for text in texts)


def test_two_words_without_neighbours_are_drawn_on_one_axis(model, tmp_path):
    out = tmp_path / "line.svg"
    result = run("plot", "--words", "king,queen", "-k", "0", "-m", model, "--out", out)
    assert result.exit_code == 0
    assert result.stderr == ("warning: the 2 points lie on a line (a second axis would carry no variance); "
                             "drawn on one axis\n")
    texts = all_texts(out)
    assert "no second component: the points lie on a line" in texts and "component 1 (100% of variance)" in texts


def test_the_default_plot_names_the_missing_words_in_one_line(model, tmp_path):
    result = run("plot", "-m", model, "--out", tmp_path / "d.png")
    missing = [word for word in CS224N_WORDS if word not in WORDS]
    assert result.exit_code == 0 and result.stderr == f"warning: not in the vocabulary, left out: {', '.join(missing)}\n"


@pytest.mark.parametrize("name, magic", [("w.png", b"\x89PNG"), ("w.svg", b"<?xml"), ("w.pdf", b"%PDF")])
def test_plot_writes_each_format_without_a_display(model, tmp_path, monkeypatch, name, magic):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = tmp_path / name
    result = run("plot", "--words", "king,queen,man,woman", "--out", out, "-m", model, "--show")
    assert result.exit_code == 0 and result.stdout == f"wrote {out}\n"
    assert result.stderr == "warning: no display to open a window on; the file is written\n"
    assert out.read_bytes().startswith(magic)


def test_plot_replaces_its_own_image_and_says_so(model, tmp_path):
    out = tmp_path / "w.png"
    assert run("plot", "--top", "4", "--out", out, "-m", model).stdout == f"wrote {out}\n"
    first = out.read_bytes()
    result = run("plot", "--top", "5", "--out", out, "-m", model)
    assert result.exit_code == 0 and result.stdout == f"replaced {out}\n" and out.read_bytes() != first


@pytest.mark.parametrize("args, code, message", [
    (["--words", "zebra,yak"], 1, "a plot needs two words in the vocabulary; found 0 of zebra, yak"),
    (["--words", "king", "--top", "3"], 2, "give --words or --top, not both"),
    (["--out", "w.jpg"], 2, "end it in .png, .svg, .pdf or .html"),
    (["--loss", "--out", "l.html"], 2, "--loss draws an image: end --out in .png, .svg or .pdf"),
    (["--top", "401"], 2, "401 labelled words do not fit in an image (at most 400); plot fewer or write an "
                          "interactive map with --out map.html"),
])
def test_plot_bad_input_keeps_the_existing_image(model, tmp_path, args, code, message):
    if "401" in args:
        model = clustered_model(tmp_path / "many.npz", [f"w{i}" for i in range(500)])
    out = tmp_path / "w.png"
    out.write_bytes(b"\x89PNG\r\n\x1a\nold image")
    args = [str(tmp_path / arg) if arg in ("w.jpg", "l.html") else arg for arg in args]
    result = run("plot", *(args if "--out" in args else [*args, "--out", out]), "-m", model)
    assert_one_error_line(result, code, message)
    assert out.read_bytes() == b"\x89PNG\r\n\x1a\nold image"


@pytest.mark.parametrize("name, content", [("notes.png", b"my notes"), ("page.svg", b"%PDF-1.4"),
                                           ("page.html", b"<html>my page</html>"), ("paper.pdf", b"\x89PNG\r\n\x1a\n")])
def test_plot_never_overwrites_a_file_of_another_kind(model, tmp_path, name, content):
    out = tmp_path / name
    out.write_bytes(content)
    result = run("plot", "--top", "4", "--out", out, "-m", model)
    assert_one_error_line(result, 2, f"--out {out} exists and is not ")
    assert out.read_bytes() == content


def test_plot_never_overwrites_the_model(model, tmp_path):
    link = tmp_path / "model.png"
    link.symlink_to(model)
    before = model.read_bytes()
    assert_one_error_line(run("plot", "--top", "4", "--out", link, "-m", model), 2, f"{link} is the input file")
    assert model.read_bytes() == before


def test_plot_checks_the_folder_before_any_work(model, tmp_path, monkeypatch):
    import w2vcli.cli.plot as plot_module

    monkeypatch.setattr(plot_module, "load_vectors", lambda *_: pytest.fail("loaded before the output was checked"))
    out = tmp_path / "missing" / "w.png"
    assert_one_error_line(run("plot", "--out", out, "-m", model), 2, f"folder {out.parent} does not exist")


def test_plot_loss_needs_a_history(tmp_path):
    path = tmp_path / "fresh.npz"
    save_model(path, ModelFile(np.eye(2), np.eye(2), ["a", "b"], np.array([2, 1]), {}, {}, np.zeros(0)))
    assert_one_error_line(run("plot", "--loss", "--out", tmp_path / "l.png", "-m", path), 1, "no loss history")


def test_loss_curves_overlay_with_epoch_marks(tmp_path):
    first = clustered_model(tmp_path / "a.npz", ["x", "y", "z"], config={"epochs": 3},
                            state={"words_done": 3000, "finished": True}, history=np.linspace(4, 2, 30))
    second = clustered_model(tmp_path / "b.npz", ["x", "y", "z"], config={"epochs": 2},
                             state={"words_done": 3000, "finished": True}, history=np.linspace(4, 3, 20))
    third = clustered_model(tmp_path / "c.npz", ["x", "y", "z"], config={"epochs": 1},
                            state={"words_done": 1000, "finished": True}, history=np.linspace(4, 3, 5))
    out = tmp_path / "loss.svg"
    result = run("plot", "--loss", "-m", first, "-m", second, "-m", third, "--out", out)
    assert result.exit_code == 0, result.output
    texts = all_texts(out)
    assert {"a.npz", "b.npz", "c.npz", "tokens trained", "Training loss: a.npz, b.npz, c.npz"} <= set(texts)
    # epoch 1 ends at 1000 tokens for a and c (one mark), at 1500 for b; epoch 2 at 2000 and 3000; epoch 3 at 3000
    assert [texts.count(f"epoch {epoch}") for epoch in (1, 2, 3)] == [2, 2, 1]


def test_loss_of_a_cs224n_run_and_a_token_run_do_not_overlay(tmp_path):
    steps = clustered_model(tmp_path / "s.npz", ["x", "y"], config={"preset": "cs224n"}, state={"step": 400})
    tokens = clustered_model(tmp_path / "t.npz", ["x", "y"], config={"epochs": 1}, state={"words_done": 10})
    assert_one_error_line(run("plot", "--loss", "-m", steps, "-m", tokens, "--out", tmp_path / "l.png"), 2,
                          "cannot overlay a --preset cs224n run (SGD steps) with a run measured in tokens")


@pytest.mark.parametrize("config, state, n, positions, ends, unit", [
    ({"epochs": 2}, {"words_done": 1000, "finished": True}, 4, [250, 500, 750, 1000], [500, 1000], "tokens trained"),
    ({"epochs": 5}, {"words_done": 900, "epoch": 3, "chunk": 0}, 3, [300, 600, 900], [300, 600, 900],
     "tokens trained"),
    ({"epochs": 5}, {"words_done": 900, "epoch": 3, "chunk": 2}, 3, [300, 600, 900], [], "tokens trained"),
    ({"preset": "cs224n", "epochs": 1}, {"step": 400, "finished": True}, 4, [100, 200, 300, 400], [], "SGD steps"),
    ({"epochs": 5}, {"words_done": 900, "epoch": 3, "chunk": 2, "corpus_tokens": 400}, 3, [300, 600, 900],
     [400, 800], "tokens trained"),
    ({"epochs": 2}, {"words_done": 800, "finished": True, "corpus_tokens": 400}, 2, [400, 800], [400, 800],
     "tokens trained"),
    ({"epochs": 1}, {"words_done": 90, "finished": True, "loss_positions": [10, 50, 90]}, 3, [10, 50, 90], [90],
     "tokens trained"),
])
def test_loss_positions(config, state, n, positions, ends, unit):
    got_positions, got_ends, got_unit = loss_positions(config, state, n)
    np.testing.assert_allclose(got_positions, positions)
    np.testing.assert_allclose(got_ends, ends)
    assert got_unit == unit


def test_a_word_map_draws_one_model(model, tmp_path):
    assert_one_error_line(run("plot", "-m", model, "-m", model, "--out", tmp_path / "w.png"), 2,
                          "--model is given 2 times; only --loss overlays several models")


@pytest.fixture(scope="module")
def brown_model(tmp_path_factory):
    corpus = shared_file("brown.txt")
    path = tmp_path_factory.mktemp("brown") / "brown.npz"
    result = run("train", corpus, "--dim", "50", "--epochs", "1", "--workers", "1", "--seed", "1", "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.slow
@pytest.mark.parametrize("args, count", [
    ([], 23),  # the CS224n figure's words that Brown has (not "enjoyable")
    (["--top", "100"], 100),
    (["--words", "king,coffee,rain,good,money", "--neighbours", "10"], 55),
    (["--words", "woman,female"], 2 + 2 * 8),
])
def test_brown_maps_keep_labels_apart_on_two_real_axes(brown_model, tmp_path, args, count):
    out = tmp_path / "brown.svg"
    assert run("plot", *args, "-m", brown_model, "--out", out).exit_code == 0
    labels, frame = svg_labels(out)
    assert len(labels) == count and overlaps(labels) == [] and outside(labels, frame) == []
    shares = [float(re.search(r"\(([\d.]+)% of variance\)", text).group(1))
              for text in all_texts(out) if text and text.startswith("component ")]
    assert len(shares) == 2 and shares[1] >= 3.0  # both axes carry variance


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_dollars_and_backslashes_in_words_and_names_stay_text(tmp_path, suffix):
    words = ["$x$", "a$$b", "$\\undefinedmacro{$", "\\", "plain", "$5"]
    path = clustered_model(tmp_path / "$run$.npz", words, config={"epochs": 1}, state={"words_done": 10})
    for args in (["--words", "$x$,a$$b"], ["--top", "6"], ["--loss"]):
        out = tmp_path / f"out{len(args)}{suffix}"
        result = run("plot", *args, "-m", path, "--out", out)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    if suffix == ".svg":
        assert {label[0] for label in svg_labels(tmp_path / f"out2{suffix}")[0]} == set(words)


@pytest.mark.slow
def test_the_cs224n_figure_on_the_treebank_keeps_its_24_labels_apart(tmp_path):
    path = tmp_path / "sst.npz"
    result = run("train", shared_file("sst/datasetSentences.txt"), "--dim", "10", "--min-count", "1", "--epochs",
                 "1", "--workers", "1", "--seed", "1", "-o", path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "cs224n.svg"
    result = run("plot", "-m", path, "--out", out)
    assert result.exit_code == 0 and result.stderr == "", result.output  # every word is in the treebank
    labels, frame = svg_labels(out)
    assert sorted(label[0] for label in labels) == sorted(CS224N_WORDS)
    assert overlaps(labels) == [] and outside(labels, frame) == []


def test_the_model_from_the_environment(model, tmp_path):
    out = tmp_path / "env.png"
    result = runner.invoke(app, ["plot", "--top", "4", "--out", str(out)], env={"W2V_MODEL": str(model)})
    assert result.exit_code == 0 and out.read_bytes().startswith(b"\x89PNG"), result.output
