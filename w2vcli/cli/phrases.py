"""`w2v phrases`: a corpus rewritten with its frequent collocations joined into single tokens.

Parses, checks that the output is neither the input nor an existing file (without --force), learns the phrases
with data/phrases.py over the streamed corpus, and writes the rewritten text through files.atomic_write.
Not here: counting or scoring (data/phrases.py), reading text (data/corpus.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..data.phrases import MAX_PASSES, PASSES, PhraseScoring, PhraseSettings


def phrases(
    corpus: Annotated[Path, typer.Argument(help="Text, one sentence per line (.gz/.bz2/.xz, or a folder).")],
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="The rewritten corpus to write.")],
    min_count: Annotated[int, typer.Option(min=1, help="δ of the score; with word2phrase scoring, also the "
                                           "least count of each word.")] = PhraseSettings.min_count,
    threshold: Annotated[float, typer.Option(help="Pairs scoring above this are joined.")] = PhraseSettings.threshold,
    passes: Annotated[int, typer.Option(min=1, max=MAX_PASSES, help="2 joins three- and four-word phrases.")] = PASSES,
    scoring: Annotated[PhraseScoring, typer.Option(
        help="N of the score: word2phrase (tokens) or gensim (entries of the count table).")]
    = PhraseSettings.scoring,
    delimiter: Annotated[str, typer.Option(help="Joins the words of a phrase.")] = PhraseSettings.delimiter,
    max_table: Annotated[int, typer.Option(min=2, help="Most words + pairs counted at once (about 100 bytes "
                                           "each); rare ones are pruned beyond it.")] = PhraseSettings.max_table,
    lowercase: Annotated[bool, typer.Option(help="Fold case first, as w2v train does.")] = True,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Join frequent word pairs into one token (new york -> new_york), as word2phrase and gensim's Phrases.

    A pair (a, b) is joined when (count(ab) - min_count) * N / (count(a) * count(b)) > threshold. The corpus is
    read once per pass plus once to write; memory holds the count table, never the text.

    Example: w2v phrases corpus.txt -o phrased.txt --passes 2
    """
    from .display import console
    from ..data.corpus import corpus_files, iter_sentences
    from ..data.phrases import learn_phrases, rewrite
    from ..files import atomic_write

    corpus_files(corpus)  # a missing or empty corpus is reported before anything else
    _check_output(corpus, out, force)
    settings = PhraseSettings(min_count=min_count, threshold=threshold, delimiter=delimiter, scoring=scoring,
                              max_table=max_table)
    models = learn_phrases(lambda: iter_sentences(corpus, lowercase=lowercase), settings, passes)

    def write(file):
        for sentence in rewrite(models, iter_sentences(corpus, lowercase=lowercase)):
            file.write((" ".join(sentence) + "\n").encode("utf-8"))

    atomic_write(out, write)
    for number, model in enumerate(models, 1):
        pruned = f" · table pruned {model.counts.prunings}×" if model.counts.prunings else ""
        console.print(f"pass {number}: {len(model.counts.table):,} words and pairs counted{pruned} · "
                      f"{len(model.joined):,} phrases joined {sum(model.joined.values()):,} times", markup=False)
    console.print(f"wrote {out}", markup=False)


def _check_output(corpus: Path, out: Path, force: bool) -> None:
    """Never one of the corpus's files, nor inside a corpus folder (it would be read as corpus next time); never
    an existing file without --force (files.check_new_output)."""
    from ..data.corpus import corpus_files
    from ..errors import ConfigError
    from ..files import check_new_output

    source = corpus.resolve()
    if source.is_dir() and source in out.resolve().parents:
        raise ConfigError(f"{out} is inside the corpus folder {corpus}; write the phrased text elsewhere")
    check_new_output(out, inputs=corpus_files(corpus), force=force)
