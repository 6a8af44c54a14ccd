"""Relay-style connections, made from a page of rows (``resolvers.pages.Page``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.pages import Answer, Page

T = TypeVar("T")


@strawberry.type(
    description="分页信息 / Where a page starts and ends, and whether records lie on either "
    "side of it (Relay's PageInfo)."
)
class PageInfo:
    start_cursor: str | None = strawberry.field(
        description="首条游标 / The cursor of the page's first record (null when empty): "
        "before: it gives the page before"
    )
    end_cursor: str | None = strawberry.field(
        description="末条游标 / The cursor of the page's last record (null when empty): "
        "after: it gives the page after"
    )
    next: strawberry.Private[Answer]
    previous: strawberry.Private[Answer]

    @strawberry.field(description="是否有下一页 / Whether records follow this page")
    async def has_next_page(self) -> bool:
        return await self.next()

    @strawberry.field(description="是否有上一页 / Whether records precede this page")
    async def has_previous_page(self) -> bool:
        return await self.previous()


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
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
            next=page.has_next,
            previous=page.has_previous,
        ),
        count=page.count,
    )
