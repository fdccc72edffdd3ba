"""Knee rules on hand-computed curves."""

from __future__ import annotations

from scenarios.knees import find_knees


def test_concave_curve_knee_is_max_distance_to_chord():
    # normalised distances above the chord: x'=.25,.5,.75 ; y'=.6,.8,.9 → .35,.30,.15
    knees = find_knees([0, 1, 2, 3, 4], [0, 6, 8, 9, 10])
    assert knees.main == 1
    # slopes 6,2,1,1: drop after point 1 (2 < 3), not after 2 (1 < 1 is false)
    assert knees.drops == (1,)


def test_straight_or_flat_curve_has_no_knee():
    assert find_knees([0, 1, 2], [0, 1, 2]).main is None
    assert find_knees([0, 1, 2], [5, 5, 5]).main is None
    assert find_knees([0, 1], [0, 1]).main is None
