"""`w2v plot --out map.html`: one self-contained HTML page (no network, no server) with a zoomable word map.

The page (map_page.html beside this module: its CSS and a small hand-written canvas script) gets the data as one
JSON block: the projected points, the words, and for each word on the map its nearest neighbours in the whole
vocabulary with their cosines, computed here (so the page needs no vectors: ~40 bytes a word). Words are data:
they enter the page as JSON with every '<' escaped and reach the DOM only as text. Not here: the projection or
the choice of words (plot.py).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import numpy as np

from ..files import atomic_write

GENERATOR = '<meta name="generator" content="w2vcli plot">'  # marks a page plot may replace
MAP_NEIGHBOURS = 10  # neighbours listed for a searched word
ROWS_AT_ONCE = 256  # rows of cosines computed at a time (256 x V floats)


def nearest_rows(unit_vectors: np.ndarray, rows, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of rows, the k rows of highest cosine (itself excluded) and those cosines: (n, k) each."""
    rows = np.asarray(rows)
    k = min(k, len(unit_vectors) - 1)
    best = np.zeros((len(rows), k), dtype=np.int64)  # (n, k)
    for start in range(0, len(rows), ROWS_AT_ONCE):
        part = rows[start:start + ROWS_AT_ONCE]  # (b,)
        cosines = unit_vectors[part] @ unit_vectors.T  # (b, V)
        cosines[np.arange(len(part)), part] = -np.inf
        top = np.argpartition(-cosines, k - 1, axis=1)[:, :k]  # (b, k) unordered
        order = np.argsort(-np.take_along_axis(cosines, top, axis=1), axis=1, kind="stable")  # (b, k)
        best[start:start + len(part)] = np.take_along_axis(top, order, axis=1)
    cosines = np.einsum("nd,nkd->nk", unit_vectors[rows], unit_vectors[best])  # (n, k)
    return best, cosines


def map_data(embeddings, rows, coords: np.ndarray, variance, title: str) -> dict:
    """The page's data: words (the n on the map first, then neighbours not on it), points scaled into [-1, 1],
    and per map word its neighbours as indices into words with their cosines."""
    neighbours, cosines = nearest_rows(embeddings.unit_vectors, rows, MAP_NEIGHBOURS)  # (n, k) each
    index = {row: i for i, row in enumerate(rows)}
    for row in neighbours.ravel():
        index.setdefault(int(row), len(index))
    words = [embeddings.words[row] for row in sorted(index, key=index.get)]
    coords = np.asarray(coords, dtype=np.float64)  # (n, 2)
    centered = coords - (coords.max(axis=0) + coords.min(axis=0)) / 2  # (n, 2)
    scale = np.abs(centered).max() or 1.0
    return {
        "title": title,
        "shown": len(rows),
        "words": words,
        "x": np.round(centered[:, 0] / scale, 4).tolist(),
        "y": np.round(centered[:, 1] / scale, 4).tolist(),
        "variance": [round(float(v), 4) for v in variance],
        "neighbours": [[index[int(row)] for row in line] for line in neighbours],
        "cosines": np.round(cosines, 3).tolist(),
    }


def page(data: dict) -> str:
    """The whole HTML page with data embedded; '<' inside the JSON written as \\u003c so no word ends the script."""
    template = resources.files(__package__).joinpath("map_page.html").read_text(encoding="utf-8")
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    title = data["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    values = {"generator": GENERATOR, "title": title, "data": payload}
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], template)  # one pass: no re-scan


def write_map(out, embeddings, rows, plane, *, title: str) -> None:
    """Writes the page for rows of embeddings projected on plane to out, atomically."""
    text = page(map_data(embeddings, list(rows), plane.coords, plane.variance, title))
    atomic_write(Path(out), lambda file: file.write(text.encode("utf-8")))
