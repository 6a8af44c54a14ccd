"""Permissions as classes: the least role a field needs (roles: ``domain.roles``)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from domain.roles import require


class _RoleAtLeast(BasePermission):
    role = "public"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raised rather than returned, so that the error carries the registry's own code.
        require(info.context.actor, self.role, info.field_name)
        return True


class IsPlanner(_RoleAtLeast):
    role = "planner"


class IsEditor(_RoleAtLeast):
    role = "editor"


class IsReviewer(_RoleAtLeast):
    role = "reviewer"


class IsAdmin(_RoleAtLeast):
    role = "admin"
