"""Per-request context: the database, the caller, the settings, and one DataLoader per
relation.

Loaders batch every lookup a request makes for one relation into one SQL statement, so a
list of areas never runs one query per row; each batch is sent without blocking the event
loop (``Database.fetch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from db.engine import Database
from db.kinds import EditableKind
from db.notifications import Notifications
from db.queries import areas as area_queries
from db.queries import coverage as coverage_queries
from db.queries import edits as edit_queries
from db.queries import services as service_queries
from db.queries.collections import (
    AreaPage,
    published_in,
    published_in_counts,
    published_in_pages,
    records_by_id,
)
from db.settings import Settings
from db.statements import Lookup
from domain.roles import PUBLIC, Actor
from gis.spatial import Point

K = TypeVar("K")
T = TypeVar("T")
Row = dict[str, Any]


def _loader(database: Database, lookup: Lookup[K], default: T) -> DataLoader[K, T]:
    """Every key asked for in one tick of the event loop, fetched by one statement."""

    async def load(keys: list[K]) -> list[T]:
        found = lookup.arrange(keys, await database.fetch(lookup.statement(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's DataLoaders, each made when first asked for: most requests use few."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._records: dict[str, DataLoader[int, Row | None]] = {}
        self._in_areas: dict[str, DataLoader[str, list[Row]]] = {}
        self._area_pages: dict[tuple[str, AreaPage], DataLoader[str, list[Row]]] = {}
        self._area_counts: dict[
            tuple[str, tuple[str, ...] | None], DataLoader[str, Row | None]
        ] = {}
        self._history: dict[str, DataLoader[int, list[Row]]] = {}
        self._nearest: dict[
            tuple[tuple[str, ...], int, float | None], DataLoader[str, list[Row]]
        ] = {}
        self._routes: dict[tuple[float, float, float], DataLoader[int, Row | None]] = {}

    @cached_property
    def area(self) -> DataLoader[str, Row | None]:
        return _loader(self.database, area_queries.areas_by_code, None)

    @cached_property
    def children(self) -> DataLoader[str, list[Row]]:
        return _loader(self.database, area_queries.children_of, [])

    @cached_property
    def figures(self) -> DataLoader[str, Row | None]:
        return _loader(self.database, area_queries.figures_of, None)

    @cached_property
    def outline(self) -> DataLoader[str, Row | None]:
        return _loader(self.database, area_queries.outlines_of, None)

    @cached_property
    def capacity(self) -> DataLoader[str, Row | None]:
        return _loader(self.database, coverage_queries.capacity_of, None)

    def record(self, kind: EditableKind) -> DataLoader[int, Row | None]:
        """Records of one editable kind by id, whatever their status."""
        if kind.entity not in self._records:
            self._records[kind.entity] = _loader(self.database, records_by_id(kind), None)
        return self._records[kind.entity]

    def published_in(self, kind: EditableKind) -> DataLoader[str, list[Row]]:
        """Published records of one kind held by each area or any area inside it."""
        if kind.entity not in self._in_areas:
            self._in_areas[kind.entity] = _loader(self.database, published_in(kind), [])
        return self._in_areas[kind.entity]

    def published_page_in(self, kind: EditableKind, page: AreaPage) -> DataLoader[str, list[Row]]:
        """The same page of each area's published records: one statement for all the areas
        of a list that ask for it."""
        key = (kind.entity, page)
        if key not in self._area_pages:
            self._area_pages[key] = _loader(self.database, published_in_pages(kind, page), [])
        return self._area_pages[key]

    def published_count_in(
        self, kind: EditableKind, kinds: tuple[str, ...] | None
    ) -> DataLoader[str, Row | None]:
        """How many published records each area holds."""
        key = (kind.entity, kinds)
        if key not in self._area_counts:
            self._area_counts[key] = _loader(self.database, published_in_counts(kind, kinds), None)
        return self._area_counts[key]

    def history(self, kind: EditableKind) -> DataLoader[int, list[Row]]:
        """Revisions of records of one kind, oldest first."""
        if kind.entity not in self._history:
            self._history[kind.entity] = _loader(
                self.database, edit_queries.history_of(kind.entity), []
            )
        return self._history[kind.entity]

    def nearest_to_area(
        self, kinds: tuple[str, ...], k: int, max_m: float | None
    ) -> DataLoader[str, list[Row]]:
        """One loader per set of arguments: all areas asking the same question share a statement."""
        key = (kinds, k, max_m)
        if key not in self._nearest:
            self._nearest[key] = _loader(
                self.database, service_queries.nearest_to_areas(kinds, k, max_m), []
            )
        return self._nearest[key]

    def road_route(self, lon: float, lat: float, bound_m: float) -> DataLoader[int, Row | None]:
        """The way by road from one point to each service asked for, in one statement."""
        key = (lon, lat, bound_m)
        if key not in self._routes:
            self._routes[key] = _loader(
                self.database, service_queries.road_routes(Point(lon, lat), bound_m), None
            )
        return self._routes[key]


@dataclass
class RegistryContext:
    database: Database
    settings: Settings
    notifications: Notifications
    loaders: Loaders
    actor: Actor = PUBLIC
