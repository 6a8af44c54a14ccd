"""The Mutation root type: editing place names, village roads and services.

Every editable kind has the same mutations (create, update, approve, publish, retire,
restore, revert); they are made here from one ``EditableType`` per kind, so that a kind
added to ``EDITABLE_TYPES`` gets all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from db.kinds import PLACE_NAME, EditableKind
from resolvers import lifecycle
from resolvers.context import RegistryContext
from resolvers.lifecycle import EditRules
from resolvers.place_name_edits import PLACE_NAME_RULES
from resolvers.place_name_edits import import_place_names as import_place_names_resolver
from resolvers.road_edits import VILLAGE_ROAD_RULES
from resolvers.service_edits import SERVICE_RULES
from schema.inputs import WGS84, CoordinateSystem, given_fields, set_fields
from schema.name_warning import WarningCode
from schema.permissions import IsEditor, IsReviewer
from schema.place_name import PlaceName, PlaceNameCategory, PlaceNameInput, PlaceNamePatch
from schema.service import Service, ServiceInput, ServicePatch, service_from_row
from schema.village_road import VillageRoad, VillageRoadInput, VillageRoadPatch

Row = dict[str, Any]


@dataclass(frozen=True)
class EditableType:
    """An editable kind (``db.kinds``) as the API shows it: its type, its inputs, and the
    rules that check what only this kind checks (``resolvers.lifecycle.EditRules``)."""

    kind: EditableKind
    graphql_type: Any
    from_row: Callable[[Row], Any]
    input: type
    patch: type
    rules: EditRules


EDITABLE_TYPES = (
    EditableType(
        PlaceName.kind_of_record,
        PlaceName,
        PlaceName.from_row,
        PlaceNameInput,
        PlaceNamePatch,
        PLACE_NAME_RULES,
    ),
    EditableType(
        VillageRoad.kind_of_record,
        VillageRoad,
        VillageRoad.from_row,
        VillageRoadInput,
        VillageRoadPatch,
        VILLAGE_ROAD_RULES,
    ),
    EditableType(
        Service.kind_of_record,
        Service,
        service_from_row,
        ServiceInput,
        ServicePatch,
        SERVICE_RULES,
    ),
)

PROPOSE = "Proposes a new {}; validated, and recorded as a revision."
UPDATE = (
    "Edits the version named. A {0} in review is edited in place and goes back to the "
    "proposed stage; an edit of a published {0} waits as its pendingChange, and the public "
    "sees the published {0} until the change is approved and published."
)
TRANSITIONS = {
    "approve": "Approves a proposed {label}, or the proposed change of a published one; a "
    "reviewer cannot approve his own proposal.",
    "publish": "Publishes an approved {label}, or the approved change of a published one: the "
    "public sees it from now on.",
    "retire": "Retires a {label}; nothing is deleted.",
    "restore": "Restores a retired {label} to the status it had.",
}


def codes(warnings: list[WarningCode] | None) -> list[str] | None:
    return [str(w.value) for w in warnings] if warnings is not None else None


def _typed(resolve: Any, **annotations: Any) -> Any:
    # The argument types differ by kind; the rest of the signature is shared.
    resolve.__annotations__ = {**resolve.__annotations__, **annotations}
    return resolve


def _named(field: StrawberryField) -> StrawberryField:
    # create_type keys fields by their Python name; each resolver here is "resolve".
    field.python_name = field.graphql_name or field.python_name
    return field


def _create(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        input: Any,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        crs: CoordinateSystem = WGS84,
        acknowledge_warnings: list[WarningCode] | None = None,
    ) -> Any:
        row = await lifecycle.create(
            info.context,
            t.kind,
            t.rules,
            set_fields(input),
            crs=crs,
            comment=comment,
            client_mutation_id=client_mutation_id,
            acknowledge=codes(acknowledge_warnings),
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=_typed(resolve, input=t.input),
        name=f"create{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=PROPOSE.format(t.kind.label),
        permission_classes=[IsEditor],
    )
    return field


def _update(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        id: strawberry.ID,
        version: int,
        patch: Any,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        crs: CoordinateSystem = WGS84,
        acknowledge_warnings: list[WarningCode] | None = None,
    ) -> Any:
        row = await lifecycle.update(
            info.context,
            t.kind,
            t.rules,
            id,
            version,
            given=given_fields(patch),
            crs=crs,
            comment=comment,
            client_mutation_id=client_mutation_id,
            acknowledge=codes(acknowledge_warnings),
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=_typed(resolve, patch=t.patch),
        name=f"update{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=UPDATE.format(t.kind.label),
        permission_classes=[IsEditor],
    )
    return field


def _transition(t: EditableType, operation: str) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        id: strawberry.ID,
        version: int,
        comment: str | None = None,
        client_mutation_id: str | None = None,
    ) -> Any:
        row = await lifecycle.change_status(
            info.context,
            t.kind,
            operation,
            id,
            version,
            comment=comment,
            client_mutation_id=client_mutation_id,
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"{operation}{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=TRANSITIONS[operation].format(label=t.kind.label),
        permission_classes=[IsReviewer],
    )
    return field


def _revert(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        revision: strawberry.ID,
        version: int,
        comment: str | None = None,
    ) -> Any:
        row = await lifecycle.revert(info.context, t.kind, revision, version, comment=comment)
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"revert{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=f"Undoes a revision: the {t.kind.label} goes back to the state it found "
        "(one the revision created is retired).  The undoing is a revision too.",
        permission_classes=[IsReviewer],
    )
    return field


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


@strawberry.mutation(
    description="Proposes place names from a GeoJSON FeatureCollection; dryRun (the default) "
    "only checks.  A real import writes every feature or none.",
    permission_classes=[IsEditor],
)
async def import_place_names(
    info: Info[RegistryContext, None],
    *,
    feature_collection: JSON,
    category: PlaceNameCategory,
    area_code: str,
    dry_run: bool = True,
    comment: str | None = None,
) -> ImportReport:
    outcome = await import_place_names_resolver(
        info.context,
        feature_collection,
        category=category.value,
        area_code=area_code,
        dry_run=dry_run,
        comment=comment,
    )
    return ImportReport(
        dry_run=outcome.dry_run,
        ok=outcome.ok,
        imported=outcome.imported,
        results=[
            FeatureResult(
                index=r.index,
                ok=r.ok,
                errors=r.errors,
                id=strawberry.ID(str(r.id)) if r.id is not None else None,
            )
            for r in outcome.results
        ],
    )


def _mutations(t: EditableType) -> list[StrawberryField]:
    return [
        _named(_create(t)),
        _named(_update(t)),
        *(_named(_transition(t, operation)) for operation in TRANSITIONS),
        _named(_revert(t)),
        # Place names also come in bulk, from the files GIS staff have.
        *([import_place_names] if t.kind is PLACE_NAME else []),
    ]


Mutation = create_type("Mutation", [field for t in EDITABLE_TYPES for field in _mutations(t)])
