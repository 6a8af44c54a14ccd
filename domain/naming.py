"""Place-name rules: splitting names into specific and generic parts, Hanyu Pinyin after GB/T 16159.

GB/T 16159 writes the specific part (专名) and the generic part (通名) of a place name
separately, each capitalised (幸福路 → Xingfu Lu, 威海市 → Weihai Shi), but writes natural
settlement names in one word (王家庄 → Wangjiazhuang).  A syllable that starts with a, o or e
after another syllable is set off by an apostrophe (西安 → Xi'an).
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

from domain.errors import BadUserInput

# Longest first, so that 社区居委会 wins over 居委会.
COMMITTEE_SUFFIXES = (
    "社区居民委员会",
    "村民委员会",
    "社区居委会",
    "居民委员会",
    "村委会",
    "居委会",
)
SETTLEMENT_GENERICS = (
    "社区",
    "村",
    "庄",
    "疃",
    "夼",
    "屯",
    "寨",
    "泊",
    "岛",
    "家",
    "店",
    "集",
    "营",
)
ADMIN_GENERICS = ("街道", "办事处", "市", "区", "县", "镇", "乡")
ROAD_GENERICS = ("大街", "大道", "路", "街", "巷", "胡同", "道", "里")

MAX_NAME_LENGTH = 50
# The generic part a name of each category must end with (none listed: any, or none).
REQUIRED_GENERICS = {"road_street": ROAD_GENERICS, "administrative_area": ADMIN_GENERICS}
KNOWN_GENERICS = {**REQUIRED_GENERICS, "settlement": SETTLEMENT_GENERICS}


def split_name(name: str, generics: tuple[str, ...]) -> tuple[str, str]:
    """(specific, generic) of ``name``; the generic is the longest known suffix, or empty."""
    for generic in sorted(generics, key=len, reverse=True):
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)], generic
    return name, ""


def settlement_name(committee_name: str) -> str:
    """The settlement a village committee is named for: 东北村居委会 → 东北村."""
    for suffix in COMMITTEE_SUFFIXES:
        if committee_name.endswith(suffix) and len(committee_name) > len(suffix):
            return committee_name[: -len(suffix)]
    return committee_name


# A qualifier in brackets, as in 哈工大（威海）分校: written apart, in ASCII brackets.
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")


def romanize(text: str) -> str:
    """One word of Hanyu Pinyin without tone marks, capitalised, with syllable apostrophes;
    a bracketed qualifier is a word of its own: 哈工大（威海）分校 → Hagongda (Weihai) Fenxiao."""
    match = _BRACKETED.search(text)
    if match:
        before, inner, after = text[: match.start()], match.group(1), text[match.end() :]
        words = [romanize(before) if before else "", f"({romanize(inner)})" if inner else ""]
        return " ".join(w for w in (*words, romanize(after) if after else "") if w)
    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True) if s.strip()]
    word = ""
    for syllable in syllables:
        if word and syllable[:1] in ("a", "o", "e"):
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def place_name_pinyin(specific: str, generic: str, joined: bool = False) -> str:
    """Romanisation of a name from its parts; ``joined`` for settlements written in one word."""
    if joined or not generic:
        return romanize(specific + generic)
    return f"{romanize(specific)} {romanize(generic)}"


# --- name search ---------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def search_keys(name: str) -> tuple[str, str]:
    """(pinyin run together, initials) of a name: 威海市 → ("weihaishi", "whs").

    ü is written v, as on Chinese keyboards; characters that are not Chinese keep their
    letters and digits."""
    syllables = [
        re.sub(r"[^0-9a-z]", "", s.lower())
        for s in lazy_pinyin(name, style=Style.NORMAL, v_to_u=False)
    ]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def normalize_pinyin_query(query: str) -> str:
    """What a person typed in pinyin, as search_keys writes it: tones (marks or digits),
    spaces, apostrophes and case do not matter, ü may be typed ü or v."""
    decomposed = unicodedata.normalize("NFD", query.lower()).replace("u\u0308", "v")
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", without_marks)


def check_place_name(
    name: str, category: str, disallowed: tuple[str, ...], field: str = "standardName"
) -> tuple[str, str]:
    """(specific, generic) of a new standard name, or BadUserInput saying what is wrong."""
    name = name.strip()
    if not name:
        raise BadUserInput(f"{field} must not be empty", field)
    if len(name) > MAX_NAME_LENGTH:
        raise BadUserInput(f"{field} is longer than {MAX_NAME_LENGTH} characters", field)
    if not has_chinese(name):
        raise BadUserInput(f"{field} must be written in Chinese characters", field)
    for word in disallowed:
        if word in name:
            raise BadUserInput(f"{field} contains the disallowed word {word!r}", field)
    known = KNOWN_GENERICS.get(category, ())
    if name in known:
        raise BadUserInput(f"{field} needs a specific part before {name!r}", field)
    specific, generic = split_name(name, known)
    required = REQUIRED_GENERICS.get(category)
    if required and not generic:
        raise BadUserInput(
            f"{field}: a name of this kind ends with a generic part ({'、'.join(required)})",
            field,
        )
    if not specific:
        raise BadUserInput(f"{field} needs a specific part before {generic!r}", field)
    return specific, generic
