"""Label placement (cli/labels.py): hand-computed spots, and for any points no two labels overlap and all stay in
the frame (hypothesis); a label with no room is reported, never drawn over another."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.cli.labels import boxes_overlap, leader_ends, place_labels

FRAME = (0.0, 0.0, 400.0, 300.0)


def boxes_of(corners, sizes):
    return np.hstack([corners, corners + sizes])


def test_a_lone_label_sits_right_of_its_point():
    corners = place_labels([[100, 100]], [[40, 10]], FRAME, gap=3, padding=1, marker_radius=2)
    np.testing.assert_allclose(corners, [[103, 95]])  # gap to the right, centered vertically


def test_a_label_at_the_right_edge_goes_left():
    corners = place_labels([[390, 100]], [[40, 10]], FRAME, gap=3, padding=1, marker_radius=2)
    np.testing.assert_allclose(corners, [[347, 95]])


def test_the_second_label_of_a_pair_moves_off_the_first():
    corners = place_labels([[100, 100], [104, 100]], [[40, 10], [40, 10]], FRAME, gap=3)
    first, second = boxes_of(corners, np.array([[40, 10], [40, 10]]))
    assert not boxes_overlap(first, second)


def test_a_label_too_big_for_the_frame_is_left_out():
    corners = place_labels([[10, 10], [20, 10]], [[30, 10], [500, 10]], (0, 0, 100, 50))
    assert not np.isnan(corners[0]).any() and np.isnan(corners[1]).all()


def test_a_full_frame_leaves_labels_out_rather_than_overlapping():
    points = np.full((30, 2), 50.0)
    sizes = np.full((30, 2), [40.0, 20.0])
    corners = place_labels(points, sizes, (0, 0, 100, 100))
    placed = ~np.isnan(corners[:, 0])
    assert 0 < placed.sum() < 30
    boxes = boxes_of(corners[placed], sizes[placed])
    assert not any(boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_labels_avoid_hiding_other_points_when_they_can():
    # a point sits where the first choice (right of the other point) would put the label
    corners = place_labels([[100, 100], [120, 100]], [[30, 10], [10, 10]], FRAME, gap=3, marker_radius=2)
    box = boxes_of(corners[:1], np.array([[30, 10]]))[0]
    assert not (box[0] <= 120 <= box[2] and box[1] <= 100 <= box[3])


def test_leaders_only_for_labels_that_moved_away():
    points = np.array([[100.0, 100.0], [200.0, 100.0]])
    corners = np.array([[103.0, 95.0], [260.0, 150.0]])
    ends = leader_ends(points, corners, np.array([[40.0, 10.0], [40.0, 10.0]]), beyond=5)
    assert ends == [(1, (260.0, 150.0))]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 400), st.floats(0, 300), st.floats(5, 60), st.floats(6, 14)),
                min_size=1, max_size=40))
def test_placed_labels_never_overlap_and_stay_inside(rows):
    data = np.array(rows)  # (n, 4) x, y, width, height
    corners = place_labels(data[:, :2], data[:, 2:], FRAME, padding=1)
    placed = ~np.isnan(corners[:, 0])
    boxes = boxes_of(corners[placed], data[placed, 2:])
    assert (boxes[:, 0] >= FRAME[0]).all() and (boxes[:, 1] >= FRAME[1]).all()
    assert (boxes[:, 2] <= FRAME[2]).all() and (boxes[:, 3] <= FRAME[3]).all()
    assert not any(boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    if len(rows) <= 10:
        assert placed.all()  # ten labels always find room in a 400 x 300 frame


@pytest.mark.parametrize("first, second, expected", [
    ((0, 0, 10, 10), (10, 0, 20, 10), False),  # touching edges share no area
    ((0, 0, 10, 10), (9, 9, 20, 20), True),
    ((0, 0, 10, 10), (2, 2, 3, 3), True),
])
def test_boxes_overlap(first, second, expected):
    assert boxes_overlap(first, second) is expected and boxes_overlap(second, first) is expected
