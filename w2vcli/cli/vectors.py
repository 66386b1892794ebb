"""`w2v` commands that use trained vectors: nearest, analogy, similarity, info, export.

Each parses, calls vectors/embeddings.py or vectors/formats.py, and renders with display.py (`plot` is plot.py's).
Not here: any math or file parsing.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import ModelPath, VectorsChoice, VectorsKind
from .display import console, print_json, print_neighbours, print_table
from ..vectors.embeddings import describe, load_vectors

DEFAULT_MODEL = Path("model.npz")


class AnalogyMethod(str, Enum):
    add = "add"
    cosmul = "cosmul"


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
