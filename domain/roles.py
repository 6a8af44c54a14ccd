"""Who is asking, and what each role may do.

Roles are ordered: each may do what the roles before it may.
  public    reads published records (no token)
  planner   all reads, records in review included, and the analytics
  editor    proposes and edits names, roads and services
  reviewer  approves, publishes and retires
  admin     users and tokens
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Forbidden, Text

ROLE_ORDER = ("public", "planner", "editor", "reviewer", "admin")


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLE_ORDER.index(self.role) >= ROLE_ORDER.index(role)


PUBLIC = Actor(id=None, name="public", role="public")


def require(actor: Actor, role: str, what: str) -> None:
    if not actor.may(role):
        raise Forbidden(
            Text(
                f"{what} 需要 {role} 或更高权限；当前为 {actor.role}",
                f"{what} needs the {role} role or higher; you are {actor.role}",
            )
        )
