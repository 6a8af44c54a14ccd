"""Inputs of the editing mutations."""

from __future__ import annotations

import strawberry

from schema.place_name import PlaceNameCategory
from schema.scalars import GeoJSON


@strawberry.input(description="A new place name; it starts as a proposal.")
class PlaceNameInput:
    standard_name: str
    category: PlaceNameCategory
    geometry: GeoJSON
    area_code: str = strawberry.field(description="The area that holds the place")
    pinyin: str | None = strawberry.field(
        default=None, description="Omitted: generated after GB/T 16159"
    )
    meaning: str | None = None
    origin: str | None = None
    former_names: list[str] | None = None


@strawberry.input(description="Fields to change; those left out stay as they are.")
class PlaceNamePatch:
    standard_name: str | None = None
    category: PlaceNameCategory | None = None
    geometry: GeoJSON | None = None
    area_code: str | None = None
    pinyin: str | None = None
    meaning: str | None = None
    origin: str | None = None
    former_names: list[str] | None = None


@strawberry.type(description="What became of one feature of an import.")
class FeatureResult:
    index: int = strawberry.field(description="Position of the feature in the collection, from 0")
    ok: bool
    errors: list[str]
    id: strawberry.ID | None = strawberry.field(description="The new place name, when imported")


@strawberry.type(
    description="An import: every feature checked; written all together or not at all."
)
class ImportReport:
    dry_run: bool
    ok: bool = strawberry.field(description="Every feature passed")
    imported: int
    results: list[FeatureResult]
