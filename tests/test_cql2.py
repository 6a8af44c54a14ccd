"""CQL2 text as OGC API clients write it: parsed into the tree, or refused naming filter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import cql2
from domain.errors import BadUserInput


def test_precedence_and_operators() -> None:
    tree = cql2.parse(
        "name LIKE '%村' AND (population > 1000 OR level IN ('county', 'township'))"
        " AND NOT beds IS NULL"
    )
    assert tree == cql2.Logical(
        "AND",
        (
            cql2.Like(cql2.Property("name"), cql2.Literal("%村"), negated=False),
            cql2.Logical(
                "OR",
                (
                    cql2.Comparison(">", cql2.Property("population"), cql2.Literal(Decimal(1000))),
                    cql2.In(
                        cql2.Property("level"),
                        (cql2.Literal("county"), cql2.Literal("township")),
                        negated=False,
                    ),
                ),
            ),
            cql2.Not(cql2.IsNull(cql2.Property("beds"), negated=False)),
        ),
    )
    assert cql2.properties_of(tree) == {"name", "population", "level", "beds"}


def test_literals_quotes_and_keywords_in_any_case() -> None:
    assert cql2.parse("\"name\" = 'O''Brien'") == cql2.Comparison(
        "=", cql2.Property("name"), cql2.Literal("O'Brien")
    )
    assert cql2.parse("red = true and beds between -1.5 and 2e3") == cql2.Logical(
        "AND",
        (
            cql2.Comparison("=", cql2.Property("red"), cql2.Literal(True)),
            cql2.Between(
                cql2.Property("beds"),
                cql2.Literal(Decimal("-1.5")),
                cql2.Literal(Decimal("2e3")),
                negated=False,
            ),
        ),
    )
    assert cql2.parse("kind NOT IN ('a')") == cql2.In(
        cql2.Property("kind"), (cql2.Literal("a"),), negated=True
    )


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("", "empty"),
        ("name =", "ends too early"),
        ("name = 'a' beds", "unexpected 'beds' at character 12"),
        ("name ~ 'a'", "cannot read"),
        ("'open", "cannot read"),
        ("S_INTERSECTS(geom, POINT(1 2))", "spatial or temporal"),
        ("name 'a'", "not a comparison"),
        ("(name = 'a'", "expected )"),
        ("name NOT = 'a'", "LIKE, BETWEEN or IN"),
        ("(" * 40 + "a = 1" + ")" * 40, "nested more than"),
        ("a = '" + "x" * 5000 + "'", "longer than"),
    ],
)
def test_bad_filters_are_refused_naming_filter(source: str, says: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        cql2.parse(source)
    assert raised.value.field == "filter"
    assert says in raised.value.text.en
