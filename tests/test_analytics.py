"""2SFCA and greedy site choice on examples small enough to check by hand."""

from __future__ import annotations

import pytest

from domain.analytics import Decay, greedy_sites, two_step_fca, weighted_rollup


def test_two_step_fca_on_three_villages() -> None:
    """Villages A (100 elderly), B (300), C (50); service X (20 beds) reaches A and B,
    service Y (10 beds) reaches B and C.
    Step 1: R_X = 20 / (100 + 300) = 0.05;  R_Y = 10 / (300 + 50) = 1/35.
    Step 2: A = 0.05;  B = 0.05 + 1/35;  C = 1/35."""
    pairs = [
        ("A", 1, 20, 100, 1.0),
        ("B", 1, 20, 300, 1.0),
        ("B", 2, 10, 300, 1.0),
        ("C", 2, 10, 50, 1.0),
    ]
    scores = two_step_fca(pairs, ["A", "B", "C", "D"])
    assert scores["A"] == pytest.approx(0.05)
    assert scores["B"] == pytest.approx(0.05 + 1 / 35)
    assert scores["C"] == pytest.approx(1 / 35)
    assert scores["D"] == 0.0


def test_supply_is_shared_out_completely() -> None:
    """Each service's supply is handed out in full to the demand within its reach."""
    pairs = [
        ("A", 1, 20, 100, 1.0),
        ("B", 1, 20, 300, 1.0),
        ("B", 2, 10, 300, 1.0),
        ("C", 2, 10, 50, 1.0),
    ]
    scores = two_step_fca(pairs, ["A", "B", "C"])
    demand = {"A": 100, "B": 300, "C": 50}
    assert sum(scores[v] * demand[v] for v in demand) == pytest.approx(30)


def test_greedy_picks_the_biggest_gain_first_and_never_counts_twice() -> None:
    elderly = {"a": 100, "b": 80, "c": 70, "d": 10}
    reach = [("s1", "a"), ("s1", "d"), ("s2", "b"), ("s2", "c"), ("s3", "a"), ("s3", "b")]
    chosen = greedy_sites(reach, elderly, 3)
    # s3 (180) first; then s2 adds only c (70); then s1 adds only d (10).
    assert chosen == [("s3", 180, 2), ("s2", 70, 1), ("s1", 10, 1)]


def test_greedy_stops_when_nothing_is_left_to_gain() -> None:
    assert greedy_sites([("s1", "a")], {"a": 5}, 3) == [("s1", 5, 1)]


def test_decay_discounts_far_pairs_in_both_steps() -> None:
    """X (30 meals) reaches A (100 elderly, weight 1) and B (100, weight 0.5).
    Step 1: R_X = 30 / (100 + 50) = 0.2.  Step 2: A = 0.2, B = 0.1."""
    scores = two_step_fca([("A", 1, 30, 100, 1.0), ("B", 1, 30, 100, 0.5)], ["A", "B"])
    assert scores == {"A": pytest.approx(0.2), "B": pytest.approx(0.1)}


def test_gaussian_decay_falls_from_one_at_the_door_to_zero_at_the_bandwidth() -> None:
    decay = Decay("gaussian", bandwidth_m=1000)
    assert decay.weight(0, 2000) == pytest.approx(1.0)
    assert decay.weight(1000, 2000) == pytest.approx(0.0)
    assert decay.weight(1500, 2000) == 0.0
    weights = [decay.weight(d, 2000) for d in range(0, 1001, 100)]
    assert weights == sorted(weights, reverse=True)


def test_stepped_decay_cuts_the_catchment_into_equal_bands() -> None:
    decay = Decay("stepped", steps=(1.0, 0.68, 0.22))
    assert [decay.weight(d, 3000) for d in (0, 999, 1000, 2500, 3000)] == [
        1.0,
        1.0,
        0.68,
        0.22,
        0.22,
    ]


def test_rollup_weights_scores_by_elderly() -> None:
    rolled = weighted_rollup(
        {"a1": 1.0, "a2": 0.0, "b1": 0.5},
        {"a1": 10, "a2": 30, "b1": 5},
        lambda v: v[0],
        ["a", "b", "c"],
    )
    assert rolled == {"a": (0.25, 40), "b": (0.5, 5), "c": (0.0, 0.0)}
