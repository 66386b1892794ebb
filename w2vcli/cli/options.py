"""The options and choices shared by several commands, declared once (Annotated aliases and Enums).

Not here: any command, or the app itself (commands.py).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_MODEL = Path("model.npz")  # what --model/-m means when not given (nor W2V_MODEL)
ModelPath = Annotated[Path, typer.Option("--model", "-m", envvar="W2V_MODEL", dir_okay=False,
                                         help="Vectors to use: a w2vcli .npz, or word2vec .txt/.vec/.bin.")]


class VectorsKind(str, Enum):
    """Which matrix of a .npz model answers queries."""

    center = "center"
    outside = "outside"
    sum = "sum"


VectorsChoice = Annotated[VectorsKind, typer.Option(
    "--vectors", help="Matrix of a .npz model: center (v, the usual word vectors), outside (u) or their sum.")]

JsonFlag = Annotated[bool, typer.Option(
    "--json", help="Print one JSON object for scripts instead of text (its fields: README, \"--json\").")]
