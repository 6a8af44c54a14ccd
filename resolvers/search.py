"""Resolvers for name search, in Chinese characters or in pinyin."""

from __future__ import annotations

from strawberry.types import Info

from db.queries.places import place_names_by_id
from db.queries.search import search_names
from resolvers.errors import BadUserInput
from resolvers.naming import has_chinese, normalize_pinyin_query
from schema.context import RegistryContext
from schema.pagination import check_first
from schema.place_name import PlaceName
from schema.search import MatchKind, SearchHit, SearchHitKind

MAX_HITS = 100
MAX_QUERY_LENGTH = 100
ALL_ENTITIES = tuple(kind.value for kind in SearchHitKind)


def _parse_query(query: str) -> tuple[str | None, str | None]:
    """(characters, pinyin): a query with any Chinese character is matched as characters."""
    query = query.strip()
    if not query:
        raise BadUserInput("query must not be empty", "query")
    if len(query) > MAX_QUERY_LENGTH:
        raise BadUserInput(f"query is longer than {MAX_QUERY_LENGTH} characters", "query")
    if has_chinese(query):
        return query, None
    pinyin = normalize_pinyin_query(query)
    if not pinyin:
        raise BadUserInput("query has neither Chinese characters nor pinyin letters", "query")
    return None, pinyin


def search_place_names(
    info: Info[RegistryContext, None], query: str, first: int | None = 20
) -> list[PlaceName]:
    chinese, pinyin = _parse_query(query)
    first = check_first(20 if first is None else first, MAX_HITS)
    with info.context.database.connect() as conn:
        hits = search_names(conn, chinese, pinyin, ["place_name"], first)
        ids = [int(hit["entity_key"]) for hit in hits]
        rows = place_names_by_id(conn, ids)
    return [PlaceName.from_row(rows[i]) for i in ids if i in rows]


def search(
    info: Info[RegistryContext, None],
    query: str,
    first: int | None = 20,
    kinds: list[SearchHitKind] | None = None,
) -> list[SearchHit]:
    chinese, pinyin = _parse_query(query)
    first = check_first(20 if first is None else first, MAX_HITS)
    entities = ALL_ENTITIES if kinds is None else tuple(k.value for k in kinds)
    with info.context.database.connect() as conn:
        hits = search_names(conn, chinese, pinyin, entities, first)
    return [
        SearchHit(
            kind=SearchHitKind(hit["entity"]),
            name=hit["name"],
            match=MatchKind(hit["rank"]),
            score=float(hit["score"]),
            key=hit["entity_key"],
        )
        for hit in hits
    ]
