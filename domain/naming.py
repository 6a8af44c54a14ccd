"""Place-name rules: splitting names into specific and generic parts, Hanyu Pinyin after GB/T 16159.

GB/T 16159 writes the specific part (专名) and the generic part (通名) of a place name
separately, each capitalised (幸福路 → Xingfu Lu, 威海市 → Weihai Shi), but writes natural
settlement names in one word (王家庄 → Wangjiazhuang).  A syllable that starts with a, o or e
after another syllable is set off by an apostrophe (西安 → Xi'an).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from pypinyin import Style, lazy_pinyin

from domain.errors import BadUserInput, Text

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
# Generics of two or three characters come first in meaning: 开发区 is one generic word
# (Kaifaqu), not 开发 + 区.
ZONE_GENERICS = ("经济开发区", "开发区", "管理区", "度假区", "新区", "保税区", "高新区")
ADMIN_GENERICS = ("街道", "办事处", *ZONE_GENERICS, "市", "区", "县", "镇", "乡")
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


# Names of areas inside a longer name (环翠区初村镇大学城): each is a name of its own, its
# specific and generic parts written apart.
_EMBEDDED_AREA = re.compile(
    rf"(.{{2,}}?)({'|'.join(sorted(ADMIN_GENERICS, key=len, reverse=True))})"
)
# A specific part this short is one word (GB/T 16159: 环翠楼, 孙家疃, 乳山口); a longer one
# is written word by word (威海经济技术 → Weihai Jingji Jishu).
ONE_WORD_MAX = 3


def _segment(text: str) -> list[str]:
    """The words of ``text`` (jieba's dictionary, without guessing unknown words), with
    single characters written together with the word they qualify (GB/T 16159 6.3: a
    monosyllabic modifier is joined to its neighbour)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    words: list[str] = []
    single = ""
    for token in jieba.lcut(text, HMM=False):
        if len(token) == 1:
            single += token
            continue
        words.append(single + token)
        single = ""
    if single:
        if words and len(single) == 1:
            words[-1] += single
        else:
            words.append(single)
    return words


def _boundaries(text: str) -> set[int]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    ends, at = set(), 0
    for token in jieba.lcut(text, HMM=False):
        at += len(token)
        ends.add(at)
    return ends


def name_words(text: str, *, segment: bool = True) -> list[str]:
    """The words a name's text is written in: the names of areas it begins with (X区, X镇,
    …) split into their specific and generic parts where the dictionary also ends a word
    there, then the rest: one word when short (or when ``segment`` is off, as settlement
    names are written), else word by word."""
    if len(text) <= ONE_WORD_MAX or not has_chinese(text):
        return [text]
    words: list[str] = []
    boundaries = _boundaries(text)
    start = 0
    for match in _EMBEDDED_AREA.finditer(text):
        # The whole text as one area name is the caller's to split (开发区 is a word).
        whole = match.start() == 0 and match.end() == len(text)
        if match.start() != start or whole or match.end() not in boundaries:
            break
        words += [*_words_of_run(match.group(1), segment), match.group(2)]
        start = match.end()
    rest = text[start:]
    if rest:
        words += _words_of_run(rest, segment)
    return words


def _words_of_run(text: str, segment: bool) -> list[str]:
    return [text] if len(text) <= ONE_WORD_MAX or not segment else _segment(text)


def _romanize_words(text: str, *, segment: bool = True) -> str:
    match = _BRACKETED.search(text)
    if match:  # the bracketed qualifier and what surrounds it, each written as words
        before, inner, after = text[: match.start()], match.group(1), text[match.end() :]
        parts = [
            _romanize_words(before, segment=segment) if before else "",
            f"({_romanize_words(inner, segment=segment)})" if inner else "",
            _romanize_words(after, segment=segment) if after else "",
        ]
        return " ".join(p for p in parts if p)
    return " ".join(romanize(word) for word in name_words(text, segment=segment))


def place_name_pinyin(specific: str, generic: str, joined: bool = False) -> str:
    """Romanisation of a name from its parts after GB/T 16159 and the rules for spelling
    Chinese place names: specific and generic apart, a long specific word by word, area
    names inside a name written as names (环翠区初村镇大学城 → Huancui Qu Chucun Zhen
    Daxuecheng); ``joined`` for settlement names, one word but for the area names they
    begin with."""
    if joined or not generic:
        return _romanize_words(specific + generic, segment=not joined)
    return f"{_romanize_words(specific)} {romanize(generic)}"


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
        raise BadUserInput(Text(f"{field}: 不能为空", f"{field} must not be empty"), field)
    if len(name) > MAX_NAME_LENGTH:
        raise BadUserInput(
            Text(
                f"{field}: 不得超过 {MAX_NAME_LENGTH} 个字",
                f"{field} is longer than {MAX_NAME_LENGTH} characters",
            ),
            field,
        )
    if not has_chinese(name):
        raise BadUserInput(
            Text(f"{field}: 须用汉字书写", f"{field} must be written in Chinese characters"), field
        )
    for word in disallowed:
        if word in name:
            raise BadUserInput(
                Text(
                    f"{field}: 含有禁用字词 {word!r}",
                    f"{field} contains the disallowed word {word!r}",
                ),
                field,
            )
    known = KNOWN_GENERICS.get(category, ())
    if name in known:
        raise BadUserInput(
            Text(
                f"{field}: 「{name}」前须有专名", f"{field} needs a specific part before {name!r}"
            ),
            field,
        )
    specific, generic = split_name(name, known)
    required = REQUIRED_GENERICS.get(category)
    if required and not generic:
        raise BadUserInput(
            Text(
                f"{field}: 此类地名须以通名结尾（{'、'.join(required)}）",
                f"{field}: a name of this kind ends with a generic part ({'、'.join(required)})",
            ),
            field,
        )
    if not specific:
        raise BadUserInput(
            Text(
                f"{field}: 「{generic}」前须有专名",
                f"{field} needs a specific part before {generic!r}",
            ),
            field,
        )
    return specific, generic


# --- names that may be confused ---------------------------------------------------------

# Warnings about a name: allowed, but only when the editor acknowledges them.
HOMOPHONE = "homophone"  # the same toneless pinyin as another name in the jurisdiction
ONE_CHARACTER_OFF = "one_character_off"  # as long as another, one character different
SAME_NAME_NEARBY = "same_name_nearby"  # a record of the same kind and name close by
WARNING_CODES = (HOMOPHONE, ONE_CHARACTER_OFF, SAME_NAME_NEARBY)


def toneless_pinyin(name: str) -> str:
    return search_keys(name)[0]


def one_character_off(name: str, other: str) -> bool:
    return len(name) == len(other) and sum(a != b for a, b in zip(name, other, strict=True)) == 1


def resemblances(name: str, other: str) -> list[str]:
    """How ``name`` may be confused with ``other``, a different name of its jurisdiction
    (both written in characters): read aloud, or read at a glance."""
    if name == other:
        return []
    found = []
    if has_chinese(name) and toneless_pinyin(name) == toneless_pinyin(other):
        found.append(HOMOPHONE)
    if one_character_off(name, other):
        found.append(ONE_CHARACTER_OFF)
    return found


# --- alternate names (after GeoNames' alternate names) ------------------------------------

ALTERNATE_KINDS = (
    "former",  # 曾用名
    "colloquial",  # 俗称
    "abbreviated",  # 简称
    "historic",  # 历史地名
    "minority_language",  # 少数民族语地名
    "foreign_exonym",  # 外语译名
)
MAX_ALTERNATE_NAMES = 50
# BCP 47, as far as place names need it: language, script, region (zh, zh-Hant, en, mn-Mong).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?")


def check_alternate_names(
    items: list[dict[str, Any]], field: str = "alternateNames"
) -> list[dict[str, Any]]:
    """Alternate names as stored (dates as ISO text), or BadUserInput naming the item and
    its field: a name, a known kind, a language tag, a period that ends after it starts, one
    preferred name a language, no name twice."""
    if len(items) > MAX_ALTERNATE_NAMES:
        raise BadUserInput(
            Text(
                f"{field}: 至多 {MAX_ALTERNATE_NAMES} 个", f"{field}: at most {MAX_ALTERNATE_NAMES}"
            ),
            field,
        )
    stored: list[dict[str, Any]] = []
    preferred: set[str] = set()
    seen: set[tuple[str, str, str]] = set()
    for n, item in enumerate(items):
        at = f"{field}[{n}]"
        name = str(item.get("name") or "").strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise BadUserInput(
                Text(
                    f"{at}.name: 须为 1 至 {MAX_NAME_LENGTH} 个字符",
                    f"{at}.name must have 1 to {MAX_NAME_LENGTH} characters",
                ),
                f"{at}.name",
            )
        kind = item.get("kind")
        if kind not in ALTERNATE_KINDS:
            raise BadUserInput(
                Text(f"{at}.kind: 未知的别名类型 {kind!r}", f"{at}.kind: unknown kind {kind!r}"),
                f"{at}.kind",
            )
        language = str(item.get("language") or "zh").strip()
        if not _LANGUAGE_TAG.fullmatch(language):
            raise BadUserInput(
                Text(
                    f"{at}.language: {language!r} 不是语言标签（如 zh、zh-Hant、en、mn-Mong）",
                    f"{at}.language: {language!r} is not a language tag (zh, zh-Hant, en, mn-Mong)",
                ),
                f"{at}.language",
            )
        valid_from, valid_to = _day(item.get("valid_from")), _day(item.get("valid_to"))
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            raise BadUserInput(
                Text(f"{at}.validTo: 早于 validFrom", f"{at}.validTo is before validFrom"),
                f"{at}.validTo",
            )
        if item.get("preferred"):
            if language in preferred:
                raise BadUserInput(
                    Text(
                        f"{at}.preferred: 每种语言只能有一个首选名",
                        f"{at}.preferred: one preferred name a language ({language})",
                    ),
                    f"{at}.preferred",
                )
            preferred.add(language)
        key = (name, kind, language)
        if key in seen:
            raise BadUserInput(Text(f"{at}: 「{name}」重复", f"{at}: {name} is listed twice"), at)
        seen.add(key)
        stored.append(
            {
                "name": name,
                "kind": kind,
                "language": language,
                "preferred": bool(item.get("preferred")),
                "valid_from": valid_from.isoformat() if valid_from is not None else None,
                "valid_to": valid_to.isoformat() if valid_to is not None else None,
            }
        )
    return stored


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def with_former_names(alternates: list[dict[str, Any]], former: list[str]) -> list[dict[str, Any]]:
    """``alternates`` with its former names made ``former`` (as the plain list of names
    formerNames gives): those kept keep their dates, new ones have none."""
    kept = {a["name"]: a for a in alternates if a.get("kind") == "former"}
    others = [a for a in alternates if a.get("kind") != "former"]
    return others + [
        kept.get(name) or {"name": name, "kind": "former", "language": "zh"} for name in former
    ]


def name_on(standard_name: str, alternates: list[dict[str, Any]], on: str) -> str:
    """What a place was called on the day ``on`` (ISO): a former or historic name valid
    then (the preferred one first), else its standard name."""
    valid = [
        a
        for a in alternates
        if a["kind"] in ("former", "historic")
        and (a.get("valid_from") is None or a["valid_from"] <= on)
        and (a.get("valid_to") is not None and on < a["valid_to"])
    ]
    valid.sort(key=lambda a: (not a.get("preferred"), a.get("valid_from") or ""))
    return str(valid[0]["name"]) if valid else standard_name
