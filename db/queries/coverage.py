"""Coverage: how far each village is from services, in a straight line or by road.

A straight distance is geodesic metres on the WGS84 spheroid between a village's
representative point and a service.  A road distance is the leg from the village to the
nearest point on the nearest road, the shortest way along the network (pgRouting), and the
leg from the road to the service: every piece is measured on the spheroid, so a road
distance is never shorter than the straight one.  Where each point joins the network is
kept in village_road_link and service_road_link (migration 0006).

Every question is asked of a scenario: the published services of some kinds, less the
closed ones, with the proposed ones if asked, and with hypothetical sites added.  The
empty scenario is the registry as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from db.statements import Lookup, Statement
from gis import SRID
from gis.spatial import geodesic_box_sql

# The whole network, as pgRouting reads it: every road can be driven both ways.
ROAD_EDGES_SQL = (
    "SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM road_edge"
)

Row = dict[str, Any]


@dataclass(frozen=True)
class HypotheticalSite:
    """A service that does not exist: a kind, a capacity, a point in WGS84."""

    kind: str
    lon: float
    lat: float
    capacity: int


@dataclass(frozen=True)
class Scenario:
    """Which services count: published ones of the kinds asked for, then these changes."""

    with_proposed: bool = False
    closed: tuple[int, ...] = ()
    sites: tuple[HypotheticalSite, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.with_proposed or self.closed or self.sites)

    def params(self, kinds: Sequence[str]) -> dict[str, Any]:
        return {
            "kinds": list(kinds),
            "with_proposed": self.with_proposed,
            "closed": list(self.closed),
            "site_kinds": [s.kind for s in self.sites],
            "site_lons": [s.lon for s in self.sites],
            "site_lats": [s.lat for s in self.sites],
            "site_capacities": [s.capacity for s in self.sites],
        }


AS_IT_STANDS = Scenario()

# Services of the registry that count in a scenario.
_COUNTED = """
    s.kind = ANY(:kinds) AND NOT (s.id = ANY(CAST(:closed AS bigint[])))
    AND (s.status = 'published'
         OR (CAST(:with_proposed AS boolean) AND s.status IN ('proposed', 'approved')))
"""

# Hypothetical sites of the kinds asked for, numbered from 1 in the order given.
_SITES = f"""
    SELECT 'site-' || h.n AS ref, h.kind, h.capacity AS supply,
           ST_SetSRID(ST_MakePoint(h.lon, h.lat), {SRID}) AS geom
    FROM unnest(CAST(:site_kinds AS text[]), CAST(:site_lons AS float8[]),
                CAST(:site_lats AS float8[]), CAST(:site_capacities AS int[]))
         WITH ORDINALITY AS h(kind, lon, lat, capacity, n)
    WHERE h.kind = ANY(:kinds)
"""

# A service's supply: its beds, or its meals a day.
_SUPPLY = "coalesce(s.beds, s.meal_capacity, 0)"

# The supply of every service of the scenario, hypothetical sites included.
_SERVICE_SUPPLY = f"""
    SELECT s.id::text AS ref, {_SUPPLY} AS supply FROM service s WHERE {_COUNTED}
    UNION ALL
    SELECT h.ref, h.supply FROM ({_SITES}) h
"""

_LINK_COLUMNS = "l.edge_id, l.source, l.target, l.fraction, l.leg_m, l.to_source_m, l.to_target_m"

# Every service of the scenario where it joins the network, with its supply.
_SERVICE_LINKS = f"""
    SELECT s.id::text AS ref, {_SUPPLY} AS supply, {_LINK_COLUMNS}
    FROM service s JOIN service_road_link l ON l.service_id = s.id
    WHERE {_COUNTED}
    UNION ALL
    SELECT h.ref, h.supply, {_LINK_COLUMNS}
    FROM ({_SITES}) h CROSS JOIN LATERAL road_link_of(h.geom) l
"""

_VILLAGES_OF_AREA = """
    SELECT v.code, v.name, v.level, v.parent_code, v.households, v.elderly, v.elderly_80,
           v.rep_point, ST_X(v.rep_point) AS lon, ST_Y(v.rep_point) AS lat
    FROM admin_area v
    WHERE v.level = 'village' AND v.code LIKE :area_code || '%'
"""

_VILLAGE_LINKS = f"""
    SELECT v.code AS ref, {_LINK_COLUMNS}
    FROM admin_area v JOIN village_road_link l ON l.village_code = v.code
    WHERE v.level = 'village' AND v.code LIKE :area_code || '%'
"""


def _road_pairs(origins: str, destinations: str) -> str:
    """(origin, destination, metres) for every pair within :metres by road.

    From each origin, the network is entered at either end of its edge; pgRouting walks
    from every such node at once (one walk per node, not per origin), and the walk is left
    at either end of the destination's edge.  Two points on the same edge may also meet
    along it.  The shortest of these ways is the road distance."""
    return f"""
    WITH o AS MATERIALIZED ({origins}),
    d AS MATERIALIZED ({destinations}),
    o_end AS (
        SELECT ref, source AS node, leg_m + to_source_m AS cost FROM o
        UNION ALL SELECT ref, target, leg_m + to_target_m FROM o
    ),
    d_end AS (
        SELECT ref, source AS node, leg_m + to_source_m AS cost FROM d
        UNION ALL SELECT ref, target, leg_m + to_target_m FROM d
    ),
    walk AS (
        SELECT from_v, node, agg_cost FROM pgr_drivingDistance(
            :edges_sql,
            (SELECT array_agg(DISTINCT node) FROM o_end WHERE cost <= :metres),
            :metres, directed => false, equicost => false)
    ),
    ways AS (
        SELECT oe.ref AS origin, de.ref AS destination, oe.cost + w.agg_cost + de.cost AS metres
        FROM o_end oe
        JOIN walk w ON w.from_v = oe.node
        JOIN d_end de ON de.node = w.node
        UNION ALL
        SELECT o.ref, d.ref,
               o.leg_m + d.leg_m + ST_Length(ST_LineSubstring(
                   e.geom, least(o.fraction, d.fraction), greatest(o.fraction, d.fraction)
               )::geography)
        FROM o JOIN d ON d.edge_id = o.edge_id JOIN road_edge e ON e.id = o.edge_id
    )
    SELECT origin, destination, min(metres) AS metres
    FROM ways WHERE metres <= :metres
    GROUP BY origin, destination
    """


# Distance from each village of the area to the nearest counted service within :metres
# (NULL when none is), straight or by road.
_NEAREST_BY_RADIUS = text(
    f"""
    SELECT v.code, v.households, v.elderly, v.elderly_80,
           least(
               (SELECT min(ST_Distance(s.geom::geography, v.rep_point::geography))
                FROM service s
                WHERE {_COUNTED}
                  AND s.geom && {geodesic_box_sql("v.rep_point", ":metres")}
                  AND ST_DWithin(s.geom::geography, v.rep_point::geography, :metres)),
               (SELECT min(ST_Distance(h.geom::geography, v.rep_point::geography))
                FROM ({_SITES}) h
                WHERE ST_DWithin(h.geom::geography, v.rep_point::geography, :metres))
           ) AS distance_m
    FROM ({_VILLAGES_OF_AREA}) v
    ORDER BY v.code
    """
)

# The same as _NEAREST_BY_RADIUS for the registry as it stands, read from the distances
# kept per village and kind (migration 0008).  For a city or less, an index probe per
# village; for a province or more, one pass over the kept distances joined by code.
_NEAREST_KEPT = text(
    f"""
    SELECT v.code, v.households, v.elderly, v.elderly_80,
           (SELECT min(n.distance_m) FROM village_nearest_service n
            WHERE n.village_code = v.code AND n.kind = ANY(:kinds) AND n.distance_m <= :metres
           ) AS distance_m
    FROM ({_VILLAGES_OF_AREA}) v
    ORDER BY v.code
    """
)
_NEAREST_KEPT_WIDE = text(
    f"""
    SELECT v.code, v.households, v.elderly, v.elderly_80, n.metres AS distance_m
    FROM ({_VILLAGES_OF_AREA}) v
    LEFT JOIN (
        SELECT village_code, min(distance_m) AS metres FROM village_nearest_service
        WHERE village_code LIKE :area_code || '%' AND kind = ANY(:kinds)
          AND distance_m <= :metres
        GROUP BY village_code
    ) n ON n.village_code = v.code
    ORDER BY v.code
    """
)
# Codes this short name a province or the whole country.
_WIDE_AREA_CODE_LENGTH = 2

_NEAREST_BY_ROAD = text(
    f"""
    WITH reach AS ({_road_pairs(_SERVICE_LINKS, _VILLAGE_LINKS)}),
    nearest AS (SELECT destination, min(metres) AS metres FROM reach GROUP BY destination)
    SELECT v.code, v.households, v.elderly, v.elderly_80, n.metres AS distance_m
    FROM ({_VILLAGES_OF_AREA}) v
    LEFT JOIN nearest n ON n.destination = v.code
    ORDER BY v.code
    """
)


def village_distances(
    conn: Connection,
    area_code: str,
    kinds: Sequence[str],
    mode: str,
    metres: float,
    *,
    scenario: Scenario = AS_IT_STANDS,
    direct: bool = False,
) -> list[Row]:
    """Every village of the area, by code, with its households and elderly, ``distance_m``
    to the nearest service of the scenario within ``metres`` ("radius": straight, "road":
    by road), and ``covered``; names and the rest come from the areas' loader.
    ``direct``: by radius, measure even when the kept distances could answer."""
    if mode == "road":
        statement = _NEAREST_BY_ROAD
    elif scenario.is_empty and not direct:
        wide = len(area_code) <= _WIDE_AREA_CODE_LENGTH
        statement = _NEAREST_KEPT_WIDE if wide else _NEAREST_KEPT
    else:
        statement = _NEAREST_BY_RADIUS
    params = {
        **scenario.params(kinds),
        "area_code": area_code,
        "metres": metres,
        "edges_sql": ROAD_EDGES_SQL,
    }
    # Unpacked into literal dicts: a country's 620,000 rows made into mappings by name
    # would cost seconds.
    return [
        {
            "code": code,
            "households": households,
            "elderly": elderly,
            "elderly_80": elderly_80,
            "distance_m": metres,
            "covered": metres is not None,
        }
        for code, households, elderly, elderly_80, metres in conn.execute(statement, params)
    ]


def coverage_by_radius(
    conn: Connection, area_code: str, kinds: Sequence[str], radius_m: float
) -> list[Row]:
    """Every village of the area with ``covered``: a service within ``radius_m`` geodesic metres."""
    return village_distances(conn, area_code, kinds, "radius", radius_m)


def coverage_by_road(
    conn: Connection, area_code: str, kinds: Sequence[str], road_m: float
) -> list[Row]:
    """Every village of the area with ``covered``: a service within ``road_m`` by road."""
    return village_distances(conn, area_code, kinds, "road", road_m)


def villages_of(conn: Connection, area_code: str) -> list[Row]:
    """The villages of an area (or the village itself), by code."""
    sql = text(
        "SELECT v.code, v.name, v.level, v.parent_code, v.households, v.elderly, v.elderly_80,"
        f" v.lon, v.lat FROM ({_VILLAGES_OF_AREA}) v ORDER BY v.code"
    )
    return [dict(row) for row in conn.execute(sql, {"area_code": area_code}).mappings()]


def area_exists(conn: Connection, code: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM admin_area WHERE code = :c"), {"c": code}).scalar()
    )


def sites_outside(
    conn: Connection, area_code: str, points: Sequence[tuple[float, float]]
) -> list[int]:
    """Indexes (from 0) of the points that the area's outline does not cover."""
    if not points:
        return []
    sql = text(
        f"""
        SELECT p.n - 1
        FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY p(lon, lat, n)
        WHERE NOT EXISTS (
            SELECT 1 FROM admin_area a
            WHERE a.code = :code
              AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), {SRID}))
        )
        ORDER BY p.n
        """
    )
    params = {"code": area_code, "lons": [p[0] for p in points], "lats": [p[1] for p in points]}
    return [row[0] for row in conn.execute(sql, params)]


def unknown_services(conn: Connection, ids: Sequence[int]) -> list[int]:
    """The ids among these that no service has."""
    sql = text(
        "SELECT i FROM unnest(CAST(:ids AS bigint[])) i "
        "WHERE NOT EXISTS (SELECT 1 FROM service s WHERE s.id = i) ORDER BY i"
    )
    return [row[0] for row in conn.execute(sql, {"ids": list(ids)})]


_PAIRS_BY_RADIUS = text(
    f"""
    WITH sites AS MATERIALIZED ({_SITES})
    SELECT v.code, v.elderly, v.elderly_80, s.ref AS service, s.supply,
           ST_Distance(s.geom::geography, v.rep_point::geography) AS metres
    FROM admin_area v
    JOIN LATERAL (
        SELECT s.id::text AS ref, {_SUPPLY} AS supply, s.geom
        FROM service s
        WHERE {_COUNTED} AND s.geom && {geodesic_box_sql("v.rep_point", ":metres")}
        UNION ALL
        SELECT h.ref, h.supply, h.geom FROM sites h
    ) s ON ST_DWithin(s.geom::geography, v.rep_point::geography, :metres)
    WHERE v.level = 'village'
    """
)

_PAIRS_BY_ROAD = text(
    f"""
    WITH reach AS ({_road_pairs(_SERVICE_LINKS, _VILLAGE_LINKS)}),
    supply AS ({_SERVICE_SUPPLY})
    SELECT v.code, v.elderly, v.elderly_80, r.origin AS service, s.supply, r.metres
    FROM reach r
    JOIN admin_area v ON v.code = r.destination
    JOIN supply s ON s.ref = r.origin
    """
)


def village_service_pairs(
    conn: Connection,
    kinds: Sequence[str],
    mode: str,
    metres: float,
    *,
    scenario: Scenario = AS_IT_STANDS,
) -> list[Row]:
    """Every (village, service) pair within reach, city-wide, with the distance, the
    village's elderly (60+ and 80+) and the service's supply (beds, or meals a day)."""
    statement = _PAIRS_BY_RADIUS if mode == "radius" else _PAIRS_BY_ROAD
    params = {
        **scenario.params(kinds),
        "area_code": "",
        "metres": metres,
        "edges_sql": ROAD_EDGES_SQL,
    }
    return [dict(row) for row in conn.execute(statement, params).mappings()]


_VILLAGE_PAIRS_BY_RADIUS = text(
    f"""
    SELECT c.code AS site, d.code AS reached
    FROM admin_area c
    JOIN admin_area d
      ON d.level = 'village' AND d.code = ANY(:demand)
     AND d.rep_point && {geodesic_box_sql("c.rep_point", ":metres")}
     AND ST_DWithin(d.rep_point::geography, c.rep_point::geography, :metres)
    WHERE c.code = ANY(:candidates)
    """
)

_CANDIDATE_LINKS = f"""
    SELECT l.village_code AS ref, {_LINK_COLUMNS}
    FROM village_road_link l WHERE l.village_code = ANY(:candidates)
"""
_DEMAND_LINKS = f"""
    SELECT l.village_code AS ref, {_LINK_COLUMNS}
    FROM village_road_link l WHERE l.village_code = ANY(:demand)
"""

_VILLAGE_PAIRS_BY_ROAD = text(
    f"""
    SELECT origin AS site, destination AS reached
    FROM ({_road_pairs(_CANDIDATE_LINKS, _DEMAND_LINKS)}) p
    """
)


def village_reach(
    conn: Connection, candidates: Sequence[str], demand: Sequence[str], mode: str, metres: float
) -> list[tuple[str, str]]:
    """(site, reached) pairs: demand villages within reach of each candidate village."""
    if not candidates or not demand:
        return []
    statement = _VILLAGE_PAIRS_BY_RADIUS if mode == "radius" else _VILLAGE_PAIRS_BY_ROAD
    params = {
        "candidates": list(candidates),
        "demand": list(demand),
        "metres": metres,
        "edges_sql": ROAD_EDGES_SQL,
    }
    return [(row[0], row[1]) for row in conn.execute(statement, params)]


_CAPACITY_OF = text(
    """
    SELECT a.code,
           coalesce(sum(s.beds), 0)::int AS beds,
           coalesce(sum(s.nursing_beds), 0)::int AS nursing_beds,
           coalesce(sum(s.meal_capacity), 0)::int AS meals
    FROM admin_area a
    LEFT JOIN service s ON s.area_code LIKE a.code || '%' AND s.status = 'published'
    WHERE a.code = ANY(:codes)
    GROUP BY a.code
    """
)
# Beds, nursing beds and daily meals of the published services in each area.
capacity_of: Lookup[str] = Lookup(
    lambda codes: Statement(_CAPACITY_OF, {"codes": list(codes)}), key="code"
)
