"""The Relay ``Node`` interface: every record and area has a global id, and ``node(id:)``
fetches any of them."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import nodes
from resolvers.context import RegistryContext

NODE_ID = (
    "全局编号：可用 node(id:) 取回任一记录 / The global id: node(id:) fetches the record by it. "
    "`id` stays the record's own id, the one its kind's mutations take."
)


@strawberry.interface(
    description="可按全局编号取回的对象 / An object that node(id:) fetches by its global id "
    "(Relay's Node). The global id is `nodeId`, as PostGraphile names it, so that `id` keeps "
    "meaning the record's own id."
)
class Node:
    @strawberry.field(description=NODE_ID)
    def node_id(self) -> strawberry.ID:
        return strawberry.ID(nodes.global_id(*self.node_key()))

    def node_key(self) -> tuple[str, Any]:
        raise NotImplementedError


async def node(info: Info[RegistryContext, None], id: strawberry.ID) -> Node | None:
    # Imported here: the types implement Node, so they import this module.
    from schema.area import AdminArea
    from schema.mutation import EDITABLE_TYPES

    found = await nodes.node(info.context, str(id))
    if found is None:
        return None
    type_name, row = found
    if type_name == nodes.AREA_TYPE:
        return AdminArea.from_row(row)
    (editable,) = [t for t in EDITABLE_TYPES if t.kind.type_name == type_name]
    record: Node = editable.from_row(row)
    return record
