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


# The 73 townships of Weihai (data/weihai-townships.csv), as the spelling rules write them:
# the specific part one word, the generic part apart.
TOWNSHIPS = [
    ("环翠楼街道", "Huancuilou Jiedao"),
    ("鲸园街道", "Jingyuan Jiedao"),
    ("竹岛街道", "Zhudao Jiedao"),
    ("孙家疃街道", "Sunjiatuan Jiedao"),
    ("嵩山街道", "Songshan Jiedao"),
    ("张村镇", "Zhangcun Zhen"),
    ("羊亭镇", "Yangting Zhen"),
    ("温泉镇", "Wenquan Zhen"),
    ("桥头镇", "Qiaotou Zhen"),
    ("龙山路街道", "Longshanlu Jiedao"),
    ("天福路街道", "Tianfulu Jiedao"),
    ("环山路街道", "Huanshanlu Jiedao"),
    ("文登营镇", "Wendengying Zhen"),
    ("大水泊镇", "Dashuipo Zhen"),
    ("张家产镇", "Zhangjiachan Zhen"),
    ("高村镇", "Gaocun Zhen"),
    ("泽库镇", "Zeku Zhen"),
    ("侯家镇", "Houjia Zhen"),
    ("宋村镇", "Songcun Zhen"),
    ("泽头镇", "Zetou Zhen"),
    ("小观镇", "Xiaoguan Zhen"),
    ("葛家镇", "Gejia Zhen"),
    ("米山镇", "Mishan Zhen"),
    ("界石镇", "Jieshi Zhen"),
    ("开发区办事处", "Kaifaqu Banshichu"),
    ("怡园街道", "Yiyuan Jiedao"),
    ("田和街道", "Tianhe Jiedao"),
    ("初村镇", "Chucun Zhen"),
    ("皇冠街道", "Huangguan Jiedao"),
    ("凤林街道", "Fenglin Jiedao"),
    ("西苑街道", "Xiyuan Jiedao"),
    ("崮山镇", "Gushan Zhen"),
    ("泊于镇", "Poyu Zhen"),
    ("草庙子镇", "Caomiaozi Zhen"),
    ("汪疃镇", "Wangtuan Zhen"),
    ("苘山镇", "Qingshan Zhen"),
    ("宁津街道", "Ningjin Jiedao"),
    ("港湾街道", "Gangwan Jiedao"),
    ("桃园街道", "Taoyuan Jiedao"),
    ("王连街道", "Wanglian Jiedao"),
    ("东山街道", "Dongshan Jiedao"),
    ("斥山街道", "Chishan Jiedao"),
    ("崖头街道", "Yatou Jiedao"),
    ("城西街道", "Chengxi Jiedao"),
    ("寻山街道", "Xunshan Jiedao"),
    ("崂山街道", "Laoshan Jiedao"),
    ("俚岛镇", "Lidao Zhen"),
    ("成山镇", "Chengshan Zhen"),
    ("埠柳镇", "Buliu Zhen"),
    ("港西镇", "Gangxi Zhen"),
    ("夏庄镇", "Xiazhuang Zhen"),
    ("崖西镇", "Yaxi Zhen"),
    ("荫子镇", "Yinzi Zhen"),
    ("滕家镇", "Tengjia Zhen"),
    ("大疃镇", "Datuan Zhen"),
    ("上庄镇", "Shangzhuang Zhen"),
    ("虎山镇", "Hushan Zhen"),
    ("人和镇", "Renhe Zhen"),
    ("城区街道", "Chengqu Jiedao"),
    ("夏村镇", "Xiacun Zhen"),
    ("乳山口镇", "Rushankou Zhen"),
    ("海阳所镇", "Haiyangsuo Zhen"),
    ("白沙滩镇", "Baishatan Zhen"),
    ("大孤山镇", "Dagushan Zhen"),
    ("南黄镇", "Nanhuang Zhen"),
    ("冯家镇", "Fengjia Zhen"),
    ("下初镇", "Xiachu Zhen"),
    ("午极镇", "Wuji Zhen"),
    ("育黎镇", "Yuli Zhen"),
    ("崖子镇", "Yazi Zhen"),
    ("诸往镇", "Zhuwang Zhen"),
    ("乳山寨镇", "Rushanzhai Zhen"),
    ("徐家镇", "Xujia Zhen"),
]


def test_every_township_of_weihai_is_spelt_as_the_rules_write_it() -> None:
    import csv
    from pathlib import Path

    with (Path(__file__).parents[1] / "data" / "weihai-townships.csv").open(encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f)]
    assert sorted(names) == sorted(name for name, _ in TOWNSHIPS)
    for name, pinyin in TOWNSHIPS:
        assert place_name_pinyin(*split_name(name, ADMIN_GENERICS)) == pinyin, name


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        # Generics of several characters are one word; a long specific part, word by word.
        ("威海经济技术开发区", "Weihai Jingji Jishu Kaifaqu"),
        ("威海火炬高技术产业开发区", "Weihai Huoju Gaojishu Chanye Kaifaqu"),
        ("威海临港经济技术开发区", "Weihai Lingang Jingji Jishu Kaifaqu"),
        ("环翠区", "Huancui Qu"),
        ("荣成市", "Rongcheng Shi"),
        # A monosyllabic modifier is joined to the word it qualifies (高技术 → Gaojishu).
        # Short specific parts stay one word, even where a dictionary would cut them.
        ("龙山路街道", "Longshanlu Jiedao"),
        ("开发区办事处", "Kaifaqu Banshichu"),
    ],
)
def test_administrative_names(name: str, pinyin: str) -> None:
    assert place_name_pinyin(*split_name(name, ADMIN_GENERICS)) == pinyin


@pytest.mark.parametrize(
    ("specific", "generic", "joined", "pinyin"),
    [
        # Area names a name begins with are written as names.
        ("环翠区初村镇大学城", "", False, "Huancui Qu Chucun Zhen Daxuecheng"),
        ("环翠区初村镇大学", "城", True, "Huancui Qu Chucun Zhen Daxuecheng"),
        ("威海市环翠区人民", "政府", False, "Weihai Shi Huancui Qu Renmin Zhengfu"),
        ("文登区高村镇", "", False, "Wendeng Qu Gaocun Zhen"),
        # ... only where a word ends there: 市 in 海港市场 is not the generic 市.
        ("海港市场", "", False, "Haigang Shichang"),
        ("刘公岛国家森林", "公园", False, "Liugongdao Guojia Senlin Gongyuan"),
        ("乳山银滩旅游", "度假区", False, "Rushan Yintan Lüyou Dujiaqu"),
        # Settlement names stay one word, however long.
        ("大西庄头", "村", True, "Daxizhuangtoucun"),
        ("哈工大（威海）", "分校", False, "Hagongda (Weihai) Fenxiao"),
        ("西安", "路", False, "Xi'an Lu"),
    ],
)
def test_hard_cases(specific: str, generic: str, joined: bool, pinyin: str) -> None:
    assert place_name_pinyin(specific, generic, joined) == pinyin
