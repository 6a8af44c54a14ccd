"""The review lifecycle every editable record follows."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Where a record stands in review.")
class LifecycleStatus(Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
