"""The face of w2vcli: the Typer app (commands.py), one module per command group, the display and the plots.

`main()` is the `w2v` console script. Only this folder imports typer, rich or matplotlib.
"""

from __future__ import annotations

from .commands import app


def main() -> None:
    app()
