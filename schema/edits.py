"""Inputs of the editing mutations."""

from __future__ import annotations

import strawberry

from schema.place_name import PlaceNameCategory
from schema.scalars import GeoJSON
from schema.service import ServiceKind


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


@strawberry.input(description="A new village road (村内道路); it starts as a proposal.")
class VillageRoadInput:
    name: str = strawberry.field(description="Specific part and a road generic: 幸福路")
    village_code: str = strawberry.field(description="The village the road lies in")
    geometry: GeoJSON = strawberry.field(description="A LineString inside the village")
    pinyin: str | None = strawberry.field(
        default=None, description="Omitted: generated after GB/T 16159"
    )


@strawberry.input(description="Fields to change; those left out stay as they are.")
class VillageRoadPatch:
    name: str | None = None
    village_code: str | None = None
    geometry: GeoJSON | None = None
    pinyin: str | None = None


@strawberry.input(
    description="A new service; it starts as a proposal.  Beds are given for elder-care "
    "institutions only, mealCapacity for elder dining tables only."
)
class ServiceInput:
    kind: ServiceKind
    name: str
    geometry: GeoJSON = strawberry.field(description="A Point")
    area_code: str | None = strawberry.field(
        default=None, description="The village that holds it; omitted: the one at the point"
    )
    address: str | None = None
    beds: int | None = None
    nursing_beds: int | None = None
    medical_care_combined: bool | None = None
    dementia_care_unit: bool | None = None
    meal_capacity: int | None = None


@strawberry.input(description="Fields to change; those left out stay as they are.")
class ServicePatch:
    kind: ServiceKind | None = None
    name: str | None = None
    geometry: GeoJSON | None = None
    area_code: str | None = None
    address: str | None = None
    beds: int | None = None
    nursing_beds: int | None = None
    medical_care_combined: bool | None = None
    dementia_care_unit: bool | None = None
    meal_capacity: int | None = None


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
