"""The Typer app, the options shared by several commands, and the one place errors become exit codes.

Command modules (cli_*.py) register on `app` with @command; cli.py imports them all and runs the app.
Not here: any command's logic.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import W2VError

app = typer.Typer(
    name="w2v",
    help="word2vec on the command line: train word vectors, verify the math, query and plot the results.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def command(fn=None, **kwargs):
    """@app.command(), with W2VError turned into one stderr line and its exit code (no traceback)."""

    def register(fn):
        @functools.wraps(fn)
        def run(*args, **kw):
            try:
                return fn(*args, **kw)
            except W2VError as error:
                from .display import print_error

                print_error(str(error))
                raise typer.Exit(error.exit_code) from None

        return app.command(**kwargs)(run)

    return register(fn) if fn is not None else register


ModelPath = Annotated[Path, typer.Option("--model", "-m", envvar="W2V_MODEL", dir_okay=False,
                                         help="Vectors to use: a w2vcli .npz, or word2vec .txt/.vec/.bin.")]


from enum import Enum  # noqa: E402  (appended with the options below)


class VectorsKind(str, Enum):
    """Which matrix of a .npz model answers queries."""

    center = "center"
    outside = "outside"
    sum = "sum"


VectorsChoice = Annotated[VectorsKind, typer.Option(
    "--vectors", help="Matrix of a .npz model: center (v, the usual word vectors), outside (u) or their sum.")]
