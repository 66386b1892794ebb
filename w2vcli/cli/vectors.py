"""`w2v` commands that use trained vectors: nearest, analogy, similarity, plot, info, export.

Each parses, calls vectors.py / w2vformat.py / project.py, and renders with display.py. matplotlib is imported
only inside `plot`, so queries start fast. Not here: any math or file parsing.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import ModelPath, VectorsChoice, VectorsKind
from .display import console, print_json, print_neighbours, print_table, print_warning
from ..errors import ConfigError, ModelFileError, UnknownWordError
from ..vectors.embeddings import describe, load_vectors

DEFAULT_MODEL = Path("model.npz")


class AnalogyMethod(str, Enum):
    add = "add"
    cosmul = "cosmul"


class Projection(str, Enum):
    svd = "svd"
    pca = "pca"


class ExportFormat(str, Enum):
    text = "text"
    binary = "binary"
    tsv = "tsv"



def nearest(
    words: Annotated[list[str], typer.Argument(help="Words, or expressions such as 'king - man + woman'.")],
    k: Annotated[int, typer.Option("-k", "--count", min=1, help="How many neighbours to list per query.")] = 10,
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")] = False,
) -> None:
    """The words of highest cosine similarity to each query; the query's own words are excluded.

    A query is a word or a sum of words with + and - between them (spaces around the signs).

    Example: w2v nearest king queen -k 5
    """
    embeddings = load_vectors(model, vectors.value)
    results = [(query, embeddings.nearest(query, k)) for query in words]
    if as_json:
        print_json([{"query": query, "neighbours": [{"word": word, "cosine": round(score, 6)}
                                                    for word, score in pairs]} for query, pairs in results])
    else:
        print_neighbours(results, "cosine")



def analogy(
    a: Annotated[str, typer.Argument(help="A in 'A is to B as C is to ?'.")],
    b: Annotated[str, typer.Argument(help="B in 'A is to B as C is to ?'.")],
    c: Annotated[str, typer.Argument(help="C in 'A is to B as C is to ?'.")],
    k: Annotated[int, typer.Option("-k", "--count", min=1, help="How many answers to list.")] = 5,
    method: Annotated[AnalogyMethod, typer.Option(
        help="add: 3CosAdd, cos(x, b - a + c); cosmul: 3CosMul (Levy & Goldberg 2014).")] = AnalogyMethod.add,
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
) -> None:
    """Answer "A is to B as C is to ?"; the three given words are never answers.

    Example: w2v analogy man king woman
    """
    answers = load_vectors(model, vectors.value).analogy(a, b, c, k, method.value)
    score = "cos(x, b-a+c)" if method is AnalogyMethod.add else "3CosMul"
    print_neighbours([(f"{a} : {b} :: {c} : ?", answers)], score)



def similarity(
    first: Annotated[str, typer.Argument(help="A word.")],
    second: Annotated[str, typer.Argument(help="Another word.")],
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
) -> None:
    """The cosine similarity of two words' vectors, between -1 and 1.

    Example: w2v similarity coffee tea
    """
    print(f"{load_vectors(model, vectors.value).similarity(first, second):.4f}")



def info(model: ModelPath = DEFAULT_MODEL) -> None:
    """What a model or vectors file holds: vocabulary size, dimension, training options and progress, size.

    Example: w2v info -m model.npz
    """
    print_table(f"{model}", ("property", "value"), describe(model))



def export(
    model: Annotated[Path, typer.Argument(help="Vectors to convert: .npz, .txt, .vec or .bin.", dir_okay=False)],
    out: Annotated[Path, typer.Argument(help="File to write; a folder for --format tsv.")],
    fmt: Annotated[Optional[ExportFormat], typer.Option(
        "--format", "-f", help="text, binary or tsv (default: binary for a .bin OUT, else text).")] = None,
    vectors: VectorsChoice = VectorsKind.center,
) -> None:
    """Write vectors as word2vec text or binary (for gensim and the C tools), or as TSV for the Embedding Projector.

    Example: w2v export model.npz vectors.bin
    """
    from ..vectors.formats import format_of, write_tsv, write_word2vec

    embeddings = load_vectors(model, vectors.value)
    fmt = fmt or (ExportFormat.binary if format_of(out) == "binary" else ExportFormat.text)
    if fmt is ExportFormat.tsv:
        written = write_tsv(out, embeddings.words, embeddings.vectors)
    else:
        write_word2vec(out, embeddings.words, embeddings.vectors, binary=fmt is ExportFormat.binary)
        written = (out,)
    console.print(f"wrote {len(embeddings):,} words × {embeddings.dim} ({fmt.value}) to "
                  f"{', '.join(map(str, written))}")



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
    from .plot import image_format, plot_loss, plot_words
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
