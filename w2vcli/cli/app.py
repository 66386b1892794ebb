"""The Typer app, composed explicitly from the command modules, and the one place errors become exit codes.

Each command module defines plain functions; this file lists them, wraps each in the error boundary
(`W2VError` -> one stderr line and its exit code; Ctrl-C -> exit 130) and registers it with the help policy of
HelpfulCommand. Exit codes (README, "Exit codes"): 0 done; 1 a data or runtime problem (a file missing, unreadable
or malformed, an unknown word, a failed check, a diverged run, a failed write); 2 a usage problem (an unknown or
impossible option, an output that exists without --force); 130 interrupted. Not here: any command's logic.
"""

from __future__ import annotations

import functools
from typing import Annotated

import typer
from typer.core import TyperArgument, TyperCommand

from .. import __version__
from ..errors import W2VError
from . import evaluate, gradcheck, info, plot, train, vectors

EXIT_INTERRUPTED = 128 + 2  # the shell's code for a process ended by SIGINT
HELP_MIN_WIDTH = 80  # every command's help shows every option's name whole at this width (tests/test_docs.py)


class HelpfulCommand(TyperCommand):
    """Help as the README promises: arguments in CAPS (`w2v export [OPTIONS] MODEL OUT`, not `{model} {out}`)
    and defaults shown plainly (`[default: skipgram]`, never `[default: (skipgram)]`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is None:
                param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
            elif isinstance(getattr(param, "show_default", None), str):
                param.help = f"{param.help or ''}  \\[default: {param.show_default}]".strip()  # an escaped [, not markup
                param.show_default = False

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar if param.required else f"[{param.metavar}]")
        return pieces

    def format_help(self, ctx, formatter) -> None:
        """Piped or redirected, help is drawn at least HELP_MIN_WIDTH wide, where no option's name is cut (a
        terminal keeps its own width)."""
        import shutil

        from typer import rich_utils

        from .display import console

        width = shutil.get_terminal_size((HELP_MIN_WIDTH, 24)).columns  # COLUMNS first, as rich reads it
        narrow = not console.is_terminal and width < HELP_MIN_WIDTH and rich_utils.MAX_WIDTH is None
        if narrow:
            rich_utils.MAX_WIDTH = HELP_MIN_WIDTH
        try:
            return super().format_help(ctx, formatter)
        finally:
            if narrow:
                rich_utils.MAX_WIDTH = None


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
            info.info, vectors.export, evaluate.evaluate)


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
        except KeyboardInterrupt:
            from .display import print_error

            print_error("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return run


for _command in COMMANDS:
    app.command(cls=HelpfulCommand)(exits_on_errors(_command))
