"""The Typer app, composed explicitly from the command modules, and the one place errors become exit codes.

Each command module defines plain functions; this file lists them, wraps each in the error boundary
(`W2VError` -> one stderr line and its exit code) and registers it. Not here: any command's logic.
"""

from __future__ import annotations

import functools
from typing import Annotated

import typer

from .. import __version__
from ..errors import W2VError
from . import evaluate, gradcheck, phrases, plot, ranking, train, vectors

app = typer.Typer(
    name="w2v",
    help="word2vec on the command line: train word vectors, verify the math, query and plot the results.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

COMMANDS = (gradcheck.gradcheck, train.train, vectors.nearest, vectors.analogy, vectors.similarity, plot.plot,
            vectors.info, vectors.export, evaluate.evaluate, phrases.phrases,
            ranking.odd, ranking.rank)


def _version(value: bool) -> None:
    if value:
        print(f"w2v {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", callback=_version,
                                          is_eager=True)] = False,
) -> None:
    """word2vec on the command line: train word vectors, verify the math, query and plot the results."""


def exits_on_errors(fn):
    """fn with W2VError turned into one stderr line and its exit code (no traceback)."""

    @functools.wraps(fn)
    def run(*args, **kw):
        try:
            return fn(*args, **kw)
        except W2VError as error:
            from .display import print_error

            print_error(str(error))
            raise typer.Exit(error.exit_code) from None

    return run


for _command in COMMANDS:
    app.command()(exits_on_errors(_command))
