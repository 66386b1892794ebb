"""`w2v plot`: words projected to 2-D (an image, or an interactive HTML map), or training loss curves.

Parses, checks the output, chooses the words (the CS224n words, --top, or a few words with their neighbours),
calls vectors/projection.py, and hands the result to figures.py (matplotlib, imported only inside the command, so
the other commands start fast) or htmlmap.py. Not here: the projection math, the drawing, the page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from ..errors import ConfigError, ModelFileError, UnknownWordError
from ..files import check_new_output
from ..vectors.embeddings import load_vectors
from .display import console, print_warning, visible
from .options import DEFAULT_MODEL, VectorsChoice, VectorsKind

FEW_WORDS = 6  # fewer named words than this are drawn with their nearest neighbours (a map, not a line)
DEFAULT_NEIGHBOURS = 8
HTML_TOP = 2000  # words on an HTML map unless --top or --words says otherwise
IMAGE_MAX_WORDS = 400  # labels an image can hold legibly (placing 400 took 5 s of CPU here); more: an HTML map
# What the start of an existing output must look like for plot to replace it (an image of the same format).
SIGNATURES = {"png": (b"\x89PNG\r\n\x1a\n",), "pdf": (b"%PDF-",), "svg": (b"<?xml", b"<svg")}
METHOD_NAMES = {"svd": "SVD of the covariance (CS224n)", "pca": "PCA"}


class Projection(str, Enum):
    svd = "svd"
    pca = "pca"


ModelPaths = Annotated[Optional[list[Path]], typer.Option(
    "--model", "-m", envvar="W2V_MODEL", dir_okay=False, metavar="<path>",
    help="Vectors to use: a w2vcli .npz, or word2vec .txt/.vec/.bin; repeat with --loss to overlay runs.")]


@dataclass
class Selection:
    """The rows to draw, the group of each row (an index into names), and the rows the user named."""

    rows: list[int]
    groups: list[int]
    names: list[str]
    heads: set
    description: str


def plot(
    words: Annotated[Optional[str], typer.Option(
        "--words", "-w", help="Comma-separated words (default: the 24 words of the CS224n figure).")] = None,
    top: Annotated[Optional[int], typer.Option(min=2, help=f"Plot the N most frequent words instead (an HTML map: {HTML_TOP:,} unless --words).")] = None,
    neighbours: Annotated[int, typer.Option(
        "--neighbours", "-k", min=0, help=f"With fewer than {FEW_WORDS} --words: draw each with its k nearest "
                                          "neighbours (0: only the words).")] = DEFAULT_NEIGHBOURS,
    method: Annotated[Projection, typer.Option(
        help="svd: CS224n's SVD of the covariance of the centered vectors; pca: SVD of the data.")] = Projection.svd,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="File to write: .png, .svg or .pdf image, or .html interactive map.")] = Path(
        "word_vectors.png"),
    show: Annotated[bool, typer.Option(help="Also open a window, when a display exists.")] = False,
    loss: Annotated[bool, typer.Option(help="Plot the models' training loss curves instead.")] = False,
    model: ModelPaths = None,
    vectors: VectorsChoice = VectorsKind.center,
) -> None:
    """Words' vectors projected to 2-D as labelled points, an interactive HTML map, or training loss curves.

    Example: w2v plot --words woman,female --out gender.svg
    """
    models = model or [DEFAULT_MODEL]
    kind = _output_kind(out, loss)
    replacing = _check_output(out, kind, models)  # refuse a bad output before loading anything
    if loss:
        shown = _plot_loss(models, out, show)
    else:
        if len(models) > 1:
            raise ConfigError(f"--model is given {len(models)} times; only --loss overlays several models")
        shown = _plot_map(models[0], vectors.value, words, top, neighbours, method.value, out, kind, show)
    if show and not shown:
        print_warning("no display to open a window on; the file is written" if kind != "html"
                      else "--show does not apply to an HTML map; open the file in a browser")
    console.print(visible(f"{'replaced' if replacing else 'wrote'} {out}"), markup=False, highlight=False)


def _output_kind(out: Path, loss: bool) -> str:
    from .figures import image_format

    if out.suffix.lower() in (".html", ".htm"):
        if loss:
            raise ConfigError("--loss draws an image: end --out in .png, .svg or .pdf")
        return "html"
    return image_format(out)


def _check_output(out: Path, kind: str, models: list[Path]) -> bool:
    """Whether out exists and may be replaced (an image of its own format, or a map plot wrote); else ConfigError
    (also for a model, a folder or a missing folder: files.check_new_output)."""
    check_new_output(out, inputs=models, force=True)  # force: plot's own rule for existing files follows
    if not os.path.lexists(out):
        return False
    if not out.is_file():
        raise ConfigError(f"--out {out} exists and is not a regular file; choose another name")
    from .htmlmap import GENERATOR

    with open(out, "rb") as file:
        start = file.read(1024)
    own = GENERATOR.encode() in start if kind == "html" else start.lstrip().startswith(SIGNATURES[kind])
    if not own:
        what = "an HTML map written by w2v plot" if kind == "html" else f"a {kind.upper()} image"
        raise ConfigError(f"--out {out} exists and is not {what}; plot replaces only its own kind of file: "
                          "choose another name or move it away")
    return True


def _plot_map(model: Path, which: str, words, top, neighbours, method: str, out: Path, kind: str,
              show: bool) -> bool:
    from ..vectors.projection import project_plane

    embeddings = _with_subword_words(load_vectors(model, which), words)
    if kind == "html" and words is None and top is None:
        top = HTML_TOP
    chosen = _select(embeddings, words, top, neighbours)
    if kind != "html" and len(chosen.rows) > IMAGE_MAX_WORDS:
        raise ConfigError(f"{len(chosen.rows)} labelled words do not fit in an image (at most {IMAGE_MAX_WORDS}); "
                          "plot fewer or write an interactive map with --out map.html")
    plane = project_plane(embeddings.vectors[chosen.rows], method)
    vectors_named = f" · {which} vectors" if model.suffix.lower() == ".npz" else ""
    subtitle = f"{model.name}{vectors_named} · {METHOD_NAMES[method]}"
    axis_labels = tuple(f"component {i + 1} ({_percent(plane.variance[i])} of variance)" for i in range(2))
    if plane.flat:
        print_warning(f"the {len(chosen.rows)} points lie on a line (a second axis would carry no variance); "
                      "drawn on one axis")
        axis_labels = (axis_labels[0], "no second component: the points lie on a line")
    if kind == "html":
        from .htmlmap import write_map

        write_map(out, embeddings, chosen.rows, plane, title=f"{chosen.description} — {subtitle}")
        return False
    from .figures import WordMap, plot_words

    word_map = WordMap(plane.coords, [embeddings.words[row] for row in chosen.rows], f"{chosen.description}\n"
                       f"{subtitle}", axis_labels, np.array(chosen.groups), chosen.names, chosen.heads, plane.flat)
    shown, unplaced = plot_words(word_map, out, show=show)
    if unplaced:
        print_warning(f"{unplaced} labels found no free spot and are left out; plot fewer words")
    return shown


def _with_subword_words(embeddings, words: str | None):
    """A subword model's vectors with the named words it does not know added, from their n-grams (and said so)."""
    wanted = [word.strip() for word in words.split(",") if word.strip()] if words is not None else []
    built = [word for word in wanted if getattr(embeddings, "from_subwords", lambda _: False)(word)]
    if not built:
        return embeddings
    print_warning(f"{', '.join(built)}: not in the vocabulary, vector from subwords")
    return embeddings.with_words(built, len(embeddings), embeddings.key)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.0f}%" if fraction >= 0.095 else f"{100 * fraction:.1f}%"


def _select(embeddings, words: str | None, top: int | None, neighbours: int) -> Selection:
    """--top's most frequent words; or the named (default: CS224n) words, with neighbours when they are few."""
    from ..vectors.projection import CS224N_WORDS

    if words is not None and top is not None:
        raise ConfigError("give --words or --top, not both")
    if top is not None:
        top = min(top, len(embeddings))
        return Selection(list(range(top)), [0] * top, [], set(), f"the {top} most frequent words")
    wanted = [word.strip() for word in words.split(",") if word.strip()] if words is not None else CS224N_WORDS
    rows, unknown = embeddings.rows_of(wanted)
    mapped = words is not None and 0 < len(rows) < FEW_WORDS and neighbours > 0
    if len(rows) < 2 and not mapped:
        raise UnknownWordError(f"a plot needs two words in the vocabulary; found {len(rows)} of "
                               f"{', '.join(wanted) or 'none'}")
    if unknown:
        print_warning(f"not in the vocabulary, left out: {', '.join(unknown)}")
    if mapped:
        return _with_neighbours(embeddings, rows, neighbours)
    label = "the CS224n figure's words" if words is None else f"{len(rows)} words"
    return Selection(rows, [0] * len(rows), [], set(), label)


def _with_neighbours(embeddings, heads: list[int], k: int) -> Selection:
    """Each named word and its k nearest neighbours not shown already, as one group per word."""
    rows, groups, names = list(heads), list(range(len(heads))), []
    for group, head in enumerate(heads):
        word = embeddings.words[head]
        found = [embeddings.row(near) for near, _ in embeddings.nearest(word, k + len(rows))]
        mine = [row for row in found if row not in rows][:k]
        rows += mine
        groups += [group] * len(mine)
        names.append(f"{word} and {len(mine)} nearest")
    heads_named = ", ".join(embeddings.words[row] for row in heads)
    return Selection(rows, groups, names, set(range(len(heads))), f"{heads_named} and their {k} nearest neighbours")


def _plot_loss(models: list[Path], out: Path, show: bool) -> bool:
    from .figures import plot_loss

    curves, units = zip(*(_loss_curve(path) for path in models))
    if len(set(units)) > 1:
        raise ConfigError("cannot overlay a --preset cs224n run (SGD steps) with a run measured in tokens")
    names = ", ".join(path.name for path in models)
    return plot_loss(list(curves), out, unit=units[0], title=f"Training loss: {names}", show=show)


def _loss_curve(path: Path):
    from ..vectors.checkpoint import load_model
    from ..vectors.formats import format_of
    from .figures import LossCurve

    if format_of(path) is not None:
        raise ModelFileError(f"{path} is a word2vec file; --loss needs a w2vcli .npz model")
    model_file = load_model(path)
    history = np.asarray(model_file.loss_history, dtype=np.float64)
    if not len(history):
        raise ModelFileError(f"{path} has no loss history")
    positions, epoch_ends, unit = loss_positions(model_file.config, model_file.state, len(history))
    scores, kept = evaluation_scores(path, model_file.state)
    return LossCurve(path.name, positions, history, epoch_ends, scores, kept), unit


def evaluation_scores(path: Path, state: dict) -> tuple[dict, float | None]:
    """The scores of evaluation during training by measure, {"analogies" | "pairs": (tokens (m,), values (m,))},
    measured at each epoch's end (and at a stop), and the tokens at the epoch --keep-best kept (or None)."""
    from .info import evaluation_story

    story = evaluation_story(path, state)
    scores = {}
    for measure in ("analogies", "pairs"):
        points = [(entry["tokens"], entry[measure]) for entry in story if entry[measure] is not None]
        if points:
            scores[measure] = tuple(np.array(column, dtype=np.float64) for column in zip(*points))
    best = state.get("best_epoch")
    kept = [entry["tokens"] for entry in story if entry["epoch"] == best and not entry["stopped"]]
    return scores, float(kept[-1]) if kept else None


def loss_positions(config: dict, state: dict, n: int) -> tuple[np.ndarray, list[float], str]:
    """Where each of the n loss_history points lies in training, the epoch ends, and the unit.

    1. state["loss_positions"], when the trainer saved one position per point, is used as it is.
    2. The cs224n preset counts SGD steps: the points are spread evenly over state["step"] (one report per equal
       number of steps); it runs one epoch, so no epoch marks.
    3. Otherwise tokens: the points are spread evenly over state["words_done"] (one report per chunk, chunks of
       about equal size). An epoch is state["corpus_tokens"] tokens when the model saved it; without it, epochs end
       at equal fractions: all config["epochs"] of a finished run; of an unfinished run only when it stopped at an
       epoch's end (else the tokens per epoch are not known, and no epoch is marked).
    """
    from ..training.config import procedure_of

    steps = procedure_of(config).unit == "steps"
    unit = "SGD steps" if steps else "tokens trained"
    total = float(state.get("step" if steps else "words_done") or n)
    positions = total * np.arange(1, n + 1) / n  # (n,)
    saved = state.get("loss_positions")
    if isinstance(saved, list) and len(saved) == n:
        positions = np.asarray(saved, dtype=np.float64)
    if steps:
        return positions, [], unit
    per_epoch = state.get("corpus_tokens")
    if isinstance(per_epoch, int) and per_epoch > 0:
        return positions, [float(per_epoch * epoch) for epoch in range(1, int(total // per_epoch) + 1)], unit
    epochs = int(config.get("epochs") or 0) if state.get("finished") else int(state.get("epoch") or 0)
    if not state.get("finished") and state.get("chunk"):
        epochs = 0
    ends = [total * epoch / epochs for epoch in range(1, epochs + 1)] if epochs > 0 else []
    return positions, ends, unit
