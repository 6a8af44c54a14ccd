"""The Mutation root type: editing place names."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import edits
from resolvers.auth import IsEditor, IsReviewer
from schema.context import RegistryContext
from schema.edits import ImportReport
from schema.place_name import PlaceName


def _transition(operation: str, description: str) -> PlaceName:
    def resolve(
        info: Info[RegistryContext, None],
        id: strawberry.ID,
        version: int,
        comment: str | None = None,
        client_mutation_id: str | None = None,
    ) -> PlaceName:
        return edits.change_status(info, operation, id, version, comment, client_mutation_id)

    return strawberry.mutation(
        resolver=resolve, description=description, permission_classes=[IsReviewer]
    )


@strawberry.type
class Mutation:
    create_place_name: PlaceName = strawberry.mutation(
        resolver=edits.create_place_name,
        permission_classes=[IsEditor],
        description="Proposes a new place name; validated, and recorded as a revision.",
    )
    update_place_name: PlaceName = strawberry.mutation(
        resolver=edits.update_place_name,
        permission_classes=[IsEditor],
        description="Edits the version named; the edited name goes back to review.",
    )
    approve_place_name: PlaceName = _transition(
        "approve", "Approves a proposal; a reviewer cannot approve his own."
    )
    publish_place_name: PlaceName = _transition(
        "publish", "Publishes an approved place name: the public sees it from now on."
    )
    retire_place_name: PlaceName = _transition(
        "retire", "Retires a place name; nothing is deleted."
    )
    restore_place_name: PlaceName = _transition(
        "restore", "Restores a retired place name to the status it had."
    )
    import_place_names: ImportReport = strawberry.mutation(
        resolver=edits.import_place_names,
        permission_classes=[IsEditor],
        description="Proposes place names from a GeoJSON FeatureCollection; dryRun (the "
        "default) only checks.  A real import writes every feature or none.",
    )
    revert_place_name: PlaceName = strawberry.mutation(
        resolver=edits.revert_place_name,
        permission_classes=[IsReviewer],
        description="Undoes a revision: the place name goes back to the state it found.",
    )
