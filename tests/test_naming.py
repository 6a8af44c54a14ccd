"""Place-name rules: parts of a name and Hanyu Pinyin after GB/T 16159."""

from __future__ import annotations

import pytest

from domain.naming import (
    ADMIN_GENERICS,
    ROAD_GENERICS,
    SETTLEMENT_GENERICS,
    place_name_pinyin,
    romanize,
    settlement_name,
    split_name,
)


@pytest.mark.parametrize(
    ("name", "generics", "parts"),
    [
        ("幸福路", ROAD_GENERICS, ("幸福", "路")),
        ("威海市", ADMIN_GENERICS, ("威海", "市")),
        ("环翠楼街道", ADMIN_GENERICS, ("环翠楼", "街道")),
        ("布谷夼", SETTLEMENT_GENERICS, ("布谷", "夼")),
        ("青岛", ("市",), ("青岛", "")),
    ],
)
def test_split_name(name: str, generics: tuple[str, ...], parts: tuple[str, str]) -> None:
    assert split_name(name, generics) == parts


@pytest.mark.parametrize(
    ("specific", "generic", "joined", "pinyin"),
    [
        ("幸福", "路", False, "Xingfu Lu"),
        ("威海", "市", False, "Weihai Shi"),
        ("文登", "区", False, "Wendeng Qu"),
        ("王家", "庄", True, "Wangjiazhuang"),
        ("长青", "街", False, "Changqing Jie"),
    ],
)
def test_place_name_pinyin(specific: str, generic: str, joined: bool, pinyin: str) -> None:
    assert place_name_pinyin(specific, generic, joined) == pinyin


def test_syllables_starting_with_a_vowel_take_an_apostrophe() -> None:
    assert romanize("西安") == "Xi'an"
    assert romanize("天峨") == "Tian'e"


def test_u_umlaut_is_kept() -> None:
    assert romanize("绿") == "Lü"


@pytest.mark.parametrize(
    ("committee", "settlement"),
    [
        ("东北村居委会", "东北村"),
        ("多福巷社区居委会", "多福巷"),
        ("后寨村委会", "后寨"),
        ("城里", "城里"),
    ],
)
def test_settlement_name(committee: str, settlement: str) -> None:
    assert settlement_name(committee) == settlement


def test_a_bracketed_qualifier_is_written_apart() -> None:
    assert romanize("哈工大（威海）分校") == "Hagongda (Weihai) Fenxiao"
    assert romanize("山大(威海)") == "Shanda (Weihai)"
