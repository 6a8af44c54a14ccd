"""The SQL that writes JSON as the registry's encoder (orjson) writes it."""

from __future__ import annotations

import random

import orjson
from sqlalchemy import Connection, text

from db.queries.json_reads import JsonQuery, json_array, json_object, value


def _random_doubles(count: int) -> list[float]:
    rnd = random.Random(7)
    doubles = [
        0.0,
        1.0,
        -1.0,
        100.0,
        0.5,
        1e-5,
        1.5e-5,
        9.99e-6,
        2.5e-7,
        1e15,
        9.999e15,
        9999999999999998.0,
        1.0000000000000005e15,
        4816903383923651.0,
    ]
    doubles += [rnd.uniform(0, 1e5) for _ in range(count)]  # metres
    doubles += [10 ** rnd.uniform(-10, 15.99) * rnd.choice([1, -1]) for _ in range(count)]
    doubles += [float(rnd.randint(0, 10**7)) for _ in range(count // 5)]
    return doubles


def test_json_float_writes_floats_as_orjson_does(connection: Connection) -> None:
    doubles = _random_doubles(4000)
    written = (
        connection.execute(
            text(
                "SELECT json_float(v) FROM unnest(CAST(:v AS float8[])) WITH ORDINALITY u(v, i)"
                " ORDER BY i"
            ),
            {"v": doubles},
        )
        .scalars()
        .all()
    )
    differ = [
        (d, w) for d, w in zip(doubles, written, strict=True) if w != orjson.dumps(d).decode()
    ]
    assert not differ, differ[:5]
    assert connection.execute(text("SELECT json_float(NULL)")).scalar() == "null"


def test_strings_and_objects_are_written_as_orjson_writes_them(connection: Connection) -> None:
    """Escapes, non-ASCII text, nulls, booleans, arrays: the same bytes."""
    awkward = 'a"b\\c\n\t\x01\x1f\x7f/é威海\u2028'
    query = JsonQuery()
    sql = json_object(
        [
            ("s", value(f"CAST({query.bind(awkward)} AS text)")),
            ("n", value("NULL::text")),
            ("b", value("true")),
            ("i", value("42")),
            ("a", value("ARRAY['x', 'y']")),
            ("e", json_array(value("g"), "generate_series(1, 0) g", "g")),
            ("l", json_array(value("g"), "generate_series(1, 3) g", "g DESC")),
        ]
    )
    written = connection.execute(text(f"SELECT {sql}"), query.params).scalar()
    expected = {
        "s": awkward,
        "n": None,
        "b": True,
        "i": 42,
        "a": ["x", "y"],
        "e": [],
        "l": [3, 2, 1],
    }
    assert written == orjson.dumps(expected).decode()
