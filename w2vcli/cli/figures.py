"""Matplotlib rendering for `w2v plot`: a map of projected words with placed labels, and training loss curves.

Imported only by the plot command, so the other commands start without matplotlib. Figures are drawn on
matplotlib's Agg canvas (no display needed) and written, atomically, as PNG, SVG (text kept as text) or PDF by the
extension of the output path; a window opens only when asked for and a display exists. Labels are measured here
and placed by labels.py, after the layout is fixed, so that none overlaps another or leaves the axes.
Not here: the projection (vectors/projection.py), the choice of words or the loss positions (plot.py).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..files import atomic_write
from .labels import leader_ends, place_labels

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DPI = 150
FONT_SIZES = (9, 8, 7, 6)  # label sizes tried in turn until every label finds a free spot
GROUP_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
                 "tab:olive", "tab:cyan", "tab:gray")
LABEL_GAP = 3.5 * DPI / 72  # pixels (3.5 points) between a point and its label when the label sits beside it
HEAD_GAP = 5.5 * DPI / 72  # the same beside the larger marker of a word the user named
FRAME_PADDING = 3.0  # pixels kept between a label and the axes' edge
MARKER_RADIUS = 2.5 * DPI / 72  # pixels a point's marker reaches, so that labels do not hide points
SCORE_NAMES = {"analogies": "analogies (accuracy)", "pairs": "word pairs (Spearman ρ)"}


@dataclass
class WordMap:
    """What a word map shows: points, their words, the group of each (an index into group_names)."""

    coords: np.ndarray  # (n, 2)
    words: list[str]
    title: str
    axis_labels: tuple[str, str]
    groups: np.ndarray = None  # (n,) int, or None for one group
    group_names: list[str] = field(default_factory=list)  # legend entries; none drawn when empty
    heads: set = field(default_factory=set)  # indices of the words the user asked for (drawn larger)
    flat: bool = False  # the second axis carries no variance: draw the points on a line


@dataclass
class LossCurve:
    """One model's loss against its position in training, with the positions where each epoch ended."""

    name: str
    positions: np.ndarray  # (n,)
    losses: np.ndarray  # (n,)
    epoch_ends: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # "analogies" | "pairs" -> (positions (m,), values (m,)): evaluations
    kept: float | None = None  # the position of the epoch --keep-best kept, if it did


def image_format(path) -> str:
    """png, svg or pdf from the extension of path; ConfigError for anything else."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ConfigError(f"cannot tell the image format of '{path}': end it in .png, .svg, .pdf or .html")
    return fmt


def has_display() -> bool:
    """Whether a window can open: always on macOS and Windows, with $DISPLAY or $WAYLAND_DISPLAY elsewhere."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def plot_words(word_map: WordMap, out, *, show: bool = False) -> tuple[bool, int]:
    """Draws word_map and writes out; returns whether a window was shown and how many labels found no room."""
    size = (8, 6) if len(word_map.words) <= 40 else (11, 8.25)
    for font_size in FONT_SIZES:
        figure, axes = _figure(show, size)
        unplaced = _draw_map(figure, axes, word_map, font_size)
        if not unplaced or font_size == FONT_SIZES[-1]:
            return _save(figure, out, show), unplaced
        _close(figure, show)


def _draw_map(figure, axes, word_map: WordMap, font_size: float) -> int:
    """Points, legend and layout first; then every label placed and drawn. Returns the labels left out."""
    coords = np.array(word_map.coords, dtype=np.float64)  # (n, 2)
    if word_map.flat:
        coords[:, 1] = 0.0
    groups = np.zeros(len(coords), dtype=int) if word_map.groups is None else np.asarray(word_map.groups)
    heads = np.isin(np.arange(len(coords)), sorted(word_map.heads))
    for group in np.unique(groups):
        colour = GROUP_COLOURS[group % len(GROUP_COLOURS)] if word_map.group_names else "tab:red"
        name = word_map.group_names[group] if word_map.group_names else None
        mine = groups == group
        axes.scatter(*coords[mine & ~heads].T, s=14, color=colour, zorder=3, label=None if heads.any() else name)
        if (mine & heads).any():
            axes.scatter(*coords[mine & heads].T, s=44, color=colour, edgecolors="black", linewidths=0.8,
                         zorder=4, label=name)
    _frame_axes(axes, coords, word_map)
    figure.tight_layout()
    return _draw_labels(figure, axes, coords, word_map, groups, heads, font_size)


def _frame_axes(axes, coords, word_map: WordMap) -> None:
    """Limits with room for labels, axis labels, title, legend outside the axes, and the flat case said."""
    low, high = coords.min(axis=0), coords.max(axis=0)  # (2,)
    span = np.where(high - low > 0, high - low, 1.0)  # (2,)
    axes.set_xlim(low[0] - 0.08 * span[0], high[0] + 0.08 * span[0])
    axes.set_ylim(low[1] - 0.08 * span[1], high[1] + 0.08 * span[1])
    axes.set_xlabel(word_map.axis_labels[0])
    axes.set_ylabel(word_map.axis_labels[1])
    if word_map.flat:
        axes.set_ylim(-1, 1)
        axes.set_yticks([])
    axes.set_title(word_map.title, fontsize=10, parse_math=False)
    axes.grid(alpha=0.25)
    axes.patch.set_gid("axes-frame")
    if word_map.group_names:
        _literal(axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9,
                             borderaxespad=0))


def _literal(legend) -> None:
    """Words and file names are data: a '$' in them is a dollar sign, never TeX."""
    for text in legend.get_texts():
        text.set_parse_math(False)


def _draw_labels(figure, axes, coords, word_map: WordMap, groups, heads, font_size) -> int:
    renderer = figure.canvas.get_renderer()
    texts = [axes.text(0, 0, word, fontsize=font_size, ha="left", va="bottom", zorder=5, gid=f"label-{i}",
                       fontweight="bold" if heads[i] else "normal", color="0.1", parse_math=False)
             for i, word in enumerate(word_map.words)]
    sizes = np.array([[box.width, box.height] for box in (text.get_window_extent(renderer) for text in texts)])
    points = axes.transData.transform(coords)  # (n, 2) pixels
    order = np.argsort(~heads, kind="stable")  # the asked-for words choose their spots first
    corners = np.full_like(points, np.nan)
    gaps = np.where(heads, HEAD_GAP, LABEL_GAP)  # (n,)
    corners[order] = place_labels(points[order], sizes[order], axes.bbox.extents, gap=gaps[order],
                                  padding=FRAME_PADDING, marker_radius=MARKER_RADIUS)
    to_data = axes.transData.inverted()
    for text, corner in zip(texts, corners):
        if np.isnan(corner).any():
            text.set_visible(False)
        else:
            text.set_position(to_data.transform(corner))
    for i, end in leader_ends(points, corners, sizes, beyond=HEAD_GAP + 3):
        colour = GROUP_COLOURS[groups[i] % len(GROUP_COLOURS)] if word_map.group_names else "0.45"
        line = to_data.transform([points[i], end])  # (2, 2)
        axes.plot(line[:, 0], line[:, 1], color=colour, linewidth=0.5, alpha=0.8, zorder=2)
    return int(np.isnan(corners[:, 0]).sum())


def plot_loss(curves: list[LossCurve], out, *, unit: str, title: str, show: bool = False) -> bool:
    """Each model's smoothed loss against unit (tokens or SGD steps), its epoch ends dotted, and, in a panel under
    it, the scores of evaluation during training when a model has them; returns whether a window was shown."""
    from matplotlib.ticker import EngFormatter

    scored = any(curve.scores for curve in curves)
    figure, axes = _figure(show, (8, 7.5) if scored else (8, 5))
    if scored:
        figure.delaxes(axes)
        axes, score_axes = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    marks = {}  # (epoch, end) -> the colours of the curves that end an epoch there
    for i, curve in enumerate(curves):
        colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        axes.plot(curve.positions, curve.losses, color=colour, linewidth=1.4, label=curve.name)
        for epoch, end in enumerate(curve.epoch_ends, start=1):
            marks.setdefault((epoch, float(end)), []).append(colour)
    for (epoch, end), colours in marks.items():
        colour = colours[0] if len(colours) == 1 else "0.4"  # shared by several runs: grey, said once
        for panel in (axes, score_axes) if scored else (axes,):
            line = panel.axvline(end, color=colour, linestyle=":", linewidth=0.9, alpha=0.8)
            line.set_gid(f"{'scores-' if panel is not axes else ''}epoch-end-{epoch}")
        axes.annotate(f"epoch {epoch}", (end, 1.0), xycoords=("data", "axes fraction"), xytext=(-3, -3),
                      textcoords="offset points", ha="right", va="top", fontsize=7, color=colour)
    bottom = score_axes if scored else axes
    bottom.xaxis.set_major_formatter(EngFormatter(sep=""))
    bottom.set_xlabel(unit)
    axes.set_ylabel("smoothed loss")
    axes.patch.set_gid("loss-frame")
    axes.set_title(title, fontsize=10, parse_math=False)
    axes.grid(alpha=0.3)
    _literal(axes.legend(fontsize=9, frameon=False))
    if scored:
        _draw_scores(score_axes, curves)
    figure.tight_layout()
    return _save(figure, out, show)


SCORE_MARKERS = {"analogies": ("o", "-"), "pairs": ("s", "--")}  # measure: marker, line style


def _draw_scores(axes, curves: list[LossCurve]) -> None:
    """Each model's evaluation scores at the positions they were measured (its epoch ends), one line per
    measure, the epoch --keep-best kept ringed; the legend, outside the axes on the right, names each measure."""
    for i, curve in enumerate(curves):
        colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        for measure, (positions, values) in curve.scores.items():
            marker, style = SCORE_MARKERS[measure]
            label = SCORE_NAMES[measure] + (f" · {curve.name}" if len(curves) > 1 else "")
            line, = axes.plot(positions, values, color=colour, marker=marker, markersize=4, linestyle=style,
                              linewidth=1.1, label=label)
            line.set_gid(f"scores-{i}-{measure}")
            if curve.kept is not None and curve.kept in positions:
                kept = axes.plot([curve.kept], [values[list(positions).index(curve.kept)]], marker="o",
                                 markersize=10, markerfacecolor="none", markeredgecolor="black", linestyle="none",
                                 label="kept by --keep-best")[0]
                kept.set_gid(f"kept-{i}-{measure}")
    axes.patch.set_gid("scores-frame")
    axes.set_ylabel("score")
    axes.grid(alpha=0.3)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles))  # "kept by --keep-best" once, and last
    unique = {**{k: v for k, v in unique.items() if not k.startswith("kept")},
              **{k: v for k, v in unique.items() if k.startswith("kept")}}
    _literal(axes.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, loc="upper left",
                         bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0))


def _figure(show: bool, size):
    """A figure and its axes: through pyplot only when a window will open, else a bare Agg-backed Figure."""
    if show and has_display():
        import matplotlib.pyplot as pyplot

        figure = pyplot.figure(figsize=size, dpi=DPI)
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=size, dpi=DPI)
        FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _close(figure, show: bool) -> None:
    if show and has_display():
        import matplotlib.pyplot as pyplot

        pyplot.close(figure)


def _save(figure, out, show: bool) -> bool:
    import matplotlib

    fmt = image_format(out)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "w2vcli"}):
        atomic_write(Path(out), lambda file: figure.savefig(file, format=fmt, dpi=DPI))
    if show and has_display():
        import matplotlib.pyplot as pyplot

        pyplot.show()
        return True
    return False
