"""Schemathesis hooks for the registry's fuzz run (tests/test_fuzz.py): values for the
registry's own scalars, and the one check that matters — no request, however malformed,
makes the server fail (HTTP 5xx other than 503, or an error without a code, or
INTERNAL_SERVER_ERROR)."""

from __future__ import annotations

from typing import Any

import graphql
import schemathesis
from hypothesis import strategies as st

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
POSITIONS = st.tuples(st.floats(-200, 200), st.floats(-100, 100)).map(list)
GEOMETRIES = st.one_of(
    st.builds(lambda p: {"type": "Point", "coordinates": p}, POSITIONS),
    st.builds(
        lambda ps: {"type": "LineString", "coordinates": ps}, st.lists(POSITIONS, max_size=5)
    ),
    st.builds(lambda ps: {"type": "Polygon", "coordinates": [ps]}, st.lists(POSITIONS, max_size=6)),
    st.builds(lambda lon, lat: {"lon": lon, "lat": lat}, st.floats(), st.floats()),
    JSON_VALUES,
)


def value_node(value: Any) -> graphql.ValueNode:
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(value_node(v) for v in value))
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=graphql.NameNode(value=str(k)), value=value_node(v))
            for k, v in value.items()
            if str(k).isidentifier() and str(k).isascii()
        )
    )


schemathesis.graphql.scalar("JSON", JSON_VALUES.map(value_node))
schemathesis.graphql.scalar("GeoJSON", GEOMETRIES.map(value_node))
schemathesis.graphql.scalar(
    "DateTime", st.datetimes().map(lambda d: graphql.StringValueNode(value=d.isoformat()))
)
schemathesis.graphql.scalar(
    "Date", st.dates().map(lambda d: graphql.StringValueNode(value=d.isoformat()))
)
# A file is sent as a multipart request; written in a document, any value is a bad one.
schemathesis.graphql.scalar(
    "Upload", st.text(max_size=20).map(lambda t: graphql.StringValueNode(value=t))
)


@schemathesis.check
def registry_never_fails(ctx: Any, response: Any, case: Any) -> None:
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not JSON: {response.text[:200]}") from None
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code in (None, "INTERNAL_SERVER_ERROR"):
            raise AssertionError(f"{code}: {error.get('message')}")
