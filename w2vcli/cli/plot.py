"""`w2v plot`: words projected to 2-D, or the training loss curve, as an image.

Parses, chooses the words, calls vectors/projection.py, and hands the points to figures.py (matplotlib, imported
only here, inside the command, so the other commands start fast). Not here: the projection math or the drawing.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, ModelFileError, UnknownWordError
from ..vectors.embeddings import load_vectors
from .display import console, print_warning
from .options import ModelPath, VectorsChoice, VectorsKind

DEFAULT_MODEL = Path("model.npz")


class Projection(str, Enum):
    svd = "svd"
    pca = "pca"


def plot(
    words: Annotated[Optional[str], typer.Option(
        "--words", "-w", help="Comma-separated words (default: the 24 words of the CS224n figure).")] = None,
    top: Annotated[Optional[int], typer.Option(min=2, help="Plot the N most frequent words instead.")] = None,
    method: Annotated[Projection, typer.Option(
        help="svd: CS224n's SVD of the covariance of the centered vectors; pca: SVD of the data.")] = Projection.svd,
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write: .png, .svg or .pdf.")] = Path(
        "word_vectors.png"),
    show: Annotated[bool, typer.Option(help="Also open a window, when a display exists.")] = False,
    loss: Annotated[bool, typer.Option(help="Plot the model's training loss curve instead.")] = False,
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
) -> None:
    """Words' vectors projected to 2-D as labelled points, or a training loss curve; no display needed.

    Example: w2v plot --words woman,female,man,male,king,queen --out words.svg
    """
    from .figures import image_format, plot_loss, plot_words
    from ..vectors.projection import project_2d

    image_format(out)  # refuse a bad extension before loading anything
    if loss:
        shown = plot_loss(_loss_history(model), out, show=show)
    else:
        embeddings = load_vectors(model, vectors.value)
        rows = _plot_rows(embeddings, words, top)
        coords = project_2d(embeddings.vectors[rows], method.value)  # (n, 2)
        shown = plot_words(coords, [embeddings.words[row] for row in rows], out, show=show,
                           title=f"{len(rows)} words of {model.name} ({method.value})")
    if show and not shown:
        print_warning("no display to open a window on; the image is written")
    console.print(f"wrote {out}")


def _plot_rows(embeddings, words: str | None, top: int | None) -> list[int]:
    """Rows to plot: --top's most frequent words, --words, or the CS224n words that are in the vocabulary."""
    from ..vectors.projection import CS224N_WORDS

    if words is not None and top is not None:
        raise ConfigError("give --words or --top, not both")
    if top is not None:
        return list(range(min(top, len(embeddings))))
    wanted = [word.strip() for word in words.split(",") if word.strip()] if words is not None else CS224N_WORDS
    rows, unknown = embeddings.rows_of(wanted)
    if len(rows) < 2:
        raise UnknownWordError(f"a plot needs two words in the vocabulary; found {len(rows)} of "
                               f"{', '.join(wanted) or 'none'}")
    if unknown and words is not None:
        print_warning(f"not in the vocabulary, left out: {', '.join(unknown)}")
    return rows


def _loss_history(model: Path):
    from ..vectors.checkpoint import load_model
    from ..vectors.formats import format_of

    if format_of(model) is not None:
        raise ModelFileError(f"{model} is a word2vec file; --loss needs a w2vcli .npz model")
    history = load_model(model).loss_history
    if not len(history):
        raise ModelFileError(f"{model} has no loss history")
    return history
