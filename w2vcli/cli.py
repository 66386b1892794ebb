"""`w2v`: imports every command module (each registers on the shared app) and runs the app."""

from __future__ import annotations

from . import cli_gradcheck  # noqa: F401  (registers its command)
from .cliapp import app


def main() -> None:
    app()
