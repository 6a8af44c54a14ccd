"""The Mutation root type: editing place names, village roads and services.

Each kind of record has the same lifecycle mutations (approve, publish, retire, restore,
revert); they are made here from one definition, for the kinds in ``resolvers``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import edits
from resolvers.auth import IsEditor, IsReviewer
from resolvers.place_name_edits import (
    PLACE_NAMES,
    create_place_name,
    import_place_names,
    update_place_name,
)
from resolvers.road_edits import VILLAGE_ROADS, create_village_road, update_village_road
from resolvers.service_edits import SERVICES, create_service, update_service
from schema.context import RegistryContext
from schema.edits import ImportReport
from schema.place_name import PlaceName, VillageRoad
from schema.service import Service

TRANSITION_DESCRIPTIONS = {
    "approve": "Approves a proposed {label}, or the proposed change of a published one; a "
    "reviewer cannot approve his own proposal.",
    "publish": "Publishes an approved {label}, or the approved change of a published one: the "
    "public sees it from now on.",
    "retire": "Retires a {label}; nothing is deleted.",
    "restore": "Restores a retired {label} to the status it had.",
}


def _transition(target: edits.EditTarget[Any], operation: str) -> Any:
    # The field's annotation on Mutation gives the GraphQL type; this resolver serves all.
    def resolve(
        info: Info[RegistryContext, None],
        id: strawberry.ID,
        version: int,
        comment: str | None = None,
        client_mutation_id: str | None = None,
    ) -> Any:
        return edits.change_status(
            info, target, operation, id, version, comment, client_mutation_id
        )

    return strawberry.mutation(
        resolver=resolve,
        description=TRANSITION_DESCRIPTIONS[operation].format(label=target.label),
        permission_classes=[IsReviewer],
    )


def _revert(target: edits.EditTarget[Any]) -> Any:
    def resolve(
        info: Info[RegistryContext, None],
        revision: strawberry.ID,
        version: int,
        comment: str | None = None,
    ) -> Any:
        return edits.revert(info, target, revision, version, comment)

    return strawberry.mutation(
        resolver=resolve,
        description=f"Undoes a revision: the {target.label} goes back to the state it found "
        "(one the revision created is retired).  The undoing is a revision too.",
        permission_classes=[IsReviewer],
    )


def _edit(resolver: Any, description: str) -> Any:
    return strawberry.mutation(
        resolver=resolver, description=description, permission_classes=[IsEditor]
    )


PROPOSE = "Proposes a new {}; validated, and recorded as a revision."
UPDATE = (
    "Edits the version named. A {0} in review is edited in place and goes back to the "
    "proposed stage; an edit of a published {0} waits as its pendingChange, and the public "
    "sees the published {0} until the change is approved and published."
)


@strawberry.type
class Mutation:
    create_place_name: PlaceName = _edit(create_place_name, PROPOSE.format("place name"))
    update_place_name: PlaceName = _edit(update_place_name, UPDATE.format("place name"))
    approve_place_name: PlaceName = _transition(PLACE_NAMES, "approve")
    publish_place_name: PlaceName = _transition(PLACE_NAMES, "publish")
    retire_place_name: PlaceName = _transition(PLACE_NAMES, "retire")
    restore_place_name: PlaceName = _transition(PLACE_NAMES, "restore")
    revert_place_name: PlaceName = _revert(PLACE_NAMES)
    import_place_names: ImportReport = _edit(
        import_place_names,
        "Proposes place names from a GeoJSON FeatureCollection; dryRun (the default) only "
        "checks.  A real import writes every feature or none.",
    )

    create_village_road: VillageRoad = _edit(create_village_road, PROPOSE.format("village road"))
    update_village_road: VillageRoad = _edit(update_village_road, UPDATE.format("village road"))
    approve_village_road: VillageRoad = _transition(VILLAGE_ROADS, "approve")
    publish_village_road: VillageRoad = _transition(VILLAGE_ROADS, "publish")
    retire_village_road: VillageRoad = _transition(VILLAGE_ROADS, "retire")
    restore_village_road: VillageRoad = _transition(VILLAGE_ROADS, "restore")
    revert_village_road: VillageRoad = _revert(VILLAGE_ROADS)

    create_service: Service = _edit(create_service, PROPOSE.format("service"))
    update_service: Service = _edit(update_service, UPDATE.format("service"))
    approve_service: Service = _transition(SERVICES, "approve")
    publish_service: Service = _transition(SERVICES, "publish")
    retire_service: Service = _transition(SERVICES, "retire")
    restore_service: Service = _transition(SERVICES, "restore")
    revert_service: Service = _revert(SERVICES)
