"""Name search, in Chinese characters or in pinyin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.kinds import PLACE_NAME
from db.queries.collections import records_by_id
from db.queries.search import PUBLIC_STATUSES, STAFF_STATUSES, search_statement
from db.statements import Statement
from db.tables import SEARCH_ENTITIES
from domain.errors import BadUserInput, Text
from domain.naming import has_chinese, normalize_pinyin_query
from domain.roles import Actor
from resolvers.context import RegistryContext
from resolvers.pages import check_first

MAX_HITS = 100
DEFAULT_HITS = 20
MAX_QUERY_LENGTH = 100
Row = dict[str, Any]


def _parse_query(query: str) -> tuple[str | None, str | None]:
    """(characters, pinyin): a query with any Chinese character is matched as characters."""
    query = query.strip()
    if not query:
        raise BadUserInput(Text("query 不能为空", "query must not be empty"), "query")
    if len(query) > MAX_QUERY_LENGTH:
        raise BadUserInput(
            Text(
                f"query 不得超过 {MAX_QUERY_LENGTH} 个字符",
                f"query is longer than {MAX_QUERY_LENGTH} characters",
            ),
            "query",
        )
    if has_chinese(query):
        return query, None
    pinyin = normalize_pinyin_query(query)
    if not pinyin:
        raise BadUserInput(
            Text(
                "query 既无汉字也无拼音字母",
                "query has neither Chinese characters nor pinyin letters",
            ),
            "query",
        )
    return None, pinyin


async def search_place_names(ctx: RegistryContext, query: str, first: int | None) -> list[Row]:
    """Place names by name, best first: published ones, and for planners and up those in
    review too."""
    hits = await _hits(ctx, query, first, [PLACE_NAME.entity])
    ids = [int(hit["entity_key"]) for hit in hits]
    if not ids:
        return []
    lookup = records_by_id(PLACE_NAME)
    rows = lookup.arrange(ids, await ctx.database.fetch(lookup.statement(ids)))
    return [rows[i] for i in ids if i in rows]


async def _hits(
    ctx: RegistryContext, query: str, first: int | None, entities: Sequence[str]
) -> list[Row]:
    statement = hits_statement(query, first, entities, ctx.actor)
    return await ctx.database.fetch(statement) if statement is not None else []


def visible_statuses(actor: Actor) -> tuple[str, ...]:
    """The statuses of the records a caller finds: staff find their work in review."""
    return STAFF_STATUSES if actor.may("planner") else PUBLIC_STATUSES


def hits_statement(
    query: str, first: int | None, entities: Sequence[str], actor: Actor
) -> Statement | None:
    """The search statement (entity, entity_key, … best first), its input checked; None
    when nothing can match."""
    chinese, pinyin = _parse_query(query)
    return search_statement(
        chinese,
        pinyin,
        entities,
        check_first(first, DEFAULT_HITS, MAX_HITS),
        visible_statuses(actor),
    )


async def search(
    ctx: RegistryContext, query: str, first: int | None, entities: list[str] | None
) -> list[Row]:
    """Named records of the given entities (all when None), best first: entity,
    entity_key, name, rank (0 exact … 3 fuzzy) and score."""
    return await _hits(ctx, query, first, SEARCH_ENTITIES if entities is None else entities)
