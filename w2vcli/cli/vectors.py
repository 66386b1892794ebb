"""`w2v` commands that use trained vectors: nearest, analogy, similarity, export (`info` is info.py's).

Each parses, calls vectors/embeddings.py or vectors/formats.py, and renders with display.py (`plot` is plot.py's).
Every query warns once on stderr when its vectors come from an unfinished checkpoint. Not here: any math or file
parsing.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .display import console, print_neighbours, print_result_json, print_warning, visible
from .info import warn_if_unfinished
from .options import DEFAULT_MODEL, JsonFlag, ModelPath, VectorsChoice, VectorsKind
from ..errors import ConfigError, UnknownWordError, W2VError
from ..vectors.embeddings import Embeddings, load_vectors, parse_query



class AnalogyMethod(str, Enum):
    add = "add"
    cosmul = "cosmul"


class ExportFormat(str, Enum):
    text = "text"
    binary = "binary"
    tsv = "tsv"


MEASURES = {AnalogyMethod.add: "3CosAdd", AnalogyMethod.cosmul: "3CosMul"}


def load_for_query(model: Path, vectors: VectorsKind) -> Embeddings:
    """The vectors a query command uses, with the one-line warning of an unfinished checkpoint."""
    embeddings = load_vectors(model, vectors.value)
    warn_if_unfinished(model, embeddings)
    return embeddings


def ranked(pairs) -> list[dict]:
    return [{"word": word, "score": score} for word, score in pairs]


def nearest(
    words: Annotated[list[str], typer.Argument(help="Words, or expressions such as 'king - man + woman'.")],
    k: Annotated[int, typer.Option("-k", "--count", min=1, help="How many neighbours to list per query.")] = 10,
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: JsonFlag = False,
) -> None:
    """The words of highest cosine similarity to each query; the query's own words are excluded.

    A query is a word or a sum of words with + and - between them (spaces around the signs).

    Example: w2v nearest king "king - man + woman" -k 5
    """
    embeddings = load_for_query(model, vectors)
    for query in words:
        check_expression(embeddings, query)
    results = [(query, embeddings.nearest(query, k)) for query in words]
    built = {query: from_subwords(embeddings, [word for _, word in parse_query(query)]) for query in words}
    if as_json:
        print_result_json("nearest", {"model": str(model), "vectors": vectors.value, "measure": "cosine",
                                      "results": [{"query": query, **subword_field(embeddings, built[query]),
                                                   "neighbours": ranked(pairs)} for query, pairs in results]})
    else:
        print_neighbours([(labelled(query, built[query]), pairs) for query, pairs in results], "cosine")


def from_subwords(embeddings: Embeddings, words) -> list[str]:
    """The words whose vectors are built from their character n-grams: unknown words of a subword model."""
    built = getattr(embeddings, "from_subwords", None)
    return [word for word in dict.fromkeys(words) if built is not None and built(word)]


def subword_field(embeddings: Embeddings, built: list[str]) -> dict:
    """JSON's "from_subwords" list, present only for vectors that can build words from their n-grams."""
    return {"from_subwords": built} if hasattr(embeddings, "from_subwords") else {}


def labelled(query: str, built: list[str]) -> str:
    """The query as shown, saying which of its words have vectors from subwords."""
    if not built:
        return query
    return f"{query} (from subwords)" if built == [query] else f"{query} (from subwords: {', '.join(built)})"


def check_expression(embeddings: Embeddings, query: str) -> None:
    """UnknownWordError with a hint when a query such as 'king-man+woman' reads as one unknown word but, with
    spaces around its signs, is an expression of known words (a warning where subword vectors answer any word)."""
    spaced = re.sub(r"\s*([+-])\s*", r" \1 ", query).strip()
    try:
        typed, terms = parse_query(query), parse_query(spaced)
    except W2VError:
        return
    unknown = [word for _, word in typed if word not in embeddings]
    if unknown and terms != typed and all(word in embeddings for _, word in terms):
        if hasattr(embeddings, "from_subwords"):
            print_warning(f"'{unknown[0]}' is not in the vocabulary and is answered from its character n-grams; "
                          f"did you mean: {spaced}? (an expression needs spaces around + and -)")
            return
        raise UnknownWordError(f"unknown word '{unknown[0]}' (did you mean: {spaced}? an expression needs spaces "
                               "around + and -)")


def analogy(
    a: Annotated[str, typer.Argument(help="A in 'A is to B as C is to ?'.")],
    b: Annotated[str, typer.Argument(help="B in 'A is to B as C is to ?'.")],
    c: Annotated[str, typer.Argument(help="C in 'A is to B as C is to ?'.")],
    k: Annotated[int, typer.Option("-k", "--count", min=1, help="How many answers to list.")] = 5,
    method: Annotated[AnalogyMethod, typer.Option(
        help="add: 3CosAdd, cos(x, b - a + c); cosmul: 3CosMul (Levy & Goldberg 2014).")] = AnalogyMethod.add,
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: JsonFlag = False,
) -> None:
    """Answer "A is to B as C is to ?"; the three given words are never answers.

    Example: w2v analogy man king woman
    """
    embeddings = load_for_query(model, vectors)
    answers, built = embeddings.analogy(a, b, c, k, method.value), from_subwords(embeddings, (a, b, c))
    if as_json:
        print_result_json("analogy", {"model": str(model), "vectors": vectors.value, "measure": MEASURES[method],
                                      "a": a, "b": b, "c": c, **subword_field(embeddings, built),
                                      "answers": ranked(answers)})
        return
    score = "cos(x, b-a+c)" if method is AnalogyMethod.add else "3CosMul"
    print_neighbours([(labelled(f"{a} : {b} :: {c} : ?", built), answers)], score)


def similarity(
    first: Annotated[str, typer.Argument(help="A word.")],
    second: Annotated[str, typer.Argument(help="Another word.")],
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: JsonFlag = False,
) -> None:
    """The cosine similarity of two words' vectors, between -1 and 1.

    Example: w2v similarity coffee tea
    """
    embeddings = load_for_query(model, vectors)
    score, built = embeddings.similarity(first, second), from_subwords(embeddings, (first, second))
    if as_json:
        print_result_json("similarity", {"model": str(model), "vectors": vectors.value, "measure": "cosine",
                                         "words": [first, second], **subword_field(embeddings, built),
                                         "score": score})
        return
    print(f"{score:.4f}")
    if built:
        print_warning(f"{', '.join(built)}: not in the vocabulary, vector from subwords")


def export(
    model: Annotated[Path, typer.Argument(help="Vectors to convert: .npz, .txt, .vec or .bin.", dir_okay=False)],
    out: Annotated[Path, typer.Argument(
        help="File to write, its format chosen by its name: .txt or .vec (word2vec text), .bin (word2vec binary), "
             ".tsv (the Embedding Projector's pair: OUT and OUT's name with .metadata.tsv).")],
    fmt: Annotated[Optional[ExportFormat], typer.Option(
        "--format", "-f", help="text, binary or tsv, whatever OUT's name; with tsv, an OUT not ending in .tsv is a "
                               "folder that receives vectors.tsv and metadata.tsv.")] = None,
    vectors: VectorsChoice = VectorsKind.center,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files (never the input).")]
    = False,
    as_json: JsonFlag = False,
) -> None:
    """Write vectors as word2vec text or binary (for gensim and the C tools), or as TSV for the Embedding Projector.

    Never writes over MODEL itself, however named, nor over an existing file without --force.

    Example: w2v export model.npz vectors.bin
    """
    from ..vectors.formats import write_projector, write_word2vec

    fmt = fmt or format_by_name(out)
    targets = export_targets(out, fmt, model, force)
    embeddings = load_for_query(model, vectors)
    if fmt is ExportFormat.tsv:
        targets[0].parent.mkdir(exist_ok=True)
        write_projector(*targets, embeddings.words, embeddings.vectors)
    else:
        write_word2vec(out, embeddings.words, embeddings.vectors, binary=fmt is ExportFormat.binary)
    if as_json:
        print_result_json("export", {"model": str(model), "vectors": vectors.value, "format": fmt.value,
                                     "files": [str(target) for target in targets], "words": len(embeddings),
                                     "dimension": embeddings.dim})
        return
    console.print(visible(f"wrote {len(embeddings):,} words × {embeddings.dim} ({fmt.value}) to "
                          f"{', '.join(map(str, targets))}"), markup=False, soft_wrap=True)


def format_by_name(out: Path) -> ExportFormat:
    """The format OUT's suffix names, or a ConfigError listing the suffixes."""
    suffix = out.suffix.lower()
    by_suffix = {".txt": ExportFormat.text, ".vec": ExportFormat.text, ".bin": ExportFormat.binary,
                 ".tsv": ExportFormat.tsv}
    if suffix in by_suffix:
        return by_suffix[suffix]
    compressed = " (export writes uncompressed files; compress the result afterwards)" if suffix in (
        ".gz", ".bz2", ".xz") else ""
    raise ConfigError(f"cannot tell the format from the name {out}{compressed}: end it in .txt or .vec "
                      "(word2vec text), .bin (word2vec binary) or .tsv (Embedding Projector), or give --format")


def export_targets(out: Path, fmt: ExportFormat, model: Path, force: bool) -> list[Path]:
    """The files export will write, each checked before any work: OUT; for tsv, OUT and NAME.metadata.tsv beside
    it, or the two files of the folder OUT (made if missing)."""
    from ..files import check_new_output

    if fmt is not ExportFormat.tsv:
        targets = [out]
    elif out.suffix.lower() == ".tsv":
        targets = [out, out.with_name(out.name[: -len(out.suffix)] + ".metadata.tsv")]
    else:
        if out.exists() and not out.is_dir():
            raise ConfigError(f"{out} is a file; --format tsv writes vectors.tsv and metadata.tsv into a folder "
                              f"(or name the output {out.name}.tsv)")
        targets = [out / "vectors.tsv", out / "metadata.tsv"]
    for target in targets if targets[0].parent.exists() else [out]:  # a folder yet to make: where it goes
        check_new_output(target, inputs=[model], force=force)
    return targets
