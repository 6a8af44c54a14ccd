"""2SFCA and greedy site choice on examples small enough to check by hand."""

from __future__ import annotations

import pytest

from domain.analytics import greedy_sites, two_step_fca


def test_two_step_fca_on_three_villages() -> None:
    """Villages A (100 elderly), B (300), C (50); service X (20 beds) reaches A and B,
    service Y (10 beds) reaches B and C.
    Step 1: R_X = 20 / (100 + 300) = 0.05;  R_Y = 10 / (300 + 50) = 1/35.
    Step 2: A = 0.05;  B = 0.05 + 1/35;  C = 1/35."""
    pairs = [("A", 1, 20, 100), ("B", 1, 20, 300), ("B", 2, 10, 300), ("C", 2, 10, 50)]
    scores = two_step_fca(pairs, ["A", "B", "C", "D"])
    assert scores["A"] == pytest.approx(0.05)
    assert scores["B"] == pytest.approx(0.05 + 1 / 35)
    assert scores["C"] == pytest.approx(1 / 35)
    assert scores["D"] == 0.0


def test_supply_is_shared_out_completely() -> None:
    """Each service's supply is handed out in full to the demand within its reach."""
    pairs = [("A", 1, 20, 100), ("B", 1, 20, 300), ("B", 2, 10, 300), ("C", 2, 10, 50)]
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
