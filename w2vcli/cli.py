"""`w2v`: imports every command module (each registers on the shared app) and runs the app."""

from __future__ import annotations

from . import cli_evaluate, cli_gradcheck, cli_train, cli_vectors  # noqa: F401  (each registers its commands)
from .cliapp import app


def main() -> None:
    app()
