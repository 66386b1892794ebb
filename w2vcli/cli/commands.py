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
from typer.core import TyperArgument, TyperCommand, TyperGroup

from .. import __version__
from ..errors import W2VError
from . import evaluate, gradcheck, info, phrases, plot, ranking, train, vectors

EXIT_INTERRUPTED = 128 + 2  # the shell's code for a process ended by SIGINT


def _help_is_rich() -> bool:
    from .display import console

    return console.is_terminal


class HelpfulCommand(TyperCommand):
    """Help as the README promises: arguments in CAPS (`w2v export [OPTIONS] MODEL OUT`), defaults shown
    plainly (`[default: skipgram]`, never `(skipgram)`), Rich panels on a terminal and click's plain layout
    when piped, which wraps to the width and never cuts an option's name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is None:
                param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
            elif isinstance(getattr(param, "show_default", None), str):
                param.help = f"{param.help or ''}  [default: {param.show_default}]".strip()
                param.show_default = False

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar if param.required else f"[{param.metavar}]")
        return pieces

    def format_help(self, ctx, formatter) -> None:
        if _help_is_rich():
            return super().format_help(ctx, formatter)
        return super(TyperCommand, self).format_help(ctx, formatter)

    def format_options(self, ctx, formatter) -> None:
        """Plain help keeps the Rich panels' grouping: one section per rich_help_panel, in order of appearance."""
        sections: dict[str, list] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            default = "Arguments" if isinstance(param, TyperArgument) else "Options"
            if record is not None:
                sections.setdefault(getattr(param, "rich_help_panel", None) or default, []).append(record)
        for name, records in sections.items():
            with formatter.section(name):
                formatter.write_dl(records)


class HelpfulGroup(TyperGroup):
    """The top-level `w2v --help`: Rich on a terminal, plain when piped (as HelpfulCommand)."""

    def format_help(self, ctx, formatter) -> None:
        if _help_is_rich():
            return super().format_help(ctx, formatter)
        return super(TyperGroup, self).format_help(ctx, formatter)


app = typer.Typer(
    cls=HelpfulGroup,
    name="w2v",
    help="word2vec on the command line: train word vectors, verify the math, query and plot the results.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

COMMANDS = (gradcheck.gradcheck, train.train, vectors.nearest, vectors.analogy, vectors.similarity, plot.plot,
            info.info, vectors.export, evaluate.evaluate, phrases.phrases, ranking.odd, ranking.rank)


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
