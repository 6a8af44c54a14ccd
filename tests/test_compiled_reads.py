"""The compiled read path against strawberry's: byte-identical answers, or a fallback.

The whole suite runs in "check" mode (tests/conftest.py): every GraphQL request over
HTTP is answered by strawberry, and, when the planner takes it, by the one compiled
statement too; the ``compiled_reads_agree`` fixture fails the test on any difference.
Here: queries chosen for what the planner must get right (aliases, fragments, inline
fragments on ``Service``, variables, ``@include``/``@skip``, cursors, nested areas), the
README's examples, random queries over the schema (hypothesis-graphql) as each role, the
queries that must fall back, and the answer as the "on" mode sends it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import parse, print_ast
from graphql.language import (
    FieldNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from app import create_app
from bench.lists import PAIRS, SEARCH_QUERY
from db.engine import Database, SharedConnectionDatabase, make_read_engine
from db.settings import QueryLimits, Settings
from endpoints.compiled_reads import CHECKED
from schema import build_schema
from tests.conftest import graphql, signed_in

ROOT = Path(__file__).resolve().parent.parent
# The root fields the planner takes (others always go to strawberry).
PLANNED_ROOTS = [
    "services",
    "placeNames",
    "villageRoads",
    "areas",
    "area",
    "nearestServices",
    "searchPlaceNames",
]


def compiled_count() -> int:
    return CHECKED["compiled"]


def ask(
    client: TestClient, query: str, variables: dict[str, Any] | None = None
) -> tuple[Any, bool]:
    """The response body, and whether the planner took the query (the suite's check mode
    has compared both answers by then)."""
    before = compiled_count()
    body = graphql(client, query, variables)
    return body, compiled_count() > before


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_the_published_set_is_planned(client: TestClient, pair: Any) -> None:
    body, planned = ask(client, pair.registry)
    assert planned
    assert "errors" not in body
    node: Any = body["data"]
    for key in pair.registry_path:
        node = node[key]
    assert node


def test_search_with_area_chains_is_planned(client: TestClient) -> None:
    body, planned = ask(client, SEARCH_QUERY)
    assert planned
    hits = body["data"]["searchPlaceNames"]
    assert len(hits) == 20
    assert all(hit["areaChain"][-1]["code"] == "3710" for hit in hits)


SERVICE_FIELDS = """
fragment place on Service { id kind name address status version geometry }
"""

CHOSEN = {
    "aliases and the same field twice": (
        "{ a: services(first: 3) { edges { node { id n: name name } } }"
        " b: services(first: 2, kinds: [ASSISTANCE_STATION]) { totalCount } }",
        None,
    ),
    "fragments and inline fragments on the interface": (
        SERVICE_FIELDS
        + '{ services(first: 60, inArea: "371002") { edges { node { ...place __typename'
        " ... on ElderCareInstitution { beds nursingBeds medicalCareCombined dementiaCareUnit }"
        " ... on ElderDiningTable { mealCapacity name } area { __typename code } } } } }",
        None,
    ),
    "variables, @include and @skip": (
        "query Q($n: Int = 4, $with: Boolean!, $without: Boolean!, $k: [ServiceKind!]) {"
        " services(first: $n, kinds: $k) { edges { cursor node { id"
        " name @include(if: $with) kind @skip(if: $without) } } pageInfo { hasNextPage } } }",
        {"with": True, "without": True, "k": ["ELDER_DINING_TABLE", "ELDER_CARE_INSTITUTION"]},
    ),
    "a page after a cursor": (
        '{ areas(first: 5, levels: [TOWNSHIP], after: "YXJlYTozNzEwMDIwMDE=") {'
        " edges { cursor node { code name level households population elderly } }"
        " pageInfo { hasNextPage endCursor } totalCount } }",
        None,
    ),
    "an empty page": (
        "{ services(bbox: [120.0, 30.0, 120.1, 30.1]) { totalCount pageInfo { hasNextPage"
        " endCursor } edges { node { id } } } }",
        None,
    ),
    "areas two levels down with parents and figures": (
        '{ area(code: "371002") { __typename code name level parent { code name parent { name } }'
        " children { code name households children { code name elderly population } } } }",
        None,
    ),
    "an area that does not exist": ('{ area(code: "371099") { name } }', None),
    "place names with designations, chains and geometry": (
        "{ placeNames(first: 40, designations: [RED, HERITAGE]) { totalCount edges { node {"
        " id standardName specificPart genericPart pinyin category meaning origin formerNames"
        " designations status version geometry areaChain { code level } } } } }",
        None,
    ),
    "village roads with their villages": (
        '{ villageRoads(first: 30, inArea: "371082") { edges { node { id name pinyin'
        " lengthMeters geometry village { code name } areaChain { name } } } } }",
        None,
    ),
    "within a radius and intersecting a polygon": (
        "{ w: services(within: {point: {lon: 122.12, lat: 37.5}, radiusMeters: 3000}) {"
        ' totalCount edges { node { id } } } i: placeNames(intersects: {type: "Polygon",'
        " coordinates: [[[122.0, 37.4], [122.2, 37.4], [122.2, 37.6], [122.0, 37.4]]]}) {"
        " totalCount } }",
        None,
    ),
    "a bbox given in GCJ-02": (
        "{ services(bbox: [122.0, 37.4, 122.2, 37.55], crs: GCJ02, first: 500) {"
        " edges { node { id geometry } } } }",
        None,
    ),
    "nearest with kinds, a bound and a shifted point": (
        "{ nearestServices(near: {lon: 122.125, lat: 37.502}, crs: GCJ02, first: 7,"
        " kinds: [ELDER_DINING_TABLE, TOWNSHIP_ELDER_CENTER], maxDistanceMeters: 4000) {"
        " __typename distanceMeters roadDistanceMeters route service { __typename id name"
        " ... on ElderDiningTable { mealCapacity } areaChain { name } } } }",
        None,
    ),
    "nearest beyond every service": (
        "{ nearestServices(near: {lon: 100.0, lat: 20.0}, maxDistanceMeters: 10) {"
        " distanceMeters } }",
        None,
    ),
    "search in pinyin and with nothing found": (
        '{ a: searchPlaceNames(query: "weihai", first: 5) { standardName pinyin }'
        ' b: searchPlaceNames(query: "岚山头") { id } __typename }',
        None,
    ),
    "retired records": (
        "{ services(status: RETIRED) { totalCount edges { node { id status } } } }",
        None,
    ),
}


@pytest.mark.parametrize("name", list(CHOSEN))
def test_chosen_queries_are_planned_and_identical(client: TestClient, name: str) -> None:
    query, variables = CHOSEN[name]
    body, planned = ask(client, query, variables)
    assert planned, name
    assert "errors" not in body


def test_every_page_of_a_collection_follows_its_cursor(client: TestClient) -> None:
    """Three pages by the compiled path's cursors, then the rest: every area once."""
    seen: list[str] = []
    after = None
    while True:
        body, planned = ask(
            client,
            "query P($after: String) { areas(first: 400, after: $after) {"
            " edges { node { code } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        assert planned
        page = body["data"]["areas"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))


def test_planners_see_records_in_review_through_the_same_plan(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    connection.execute(
        text(
            "UPDATE service SET status = 'proposed' WHERE id IN"
            " (SELECT id FROM service ORDER BY id LIMIT 3)"
        )
    )
    query = "{ services(status: PROPOSED) { totalCount edges { node { id status } } } }"
    body, planned = ask(client, query)
    assert not planned and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body, planned = ask(signed_in(client, token_for("planner")), query)
    assert planned
    assert body["data"]["services"]["totalCount"] == 3


FALLBACKS = {
    "a mutation": 'mutation { retireService(id: "1", version: 1) { id } }',
    "by road": "{ nearestServices(near: {lon: 122.12, lat: 37.5}, by: ROAD) { distanceMeters } }",
    "time travel": '{ services(asOf: "2026-01-01T00:00:00+08:00") { totalCount } }',
    "output in GCJ-02": "{ services(first: 2) { edges { node { geometry(crs: GCJ02) } } } }",
    "a field the planner does not know": "{ cityStats { beds } }",
    "a planner-only field": "{ services(first: 2) { edges { node { id"
    " history { edges { node { id } } } } } } }",
    "a page too large": "{ services(first: 1000) { totalCount } }",
    "a bad cursor": '{ services(after: "bm90IGEgY3Vyc29y") { totalCount } }',
    "a bad area code": '{ area(code: "37x") { name } }',
    "a syntax error": "{ services(first: 2) { edges { node { id } }",
    "an unknown field": "{ services { nodes { id } } }",
    "a missing variable": "query Q($code: String!) { area(code: $code) { name } }",
    "an area's services": '{ area(code: "371002") { services { edges { node { id } } } } }',
}


@pytest.mark.parametrize("name", list(FALLBACKS))
def test_what_the_planner_does_not_take_falls_back(client: TestClient, name: str) -> None:
    response = client.post("/graphql", json={"query": FALLBACKS[name]})
    before = compiled_count()
    response = client.post("/graphql", json={"query": FALLBACKS[name]})
    assert compiled_count() == before
    assert response.status_code in (200, 400)
    assert "data" in response.json() or "errors" in response.json()


def _readme_queries() -> Iterator[tuple[str, str]]:
    """Every query of the README's GraphQL examples, whole and one root field at a time."""
    readme = (ROOT / "README.md").read_text()
    for index, block in enumerate(re.findall(r"```graphql\n(.*?)```", readme, re.S)):
        document = parse(block)
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            if operation.operation.value != "query":
                continue
            yield f"example {index + 1}", print_ast(operation)
            for field in operation.selection_set.selections:
                assert isinstance(field, FieldNode)
                alone = OperationDefinitionNode(
                    operation=operation.operation,
                    selection_set=SelectionSetNode(selections=(field,)),
                    variable_definitions=(),
                    directives=(),
                )
                yield f"example {index + 1}: {field.name.value}", print_ast(alone)


README_QUERIES = list(_readme_queries())


@pytest.mark.parametrize(
    "query", [q for _, q in README_QUERIES], ids=[n for n, _ in README_QUERIES]
)
def test_readme_examples_answer_alike(planner: TestClient, query: str) -> None:
    body = graphql(planner, query)
    assert "errors" not in body, body["errors"]


def test_the_readme_examples_that_can_be_planned_are(planner: TestClient) -> None:
    planned = [name for name, query in README_QUERIES if ask(planner, query)[1]]
    for root in ("area", "nearestServices", "services", "searchPlaceNames"):
        assert f"example 1: {root}" in planned


# --- random queries over the schema --------------------------------------------------

SCHEMA_SDL = str(build_schema())
GEOJSON = st.sampled_from(
    [
        {"type": "Point", "coordinates": [122.12, 37.5]},
        {
            "type": "Polygon",
            "coordinates": [[[122.0, 37.4], [122.3, 37.4], [122.3, 37.6], [122.0, 37.4]]],
        },
    ]
)


def _random_queries() -> st.SearchStrategy[str]:
    return queries(
        SCHEMA_SDL,
        fields=PLANNED_ROOTS,
        custom_scalars={
            "GeoJSON": GEOJSON.map(_graphql_literal),
            "Date": st.dates().map(lambda d: StringValueNode(value=d.isoformat())),
        },
    )


def _graphql_literal(value: Any) -> Any:
    """A GeoJSON value as a GraphQL literal, as hypothesis-graphql writes arguments."""
    if isinstance(value, dict):
        return ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(name=NameNode(value=k), value=_graphql_literal(v))
                for k, v in value.items()
            )
        )
    if isinstance(value, list):
        return ListValueNode(values=tuple(_graphql_literal(v) for v in value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    return FloatValueNode(value=repr(value))


# Each random corpus: 150 queries a role, the same ones every run; the client and its
# transaction serve them all (they only read).
CORPUS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _roomy_client(settings: Settings, connection: Connection, cost: int) -> TestClient:
    roomy = QueryLimits(depth=100, aliases=100_000, cost=cost)
    unlimited = dataclasses.replace(
        settings, public_limits=roomy, staff_limits=roomy, max_response_bytes=2**31
    )
    return TestClient(create_app(unlimited, database=SharedConnectionDatabase(connection)))


@pytest.fixture()
def client(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    """What this module checks is that both paths answer alike, not the limits: the random
    corpora ask more than the public may, so the limits stand aside here (tests/
    test_limits.py holds them to account)."""
    with _roomy_client(settings, connection, 10**12) as test:
        yield test


@pytest.fixture()
def capped(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    """As ``client``, but held to the cost a staff member may ask: arguments at random over
    the whole schema nest unpaged lists (an area chain's children's parent's services, for
    twenty search hits) into millions of objects and minutes of work."""
    with _roomy_client(settings, connection, settings.staff_limits.cost) as test:
        yield test


@pytest.fixture(scope="module")
def random_outcomes() -> dict[str, int]:
    return {"planned": 0, "asked": 0}


@pytest.mark.parametrize("role", ["public", "planner"])
@CORPUS
@given(query=st.deferred(_random_queries))
def test_random_queries_answer_alike(
    capped: TestClient, token_for: Any, role: str, query: str, random_outcomes: dict[str, int]
) -> None:
    if role != "public" and "Authorization" not in capped.headers:
        signed_in(capped, token_for(role))
    before = compiled_count()
    response = capped.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400), response.text
    random_outcomes["asked"] += 1
    random_outcomes["planned"] += compiled_count() > before


def test_random_queries_over_the_schema_were_asked(random_outcomes: dict[str, int]) -> None:
    """Arguments at random are mostly refused (and so fall back); some are planned."""
    assert random_outcomes["asked"] >= 300
    assert random_outcomes["planned"] > 0


# --- random queries the planner takes ---------------------------------------------------

AREA_CODES = ["3710", "371002", "371003", "371082", "371002001", "371002001001", "371099"]
SEARCHES = ["威海", "村", "路", "whs", "weihai", "shan", "hai", "刘公岛", "Xin"]
SCALARS = {
    "Service": ["id", "kind", "name", "address", "status", "version", "geometry"],
    "PlaceName": [
        "id",
        "standardName",
        "specificPart",
        "genericPart",
        "pinyin",
        "category",
        "meaning",
        "origin",
        "formerNames",
        "designations",
        "status",
        "version",
        "geometry",
    ],
    "VillageRoad": ["id", "name", "pinyin", "lengthMeters", "status", "version", "geometry"],
    "AdminArea": [
        "code",
        "name",
        "level",
        "households",
        "population",
        "elderly",
        "geometry",
        "representativePoint",
    ],
}
RELATIONS = {
    "Service": {"area": "AdminArea", "areaChain": "AdminArea"},
    "PlaceName": {"areaChain": "AdminArea"},
    "VillageRoad": {"village": "AdminArea", "areaChain": "AdminArea"},
    "AdminArea": {"parent": "AdminArea", "children": "AdminArea"},
}
KIND_FRAGMENTS = [
    "... on ElderCareInstitution { beds nursingBeds medicalCareCombined dementiaCareUnit }",
    "... on ElderDiningTable { mealCapacity }",
    "... on AssistanceStation { __typename name }",
]


@st.composite
def _selection(draw: st.DrawFn, type_name: str, depth: int) -> str:
    fields = draw(st.lists(st.sampled_from(SCALARS[type_name]), min_size=1, max_size=6))
    parts = []
    for index, field in enumerate(fields):
        alias = draw(st.sampled_from(["", "", f"f{index}: "]))
        directive = draw(
            st.sampled_from(["", "", " @include(if: $yes)", " @skip(if: $no)", " @skip(if: $yes)"])
        )
        parts.append(f"{alias}{field}{directive}")
    if draw(st.booleans()):
        parts.append("__typename")
    if type_name == "Service":
        parts += draw(st.lists(st.sampled_from(KIND_FRAGMENTS), max_size=2, unique=True))
        if draw(st.booleans()):
            parts.append("...named")
    if depth < 2:
        for relation, target in RELATIONS[type_name].items():
            if draw(st.integers(0, 3)) == 0:
                parts.append(f"{relation} {{ {draw(_selection(target, depth + 1))} }}")
    return " ".join(parts)


@st.composite
def _bbox(draw: st.DrawFn) -> str:
    west = draw(st.floats(121.9, 122.6))
    south = draw(st.floats(36.8, 37.5))
    size = draw(st.floats(0.01, 0.3))
    return f"[{west:.4f}, {south:.4f}, {west + size:.4f}, {south + size:.4f}]"


@st.composite
def _collection_arguments(draw: st.DrawFn, root: str) -> list[str]:
    arguments = []
    if draw(st.booleans()):
        arguments.append(
            draw(st.sampled_from(["first: $first", f"first: {draw(st.integers(1, 500))}"]))
        )
    if draw(st.integers(0, 2)) == 0:
        arguments.append(f'inArea: "{draw(st.sampled_from(AREA_CODES[:6]))}"')
    if draw(st.integers(0, 3)) == 0:
        arguments.append(f"bbox: {draw(_bbox())}")
    if root == "services" and draw(st.booleans()):
        kinds = draw(
            st.lists(
                st.sampled_from(
                    [
                        "ELDER_CARE_INSTITUTION",
                        "ELDER_DINING_TABLE",
                        "ASSISTANCE_STATION",
                        "TOWNSHIP_ELDER_CENTER",
                    ]
                ),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        arguments.append(f"kinds: [{', '.join(kinds)}]")
    if root == "placeNames" and draw(st.booleans()):
        arguments.append(
            draw(
                st.sampled_from(
                    [
                        "designations: [RED]",
                        "categories: [SETTLEMENT, ROAD_STREET]",
                        "designations: [HERITAGE, PROTECTED]",
                    ]
                )
            )
        )
    if root == "areas" and draw(st.booleans()):
        arguments.append(draw(st.sampled_from(["levels: [VILLAGE]", "levels: [TOWNSHIP, COUNTY]"])))
    if root != "areas" and draw(st.integers(0, 4)) == 0:
        arguments.append("status: RETIRED")
    return arguments


@st.composite
def planned_queries(draw: st.DrawFn) -> str:
    """A valid query over the fields the planner takes, with realistic arguments."""
    root = draw(st.sampled_from(PLANNED_ROOTS))
    node = {
        "services": "Service",
        "placeNames": "PlaceName",
        "villageRoads": "VillageRoad",
        "areas": "AdminArea",
        "area": "AdminArea",
        "nearestServices": "Service",
        "searchPlaceNames": "PlaceName",
    }[root]
    selection = draw(_selection(node, 0))
    if root in ("services", "placeNames", "villageRoads", "areas"):
        arguments = draw(_collection_arguments(root))
        pieces = [f"edges {{ {draw(st.sampled_from(['', 'cursor']))} node {{ {selection} }} }}"]
        pieces += draw(
            st.lists(
                st.sampled_from(["totalCount", "pageInfo { hasNextPage endCursor }", "__typename"]),
                max_size=3,
                unique=True,
            )
        )
        given = f"({', '.join(arguments)})" if arguments else ""
        body = f"{root}{given} {{ {' '.join(pieces)} }}"
    elif root == "area":
        body = f'area(code: "{draw(st.sampled_from(AREA_CODES))}") {{ {selection} }}'
    elif root == "nearestServices":
        lon, lat = draw(st.floats(121.8, 122.7)), draw(st.floats(36.8, 37.6))
        extra = draw(
            st.sampled_from(
                [
                    "",
                    ", first: 12",
                    ", kinds: [ELDER_DINING_TABLE]",
                    ", maxDistanceMeters: 2500",
                    ", crs: BD09",
                ]
            )
        )
        body = (
            f"nearestServices(near: {{lon: {lon:.5f}, lat: {lat:.5f}}}{extra}) {{"
            f" distanceMeters roadDistanceMeters service {{ {selection} }} }}"
        )
    else:
        search = draw(st.sampled_from(SEARCHES))
        first = draw(st.integers(1, 50))
        body = f'searchPlaceNames(query: "{search}", first: {first}) {{ {selection} }}'
    fragment = "fragment named on Service { name ... on ElderDiningTable { mealCapacity } }"
    declared = (
        ("$first", "$first: Int = 7"),
        ("$yes", "$yes: Boolean = true"),
        ("$no", "$no: Boolean = false"),
    )
    definitions = [definition for name, definition in declared if name in body]
    head = f"query Q({', '.join(definitions)})" if definitions else "query Q"
    return f"{head} {{ {body} }} {fragment if '...named' in body else ''}"


@pytest.fixture(scope="module")
def planned_outcomes() -> dict[str, int]:
    return {"planned": 0, "asked": 0}


@pytest.mark.parametrize("role", ["public", "planner"])
@CORPUS
@given(query=planned_queries())
def test_random_planned_queries_answer_alike(
    client: TestClient, token_for: Any, role: str, query: str, planned_outcomes: dict[str, int]
) -> None:
    if role != "public" and "Authorization" not in client.headers:
        signed_in(client, token_for(role))
    before = compiled_count()
    body = graphql(client, query, {"first": 25} if "first: $first" in query else None)
    assert "errors" not in body, (query, body["errors"])
    planned_outcomes["asked"] += 1
    planned_outcomes["planned"] += compiled_count() > before


def test_random_planned_queries_were_planned(planned_outcomes: dict[str, int]) -> None:
    """Valid queries over the planned fields are all planned (none silently fell back)."""
    assert planned_outcomes["asked"] >= 300
    assert planned_outcomes["planned"] == planned_outcomes["asked"]


# --- the answer as "on" sends it -------------------------------------------------------


def test_prepared_statements_answer_as_strawberry_does(
    settings: Settings, test_database_url: str
) -> None:
    """The read path of a served registry: statements sent from the event loop and kept
    prepared on each connection, asked twice (the second time by name) and with other
    values, against strawberry's answers on the same database."""
    queries = [pair.registry for pair in PAIRS] + [q for q, v in CHOSEN.values() if v is None]
    queries += [
        "query Q($lon: Float!) { nearestServices(near: {lon: $lon, lat: 37.5}) { distanceMeters"
        " service { id } } }"
    ]
    answers: dict[str, list[Any]] = {}
    for mode in ("on", "off"):
        database = Database(make_read_engine(settings, test_database_url))
        app = create_app(dataclasses.replace(settings, compiled_reads=mode), database=database)
        with TestClient(app) as client:
            for _ in range(2):
                for query in queries:
                    for lon in (122.1, 122.2):
                        response = client.post(
                            "/graphql", json={"query": query, "variables": {"lon": lon}}
                        )
                        answers.setdefault(mode, []).append(
                            (query, response.status_code, response.content)
                        )
        database.dispose()
    assert answers["on"] == answers["off"]


def test_the_compiled_answer_is_sent_as_strawberry_sends_its_own(
    settings: Settings, connection: Connection
) -> None:
    database = SharedConnectionDatabase(connection)
    query = {"query": PAIRS[1].registry}
    answers = {}
    for mode in ("on", "off"):
        app = create_app(dataclasses.replace(settings, compiled_reads=mode), database=database)
        with TestClient(app) as client:
            response = client.post("/graphql", json=query)
            answers[mode] = (
                response.status_code,
                response.headers["content-type"],
                response.content,
            )
    assert answers["on"] == answers["off"]
    assert orjson.loads(answers["on"][2])["data"]["services"]["edges"]
