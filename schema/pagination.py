"""Relay-style connections, made from a page of rows (``resolvers.pages.Page``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.pages import Page

T = TypeVar("T")


@strawberry.type(description="分页信息 / Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(
    description="分页结果 / A page of records in key order; totalCount counts all pages."
)
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="总数 / How many records match the filters, on all pages.")
    async def total_count(self) -> int:
        return await self.count()


def connection_from(page: Page, to_node: Callable[[dict[str, Any]], T]) -> Connection[T]:
    edges = [Edge(node=to_node(row), cursor=page.cursor(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count=page.count,
    )
