"""Label placement for scatter plots: every label beside its point, off every other label, inside the frame.

Pure geometry in display units (pixels, y up), no matplotlib: figures.py measures the labels and draws them.
Labels are placed one after another, in the caller's order (most important first): each tries positions around
its point on rings of growing distance (first the eight spots next to the point, then sixteen directions per
ring), keeps the nearest position that lies inside the frame and overlaps no placed label, and, among those,
prefers one that hides no point and whose link to its point (the leader line, when drawn) crosses no label, and
that no earlier link crosses. A label with no free spot anywhere is reported unplaced (NaN) rather than drawn
over another; the caller shrinks the font and tries again. Not here: measuring text or drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The first ring: right, left, upper right, upper left, lower right, lower left, above, below (radians).
FIRST_DIRECTIONS = np.array([0.0, np.pi, 0.5, np.pi - 0.5, -0.5, np.pi + 0.5, np.pi / 2, -np.pi / 2])
RING_DIRECTIONS = np.linspace(0, 2 * np.pi, 16, endpoint=False)
EXTRA_RINGS = 3  # rings searched past the first free spot for one that hides no point


def place_labels(points, sizes, frame, *, gap=3.0, padding: float = 1.0, marker_radius: float = 3.0) -> np.ndarray:
    """Lower-left corners (n, 2) of labels of sizes (n, 2) (width, height) for points (n, 2), inside frame
    (x0, y0, x1, y1); a row of NaN for a label that found no free spot. Boxes keep padding apart (and from the
    frame); gap (a number, or one per label) is the room left between a point and its label."""
    points = np.asarray(points, dtype=np.float64)  # (n, 2)
    sizes = np.asarray(sizes, dtype=np.float64)  # (n, 2)
    gaps = np.broadcast_to(np.asarray(gap, dtype=np.float64), (len(points),))  # (n,)
    corners = np.full_like(points, np.nan)  # (n, 2)
    placed = np.zeros((0, 4))  # (m, 4) boxes x0, y0, x1, y1 of the labels placed so far
    links = np.zeros((0, 4))  # (m, 4) segments from those labels' points to their boxes
    step = max(float(np.median(sizes[:, 1])) if len(sizes) else 1.0, 1.0)
    max_radius = np.hypot(frame[2] - frame[0], frame[3] - frame[1])
    for i in range(len(points)):
        taken = Taken(placed, links, np.delete(points, i, axis=0))
        corner = _free_spot(points[i], sizes[i], taken, frame, gaps[i], padding, marker_radius, step, max_radius)
        if corner is not None:
            corners[i] = corner
            placed = np.vstack([placed, _boxes(corner[None], sizes[i])])
            links = np.vstack([links, np.hstack([points[i], np.clip(points[i], corner, corner + sizes[i])])])
    return corners


@dataclass(frozen=True)
class Taken:
    """What a new label must keep off: placed label boxes (hard), their links and the other points (soft)."""

    boxes: np.ndarray  # (m, 4)
    links: np.ndarray  # (m, 4) segments x0, y0, x1, y1
    points: np.ndarray  # (p, 2)


def _free_spot(point, size, taken: Taken, frame, gap, padding, marker_radius, step, max_radius):
    """The nearest free lower-left corner for one label, or None. Free: inside the frame and off every placed
    label; among free spots, one that hides no point and crosses no link (its own link included) is preferred
    up to EXTRA_RINGS rings further out."""
    fallback, rings_left = None, None
    radius, ring = gap, 0
    while radius <= max_radius and rings_left != 0:
        directions = FIRST_DIRECTIONS if ring == 0 else RING_DIRECTIONS
        corners = _corners_around(point, size, radius, directions)  # (c, 2)
        boxes = _boxes(corners, size)  # (c, 4)
        free = _inside(boxes, frame, padding) & ~_overlaps_any(boxes, taken.boxes, padding)  # (c,)
        own_links = np.hstack([np.broadcast_to(point, corners.shape), np.clip(point, corners, corners + size)])
        clutter = (_points_hidden(boxes, taken.points, marker_radius)
                   + _crossings(own_links, taken.boxes).sum(axis=1)
                   + _crossings(taken.links, boxes).sum(axis=0))  # (c,)
        clear = free & (clutter == 0)
        if clear.any():
            return corners[np.argmax(clear)]
        if free.any() and fallback is None:
            fallback = corners[np.flatnonzero(free)[np.argmin(clutter[free])]]
            rings_left = EXTRA_RINGS
        if rings_left is not None:
            rings_left -= 1
        ring += 1
        radius = gap + ring * step
    return fallback


def _crossings(segments, boxes) -> np.ndarray:
    """(s, b) whether each segment (x0, y0, x1, y1) passes through the inside of each box (Liang-Barsky)."""
    if not len(segments) or not len(boxes):
        return np.zeros((len(segments), len(boxes)), dtype=bool)
    start, delta = segments[:, None, :2], segments[:, None, 2:] - segments[:, None, :2]  # (s, 1, 2) each
    low, high = boxes[None, :, :2], boxes[None, :, 2:]  # (1, b, 2) each
    with np.errstate(divide="ignore", invalid="ignore"):
        enter, leave = (low - start) / delta, (high - start) / delta  # (s, b, 2)
    first, last = np.minimum(enter, leave), np.maximum(enter, leave)  # (s, b, 2)
    parallel = delta == 0  # (s, 1, 2): the segment runs along this axis; inside the slab or never
    within = (start > low) & (start < high)  # (s, b, 2)
    first = np.where(parallel, np.where(within, -np.inf, np.inf), first)
    last = np.where(parallel, np.where(within, np.inf, -np.inf), last)
    return np.maximum(first.max(axis=2), 0.0) < np.minimum(last.min(axis=2), 1.0)  # (s, b)


def _corners_around(point, size, radius, directions) -> np.ndarray:
    """Lower-left corners of boxes of size whose near edge lies radius away from point in each direction."""
    cos, sin = np.cos(directions), np.sin(directions)  # (c,)
    center_x = point[0] + cos * (radius + size[0] / 2)  # (c,)
    center_y = point[1] + sin * (radius + size[1] / 2)  # (c,)
    return np.stack([center_x - size[0] / 2, center_y - size[1] / 2], axis=1)  # (c, 2)


def _boxes(corners, size) -> np.ndarray:
    """(c, 2) lower-left corners and one (2,) size -> (c, 4) boxes x0, y0, x1, y1."""
    return np.hstack([corners, corners + size])


def _inside(boxes, frame, padding) -> np.ndarray:
    x0, y0, x1, y1 = frame
    return ((boxes[:, 0] >= x0 + padding) & (boxes[:, 1] >= y0 + padding)
            & (boxes[:, 2] <= x1 - padding) & (boxes[:, 3] <= y1 - padding))


def _overlaps_any(boxes, placed, padding) -> np.ndarray:
    """(c,) whether each box comes within padding of any placed box."""
    if not len(placed):
        return np.zeros(len(boxes), dtype=bool)
    apart_x = (boxes[:, None, 0] >= placed[None, :, 2] + padding) | (placed[None, :, 0] >= boxes[:, None, 2] + padding)
    apart_y = (boxes[:, None, 1] >= placed[None, :, 3] + padding) | (placed[None, :, 1] >= boxes[:, None, 3] + padding)
    return (~(apart_x | apart_y)).any(axis=1)  # (c, m) -> (c,)


def _points_hidden(boxes, points, radius) -> np.ndarray:
    """(c,) how many points' markers (squares of half-side radius) each box touches."""
    if not len(points):
        return np.zeros(len(boxes), dtype=int)
    touch_x = (points[None, :, 0] + radius > boxes[:, None, 0]) & (points[None, :, 0] - radius < boxes[:, None, 2])
    touch_y = (points[None, :, 1] + radius > boxes[:, None, 1]) & (points[None, :, 1] - radius < boxes[:, None, 3])
    return (touch_x & touch_y).sum(axis=1)


def boxes_overlap(first, second) -> bool:
    """Whether two boxes (x0, y0, x1, y1) share any area."""
    return bool(first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3])


def leader_ends(points, corners, sizes, *, beyond: float) -> list[tuple[int, tuple[float, float]]]:
    """For each label whose box lies more than beyond from its point: (index, the box's nearest point to it)."""
    leaders = []
    for i, (point, corner, size) in enumerate(zip(points, corners, sizes)):
        if np.isnan(corner).any():
            continue
        nearest = np.clip(point, corner, corner + size)  # (2,)
        if np.hypot(*(nearest - point)) > beyond:
            leaders.append((i, (float(nearest[0]), float(nearest[1]))))
    return leaders
