"""Name search over place names, village roads, areas and services.

Matches are ranked exact > prefix > substring > fuzzy (pg_trgm similarity), on the
characters of a name, its pinyin run together, or the initials of its syllables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, text

from db.kinds import EDITABLE_KINDS
from db.statements import Statement
from db.tables import search_name
from domain.naming import search_keys

# The named records of each kind: the areas, and every editable kind.
_SOURCES = {
    "admin_area": "SELECT code AS key, name FROM admin_area",
    **{entity: kind.search_source for entity, kind in EDITABLE_KINDS.items()},
}

# Areas are always public; a record of an editable kind in the statuses the caller may
# see (the public: published only; staff: records in review too).  Checked by key for each
# candidate (OFFSET 0 keeps PostgreSQL from hashing every visible record of the kind
# instead: 2.5 ms a search on the demo data, against microseconds).
PUBLIC_STATUSES = ("published",)
STAFF_STATUSES = ("proposed", "approved", "published")
_PUBLISHED = "\n".join(
    f"            WHEN '{entity}' THEN EXISTS (SELECT 1 FROM {entity} e"
    " WHERE e.id = sn.entity_key::bigint AND e.status = ANY(:statuses) OFFSET 0)"
    for entity in EDITABLE_KINDS
)
_VISIBLE = f"""
      AND CASE sn.entity
{_PUBLISHED}
            ELSE true
          END
    ORDER BY rank, score DESC, length(sn.name), sn.entity, sn.entity_key
    LIMIT :first * 4
"""


def _best_first(matches: str) -> str:
    """The best matches, one a record (its best-matching name, when several of its names
    match), best first.  The candidates are the best few times ``first`` names (a top-N
    sort, cheap), not all: a record has rarely more than one name among them."""
    return (
        "SELECT * FROM (SELECT DISTINCT ON (entity, entity_key) * FROM"
        f" ({matches}) names ORDER BY entity, entity_key, rank, score DESC, length(name)) hits"
        " ORDER BY rank, score DESC, length(name), entity, entity_key LIMIT :first"
    )


# Characters: trigrams see little in names of two to five characters, so candidates are
# the names that contain the query, or contain it with one character replaced; a scan of
# the names with LIKE is faster here than the trigram index (which one-character-off
# patterns such as '_海' make match a third of all names: 10 ms against 1), so the
# condition is on an expression the index does not cover.  Similarity only ranks.
_SEARCH_CHINESE = text(
    _best_first(
        """
    SELECT sn.entity, sn.entity_key, sn.name,
           CASE WHEN sn.name = :q THEN 0
                WHEN sn.name LIKE :q_prefix THEN 1
                WHEN sn.name LIKE :q_sub THEN 2
                ELSE 3 END AS rank,
           similarity(sn.name, :q) AS score
    FROM search_name sn
    WHERE sn.entity = ANY(:entities) AND (sn.name || '') LIKE ANY(:patterns)
    """
        + _VISIBLE
    )
)

# Pinyin: the run-together syllables and the initials, through the trigram and prefix
# indexes; fuzzy matches are trigram-similar spellings.
_SEARCH_PINYIN = text(
    _best_first(
        """
    SELECT sn.entity, sn.entity_key, sn.name,
           CASE WHEN sn.pinyin_compact = :qp OR sn.initials = :qp THEN 0
                WHEN sn.pinyin_compact LIKE :qp_prefix OR sn.initials LIKE :qp_prefix THEN 1
                WHEN sn.pinyin_compact LIKE :qp_sub THEN 2
                ELSE 3 END AS rank,
           similarity(sn.pinyin_compact, :qp) AS score
    FROM search_name sn
    WHERE sn.entity = ANY(:entities)
      AND (sn.pinyin_compact LIKE :qp_sub OR sn.pinyin_compact % :qp
           OR sn.initials LIKE :qp_prefix)
    """
        + _VISIBLE
    )
)


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def one_character_off(query: str) -> list[str]:
    """LIKE patterns for the query with any one character replaced: trigrams see little in
    a short Chinese name, and a typo or a homophone is one character off (测验村 for 测试村)."""
    if len(query) < 2:
        return []
    chars = [like_escape(c) for c in query]
    patterns = ["".join([*chars[:i], "_", *chars[i + 1 :]]) for i in range(len(chars))]
    # Two characters with one wrong say little: only names of just two characters then.
    return patterns if len(chars) == 2 else [f"%{p}%" for p in patterns]


def search_names(
    conn: Connection,
    chinese: str | None,
    pinyin: str | None,
    entities: Sequence[str],
    first: int,
) -> list[dict[str, Any]]:
    statement = search_statement(chinese, pinyin, entities, first)
    return statement.rows(conn) if statement is not None else []


def search_statement(
    chinese: str | None,
    pinyin: str | None,
    entities: Sequence[str],
    first: int,
    statuses: Sequence[str] = PUBLIC_STATUSES,
) -> Statement | None:
    """Best matches for a query given as characters (``chinese``) or as pinyin (``pinyin``)
    among records in ``statuses``: entity, entity_key, name, rank (0 exact … 3 fuzzy) and
    score; None for no query."""
    if chinese:
        q = like_escape(chinese)
        params: dict[str, Any] = {
            "q": chinese,
            "q_prefix": f"{q}%",
            "q_sub": f"%{q}%",
            "patterns": [f"%{q}%", *one_character_off(chinese)],
        }
        statement = _SEARCH_CHINESE
    elif pinyin:
        qp = like_escape(pinyin)
        params = {"qp": pinyin, "qp_prefix": f"{qp}%", "qp_sub": f"%{qp}%"}
        statement = _SEARCH_PINYIN
    else:
        return None
    params.update(entities=list(entities), first=first, statuses=list(statuses))
    return Statement(statement, params)


def rebuild_search_index(conn: Connection) -> int:
    """Writes the search keys of every named record anew; returns how many."""
    conn.execute(search_name.delete())
    count = 0
    for entity, sql in _SOURCES.items():
        names: dict[str, list[str]] = {}
        for key, name in conn.execute(text(sql)).all():
            names.setdefault(key, []).append(name)
            count += 1
        index_new(conn, entity, list(names.items()))
    return count


def index_names(conn: Connection, entity: str, key: str, names: Sequence[str]) -> None:
    """Keeps one record's search keys in step with its names (after an edit)."""
    conn.execute(
        text("DELETE FROM search_name WHERE entity = :entity AND entity_key = :key"),
        {"entity": entity, "key": key},
    )
    index_new(conn, entity, [(key, names)])


def index_new(conn: Connection, entity: str, records: Sequence[tuple[str, Sequence[str]]]) -> None:
    """The search keys of new records, (key, names) each, in one statement."""
    rows = []
    for key, names in records:
        for name in dict.fromkeys(names):
            compact, initials = search_keys(name)
            rows.append(
                {
                    "entity": entity,
                    "entity_key": key,
                    "name": name,
                    "pinyin_compact": compact,
                    "initials": initials,
                }
            )
    if rows:
        conn.execute(insert(search_name), rows)
