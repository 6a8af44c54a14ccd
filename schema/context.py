"""Per-request context: the database handle and one DataLoader per relation.

Loaders batch every lookup a request makes for one relation into one SQL statement, so a
list of areas never runs one query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from db.engine import Database
from db.queries import areas as area_queries
from db.queries import coverage as coverage_queries
from db.queries import edits as edit_queries
from db.queries import places as place_queries
from db.queries import services as service_queries
from resolvers.auth import PUBLIC, Actor

K = TypeVar("K")
T = TypeVar("T")


def _loader(
    database: Database, query: Callable[[Any, Sequence[K]], Mapping[K, T]], default: T
) -> DataLoader[K, T]:
    async def load(keys: list[K]) -> list[T]:
        with database.connect() as conn:
            found = query(conn, keys)
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    database: Database
    area: DataLoader[str, dict[str, Any] | None] = field(init=False)
    children: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    figures: DataLoader[str, dict[str, Any] | None] = field(init=False)
    outline: DataLoader[str, dict[str, Any] | None] = field(init=False)

    services_in: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    place_name: DataLoader[int, dict[str, Any] | None] = field(init=False)
    village_road: DataLoader[int, dict[str, Any] | None] = field(init=False)
    service: DataLoader[int, dict[str, Any] | None] = field(init=False)
    capacity: DataLoader[str, dict[str, Any] | None] = field(init=False)
    place_names_in: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    village_roads_in: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    _history: dict[str, DataLoader[int, list[dict[str, Any]]]] = field(
        init=False, default_factory=dict
    )
    _nearest: dict[tuple[tuple[str, ...], int, float | None], DataLoader[str, Any]] = field(
        init=False, default_factory=dict
    )

    def nearest_to_area(
        self, kinds: tuple[str, ...], k: int, max_m: float | None
    ) -> DataLoader[str, list[dict[str, Any]]]:
        """One loader per set of arguments: all areas asking the same question share a statement."""
        key = (kinds, k, max_m)
        if key not in self._nearest:
            self._nearest[key] = _loader(
                self.database,
                lambda conn, codes: service_queries.nearest_services_to_areas(
                    conn, codes, kinds, k, max_m
                ),
                [],
            )
        return self._nearest[key]

    def history(self, entity: str) -> DataLoader[int, list[dict[str, Any]]]:
        """Revisions of records of one kind (a revision.entity), oldest first."""
        if entity not in self._history:
            self._history[entity] = _loader(
                self.database, lambda conn, ids: edit_queries.history_of(conn, entity, ids), []
            )
        return self._history[entity]

    def __post_init__(self) -> None:
        self.services_in = _loader(self.database, service_queries.services_in_areas, [])
        self.place_name = _loader(self.database, place_queries.place_names_by_id, None)
        self.village_road = _loader(self.database, place_queries.village_roads_by_id, None)
        self.service = _loader(self.database, service_queries.services_by_id, None)
        self.capacity = _loader(self.database, coverage_queries.capacity_of, None)
        self.place_names_in = _loader(self.database, place_queries.place_names_in_areas, [])
        self.village_roads_in = _loader(self.database, place_queries.village_roads_in_areas, [])
        self.area = _loader(self.database, area_queries.areas_by_code, None)
        self.children = _loader(self.database, area_queries.children_of, [])
        self.figures = _loader(self.database, area_queries.figures_of, None)
        self.outline = _loader(self.database, area_queries.outlines_of, None)


@dataclass
class RegistryContext:
    database: Database
    loaders: Loaders
    actor: Actor = PUBLIC
