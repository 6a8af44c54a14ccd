"""Every geometry is valid, lies in Weihai, and nests in the area that holds it."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

GEOMETRY_COLUMNS = [
    ("admin_area", "geom"),
    ("admin_area", "rep_point"),
    ("place_name", "geom"),
    ("village_road", "geom"),
    ("service", "geom"),
    ("road_node", "geom"),
    ("road_edge", "geom"),
]


@pytest.mark.parametrize(("table", "column"), GEOMETRY_COLUMNS)
def test_geometries_are_valid_non_empty_wgs84(
    connection: Connection, table: str, column: str
) -> None:
    total, bad = connection.execute(
        text(
            f"SELECT count(*), count(*) FILTER (WHERE NOT ST_IsValid({column})"
            f" OR ST_IsEmpty({column})"
            f" OR ST_SRID({column}) <> 4326) FROM {table}"
        )
    ).one()
    assert total > 0
    assert bad == 0


@pytest.mark.parametrize(("table", "column"), GEOMETRY_COLUMNS)
def test_geometries_lie_inside_weihai(connection: Connection, table: str, column: str) -> None:
    outside = connection.execute(
        text(
            f"SELECT count(*) FROM {table} t, admin_area city "
            f"WHERE city.code = '3710' AND NOT ST_CoveredBy(t.{column}, city.geom)"
        )
    ).scalar_one()
    assert outside == 0


def test_city_outline_is_the_real_county_outlines(connection: Connection) -> None:
    """The city is the union of the four real county outlines (slivers aside)."""
    ratio = connection.execute(
        text("SELECT ST_Area(geom::geography) / 5.8e9 FROM admin_area WHERE code = '3710'")
    ).scalar_one()
    assert 0.8 < ratio < 1.2  # Weihai's land area is about 5,800 km²


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_each_area_lies_inside_its_parent(connection: Connection, level: str) -> None:
    outside = connection.execute(
        text(
            "SELECT count(*) FROM admin_area a JOIN admin_area p ON p.code = a.parent_code "
            "WHERE a.level = :level AND NOT ST_CoveredBy(a.geom, p.geom)"
        ),
        {"level": level},
    ).scalar_one()
    assert outside == 0


@pytest.mark.parametrize("level", ["county", "township"])
def test_children_tile_their_parent(connection: Connection, level: str) -> None:
    """Children cover their parent without overlapping: their areas add up to the parent's."""
    worst = connection.execute(
        text(
            """
        SELECT max(abs(children.area - ST_Area(p.geom)) / ST_Area(p.geom))
        FROM admin_area p
        JOIN LATERAL (SELECT sum(ST_Area(c.geom)) AS area FROM admin_area c
                      WHERE c.parent_code = p.code) children ON true
        WHERE p.level = :level
        """
        ),
        {"level": level},
    ).scalar_one()
    assert worst < 1e-9


def test_neighbouring_villages_do_not_overlap(connection: Connection) -> None:
    overlapping = connection.execute(
        text(
            "SELECT count(*) FROM admin_area a JOIN admin_area b "
            "ON a.code < b.code AND a.geom && b.geom AND ST_Overlaps(a.geom, b.geom) "
            "WHERE a.level = 'village' AND b.level = 'village'"
        )
    ).scalar_one()
    assert overlapping == 0


def test_representative_points_lie_inside_their_outlines(connection: Connection) -> None:
    outside = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE NOT ST_Covers(geom, rep_point)")
    ).scalar_one()
    assert outside == 0


def test_services_lie_inside_the_area_that_holds_them(connection: Connection) -> None:
    outside, not_village = connection.execute(
        text(
            "SELECT count(*) FILTER (WHERE NOT ST_Covers(a.geom, s.geom)),"
            " count(*) FILTER (WHERE a.level <> 'village')"
            " FROM service s JOIN admin_area a ON a.code = s.area_code"
        )
    ).one()
    assert (outside, not_village) == (0, 0)


def test_village_roads_lie_inside_their_village(connection: Connection) -> None:
    outside = connection.execute(
        text(
            "SELECT count(*) FROM village_road r JOIN admin_area v ON v.code = r.village_code "
            "WHERE NOT ST_CoveredBy(r.geom, v.geom)"
        )
    ).scalar_one()
    assert outside == 0


def test_every_large_village_has_a_named_road(connection: Connection) -> None:
    without = connection.execute(
        text(
            "SELECT count(*) FROM admin_area v WHERE v.level = 'village' AND v.households >= 300 "
            "AND NOT EXISTS (SELECT 1 FROM village_road r WHERE r.village_code = v.code)"
        )
    ).scalar_one()
    assert without == 0


def test_road_lengths_are_geodesic_metres(connection: Connection) -> None:
    worst = connection.execute(
        text("SELECT max(abs(length_m - ST_Length(geom::geography, true))) FROM village_road")
    ).scalar_one()
    assert worst < 1e-6


def test_road_network_reaches_every_township_seat_from_every_village(
    connection: Connection,
) -> None:
    """pgRouting sees one connected network: every village and seat is in one component."""
    components = connection.execute(
        text(
            """
        SELECT count(DISTINCT component) FROM pgr_connectedComponents(
            'SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM road_edge')
        """
        )
    ).scalar_one()
    assert components == 1


def test_named_village_roads_are_part_of_the_network(connection: Connection) -> None:
    missing = connection.execute(
        text(
            "SELECT count(*) FROM village_road r WHERE NOT EXISTS "
            "(SELECT 1 FROM road_edge e WHERE e.village_road_id = r.id)"
        )
    ).scalar_one()
    assert missing == 0


def test_shortest_path_runs_along_the_roads(connection: Connection) -> None:
    """A route between two villages is at least as long as the straight line between them."""
    route, straight = connection.execute(
        text(
            """
        WITH ends AS (
            SELECT (SELECT id FROM road_node ORDER BY id LIMIT 1) AS a,
                   (SELECT id FROM road_node ORDER BY id DESC LIMIT 1) AS b
        )
        SELECT (SELECT max(agg_cost) FROM pgr_dijkstra(
                    'SELECT id, source, target, length_m AS cost, length_m AS reverse_cost
                     FROM road_edge', ends.a, ends.b, false)),
               ST_Distance(na.geom::geography, nb.geom::geography)
        FROM ends JOIN road_node na ON na.id = ends.a JOIN road_node nb ON nb.id = ends.b
        """
        )
    ).one()
    assert route is not None
    assert route >= straight
