"""The review queue: every proposal waiting in review, of every editable kind, oldest
waiting first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text

from db.kinds import EDITABLE_KINDS, EditableKind
from db.statements import Statement

# The stage a case waits for: the first stage it requires that is not done (a consultation
# is done once closed); a proposal made before cases were kept waits for approval, or, once
# approved, for the announcement.
_NEXT_STAGE = """COALESCE(
    (SELECT req.value FROM jsonb_array_elements_text({a}.review_case -> 'required')
         WITH ORDINALITY AS req(value, n)
     WHERE req.value NOT IN (
         SELECT done ->> 'stage' FROM jsonb_array_elements({a}.review_case -> 'stages') done
         WHERE COALESCE((done ->> 'closed')::boolean, true))
     ORDER BY req.n LIMIT 1),
    CASE COALESCE({a}.pending_status, {a}.status) WHEN 'approved' THEN 'announcement'
         ELSE 'approval' END)"""


def _waiting(kind: EditableKind) -> str:
    a = kind.alias
    return f"""
    SELECT '{kind.entity}' AS entity, {a}.id, {a}.updated_at AS waiting_since,
           {a}.review_case ->> 'kind' AS case_kind,
           {_NEXT_STAGE.format(a=a)} AS next_stage,
           COALESCE({a}.pending_status, {a}.status) AS status,
           (SELECT u.name FROM app_user u
            WHERE u.id = COALESCE({a}.pending_by, {a}.proposed_by)) AS proposed_by,
           {a}.{kind.area_column} AS area_code
    FROM {kind.entity} {a}
    WHERE {a}.status IN ('proposed', 'approved') OR {a}.pending_status IS NOT NULL"""


_QUEUE = "\nUNION ALL".join(_waiting(kind) for kind in EDITABLE_KINDS.values())
_FILTERS = """
    WHERE q.entity = ANY(:entities)
      AND (CAST(:stages AS text[]) IS NULL OR q.next_stage = ANY(:stages))
      AND (CAST(:in_area AS text) IS NULL OR q.area_code LIKE :in_area || '%')
      AND (CAST(:proposed_by AS text) IS NULL OR q.proposed_by = :proposed_by)"""


def review_queue(
    entities: Sequence[str],
    *,
    stages: Sequence[str] | None,
    in_area: str | None,
    proposed_by: str | None,
    at: tuple[datetime, str, int] | None,
    limit: int,
    backward: bool = False,
) -> Statement:
    """Up to ``limit`` waiting proposals after the key ``at`` (waiting since, entity, id),
    oldest waiting first; ``backward``: those before it, the latest first."""
    when, entity, record_id = at if at is not None else (None, None, None)
    comparison, order = ("<", "DESC") if backward else (">", "ASC")
    sql = text(
        f"SELECT q.* FROM ({_QUEUE}) q {_FILTERS}"
        " AND (CAST(:at AS timestamptz) IS NULL"
        f" OR (q.waiting_since, q.entity, q.id) {comparison} (:at, :at_entity, :at_id))"
        f" ORDER BY q.waiting_since {order}, q.entity {order}, q.id {order} LIMIT :limit"
    )
    filters = _filters(entities, stages, in_area, proposed_by)
    return Statement(
        sql,
        {**filters, "at": when, "at_entity": entity, "at_id": record_id, "limit": limit},
    )


def _filters(
    entities: Sequence[str],
    stages: Sequence[str] | None,
    in_area: str | None,
    proposed_by: str | None,
) -> dict[str, object]:
    return {
        "entities": list(entities),
        "stages": list(stages) if stages is not None else None,
        "in_area": in_area,
        "proposed_by": proposed_by,
    }


def review_queue_count(
    entities: Sequence[str],
    *,
    stages: Sequence[str] | None,
    in_area: str | None,
    proposed_by: str | None,
) -> Statement:
    sql = text(f"SELECT count(*) AS n FROM ({_QUEUE}) q {_FILTERS}")
    return Statement(sql, _filters(entities, stages, in_area, proposed_by))
