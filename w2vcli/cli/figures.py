"""Matplotlib rendering for `w2v plot`: projected words as labelled points, and a training loss curve.

Imported only by the plot command, so the other commands start without matplotlib. Figures are drawn on
matplotlib's Agg canvas (no display needed) and written, atomically, as PNG, SVG or PDF by the extension of the
output path; a window opens only when asked for and a display exists.
Not here: the projection (vectors/projection.py) or the choice of words (plot.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..files import atomic_write

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def image_format(path) -> str:
    """png, svg or pdf from the extension of path; ConfigError for anything else."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ConfigError(f"cannot tell the image format of '{path}': end it in .png, .svg or .pdf")
    return fmt


def has_display() -> bool:
    """Whether a window can open: always on macOS and Windows, with $DISPLAY or $WAYLAND_DISPLAY elsewhere."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def plot_words(coords: np.ndarray, words, out, *, title: str, show: bool = False) -> bool:
    """Labelled points at coords (n, 2); writes out; returns whether a window was shown."""
    figure, axes = _figure(show)
    axes.scatter(coords[:, 0], coords[:, 1], s=14, color="tab:red", zorder=2)
    for (x, y), word in zip(coords, words):
        axes.annotate(word, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=9)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    return _save(figure, out, show)


def plot_loss(loss_history: np.ndarray, out, *, show: bool = False) -> bool:
    """The smoothed training loss against report number (n,); writes out; returns whether a window was shown."""
    figure, axes = _figure(show)
    axes.plot(np.arange(1, len(loss_history) + 1), loss_history, color="tab:blue")
    axes.set_xlabel("progress report")
    axes.set_ylabel("smoothed loss")
    axes.set_title("Training loss")
    axes.grid(alpha=0.3)
    return _save(figure, out, show)


def _figure(show: bool):
    """A figure and its axes: through pyplot only when a window will open, else a bare Agg-backed Figure."""
    if show and has_display():
        import matplotlib.pyplot as pyplot

        figure = pyplot.figure(figsize=(8, 6))
    else:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8, 6))
    return figure, figure.add_subplot()


def _save(figure, out, show: bool) -> bool:
    fmt = image_format(out)
    figure.tight_layout()
    atomic_write(Path(out), lambda file: figure.savefig(file, format=fmt, dpi=150))
    if show and has_display():
        import matplotlib.pyplot as pyplot

        pyplot.show()
        return True
    return False
