"""Statistical division codes (NBS): city 4 digits, county 6, township 9, village 12.

A code embeds the codes of the areas that hold it (3710 → 371002 → 371002001 →
371002001001), so the chain of areas and "held by" follow from the code alone.
"""

from __future__ import annotations

import re

from domain.errors import BadUserInput, Text

AREA_CODE = re.compile(r"\d{4}(\d{2}(\d{3}(\d{3})?)?)?")
CODE_LENGTHS = (4, 6, 9, 12)
COUNTY_DIGITS = 6
TOWNSHIP_DIGITS = 9
# What the area of a code of each length is called, in messages.
LEVEL_NAMES = {
    2: Text("省", "province"),
    4: Text("市", "city"),
    6: Text("县（市、区）", "county"),
    9: Text("乡镇（街道）", "township"),
    12: Text("村（社区）", "village"),
}
# Code length of the next level down: city 4 → county 6 → township 9 → village 12.
CHILD_CODE_LENGTH = {4: 6, 6: 9, 9: 12}


def check_area_code(code: str, field: str = "code") -> str:
    code = code.strip()
    if not AREA_CODE.fullmatch(code):
        raise BadUserInput(
            Text(
                f"{field}: 区划代码须为 4、6、9 或 12 位数字（如 3710、371002），收到 {code!r}",
                f"{field}: an area code has 4, 6, 9 or 12 digits (e.g. 3710, 371002), got {code!r}",
            ),
            field,
        )
    return code


def area_chain_codes(code: str) -> list[str]:
    """The codes from an area up to the city, smallest first."""
    return [code[:n] for n in reversed(CODE_LENGTHS) if len(code) >= n]
