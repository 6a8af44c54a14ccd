"""The map layers: what vector tiles and OGC API Features serve, defined once.

Each layer is a published, public view of one kind of record: the SQL of its rows (with a
``geom`` column in WGS84 and the attributes a map styles by), its id, and the types of its
attributes (for TileJSON and the OGC collection's description).  The areas and villages
are defined here; the editable kinds bring theirs (``db.kinds``).  The SQL is fixed text
written here; every value a client sends is a bound parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from db.kinds import EDITABLE_KINDS, Layer
from db.statements import Statement
from db.tables import AREA_LEVELS
from gis import SRID

# Vector tiles: the usual MVT extent and the margin that keeps strokes whole at tile edges.
TILE_EXTENT = 4096
TILE_BUFFER = 64
MAX_ZOOM = 22
# Geometries in a tile are simplified by this share of one of its units (invisible).
SIMPLIFY_UNITS = 1.0
# Below a layer's thin_below zoom, one feature per square of this many units is kept:
# at most (4096 / 128)² = 1,024 features a tile.
THIN_CELL = 128


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            name="areas",
            title="Administrative areas",
            description="City, counties, townships (乡镇/街道) and villages (村/居委会) with "
            "their statistical codes and population figures; ?level= picks one level.",
            # The village figures summed once per prefix (city, county, township,
            # village), joined by code: a page or a count never sums row by row.
            rows="""
                SELECT a.code AS id, a.code, a.name, a.level, a.parent_code,
                       f.households, f.population, f.elderly, a.geom
                FROM admin_area a LEFT JOIN (
                    SELECT left(v.code, n.digits) AS code,
                           sum(v.households)::int AS households,
                           sum(v.population)::int AS population,
                           sum(v.elderly)::int AS elderly
                    FROM (VALUES (4), (6), (9), (12)) n(digits) CROSS JOIN admin_area v
                    WHERE v.level = 'village'
                    GROUP BY 1) f ON f.code = a.code""",
            fields={
                "code": "String",
                "name": "String",
                "level": "String",
                "parent_code": "String",
                "households": "Integer",
                "population": "Integer",
                "elderly": "Integer",
            },
            numeric_id=False,
            filter_by="level",
            filter_values=AREA_LEVELS,
        ),
        Layer(
            name="villages",
            title="Villages",
            description="Villages and residents' committees with households, population "
            "and residents aged 60 and over.",
            rows="""
                SELECT a.code AS id, a.code, a.name, left(a.code, 9) AS township_code,
                       a.households, a.population, a.elderly,
                       -- four decimals need no double: a real is half the bytes in a tile
                       round(a.elderly::numeric / nullif(a.population, 0), 4)::real
                           AS elderly_share,
                       a.geom
                FROM admin_area a WHERE a.level = 'village'""",
            fields={
                "code": "String",
                "name": "String",
                "township_code": "String",
                "households": "Integer",
                "population": "Integer",
                "elderly": "Integer",
                "elderly_share": "Number",
            },
            numeric_id=False,
            min_zoom=9,
        ),
        Layer(
            name="area-labels",
            title="Area labels",
            description="Where a map writes each area's name: one point per area (its "
            "representative point), so that a name is written once, not once per tile.",
            rows="""
                SELECT a.code AS id, a.name, a.level, a.rep_point AS geom
                FROM admin_area a""",
            fields={"name": "String", "level": "String"},
            numeric_id=False,
            filter_by="level",
            filter_values=AREA_LEVELS,
        ),
        # Each editable kind (place names, village roads, services) brings its own.
        *(kind.map_layer for kind in EDITABLE_KINDS.values()),
    )
}


def area_levels_at(zoom: int) -> list[str]:
    """The levels an areas tile holds when the client names none: finer ones as it zooms in."""
    if zoom < 8:
        return ["city", "county"]
    if zoom < 11:
        return ["city", "county", "township"]
    return ["city", "county", "township", "village"]


def filtered_rows(layer: Layer) -> str:
    """The layer's rows, kept to those whose filter attribute is in :values (NULL: all)."""
    if layer.filter_by is None:
        return f"SELECT * FROM ({layer.rows}) l"
    return (
        f"SELECT * FROM ({layer.rows}) l"
        f" WHERE (CAST(:values AS text[]) IS NULL OR l.{layer.filter_by} = ANY(:values))"
    )


def tile(
    conn: Connection, layer: Layer, z: int, x: int, y: int, *, values: list[str] | None
) -> bytes:
    """One Mapbox Vector Tile of the layer (empty bytes when nothing is in it)."""
    return tile_bytes(tile_statement(layer, z, x, y, values=values).rows(conn))


def tile_bytes(rows: list[dict[str, Any]]) -> bytes:
    found = rows[0]["mvt"] if rows else None
    return bytes(found) if found else b""


def tile_statement(
    layer: Layer,
    z: int,
    x: int,
    y: int,
    *,
    values: list[str] | None,
    only: str = "true",
    layer_name: str | None = None,
    degrees: bool = False,
) -> Statement:
    """The statement of one Mapbox Vector Tile of the layer, in a column mvt.

    Tiles are addressed in Web Mercator (WebMercatorQuad, what web maps ask for), or with
    ``degrees`` in longitude/latitude (WorldCRS84Quad: two tiles of 180° at zoom 0).
    ``only`` is fixed SQL over the row ``l`` (an OGC collection's part of the layer).
    Geometries are simplified by half a tile unit (the tile holds what a screen shows,
    not every surveyed vertex); below the layer's ``thin_below`` zoom, one feature per
    cell of ``THIN_CELL`` units is kept, the first by the layer's ``rank``, so that no
    tile of the whole city at a low zoom outgrows a client.
    """
    # The record's id is the feature's own id, not repeated among the attributes.
    attributes = ", ".join(f"l.{name}" for name in layer.fields)
    columns = ", ".join(layer.fields)
    thinned = (
        f"""SELECT DISTINCT ON (cell_x, cell_y) * FROM (
                SELECT f.*, floor(ST_X(ST_PointOnSurface(f.mvt_geom)) / {THIN_CELL}) AS cell_x,
                       floor(ST_Y(ST_PointOnSurface(f.mvt_geom)) / {THIN_CELL}) AS cell_y
                FROM features f WHERE f.mvt_geom IS NOT NULL) c
            ORDER BY cell_x, cell_y, rank, feature_id"""
        if z < layer.thin_below
        else "SELECT * FROM features WHERE mvt_geom IS NOT NULL"
    )
    # MVT feature ids are unsigned integers: areas and villages, keyed by a code of digits,
    # carry the code as a number too (clients select and highlight features by it).
    params: dict[str, Any] = {"z": z, "x": x, "y": y, "values": values}
    if degrees:
        size = 180 / 2**z
        west, north = -180 + x * size, 90 - y * size
        margin = size * TILE_BUFFER / TILE_EXTENT
        params.update(
            west=west,
            south=north - size,
            east=west + size,
            north=north,
            search_south=max(-90.0, north - size - margin),
            search_north=min(90.0, north + margin),
            margin=margin,
        )
        bounds = f"""
            SELECT ST_MakeEnvelope(:west, :south, :east, :north, {SRID}) AS tile,
                   ST_MakeEnvelope(:west - :margin, :search_south, :east + :margin,
                                   :search_north, {SRID}) AS search"""
        drawn = "l.geom"
    else:
        # The margin is cut at the world's edge: a box past 180° would wrap in degrees.
        bounds = f"""
            SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
                   ST_Transform(ST_Intersection(
                       ST_TileEnvelope(:z, :x, :y, margin => {TILE_BUFFER / TILE_EXTENT}),
                       ST_TileEnvelope(0, 0, 0)), {SRID}) AS search"""
        drawn = "ST_Transform(l.geom, 3857)"
    sql = text(
        f"""
        WITH bounds AS ({bounds}),
        features AS (
            SELECT {attributes}, l.id::bigint AS feature_id, ({layer.rank}) AS rank,
                   ST_AsMVTGeom(
                       ST_Simplify({drawn}, {SIMPLIFY_UNITS}
                           * (ST_XMax(bounds.tile) - ST_XMin(bounds.tile)) / {TILE_EXTENT},
                           true),
                       bounds.tile, {TILE_EXTENT}, {TILE_BUFFER}, true) AS mvt_geom
            FROM ({filtered_rows(layer)}) l, bounds
            WHERE l.geom && bounds.search AND ({only})
        ),
        kept AS ({thinned})
        SELECT ST_AsMVT(t, :layer, {TILE_EXTENT}, 'mvt_geom', 'feature_id') AS mvt
        FROM (SELECT {columns}, feature_id, mvt_geom FROM kept) t
        """
    )
    return Statement(sql, {**params, "layer": layer_name or layer.name})


def extent(conn: Connection, layer: Layer) -> tuple[float, float, float, float] | None:
    """The layer's bounding box (west, south, east, north), or None when it is empty."""
    return bounds_of(extent_statement(layer).rows(conn))


def extent_statement(layer: Layer) -> Statement:
    return Statement(
        text(
            "SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east,"
            " ST_YMax(e) AS north"
            f" FROM (SELECT ST_Extent(l.geom) AS e FROM ({layer.rows}) l) x"
        ),
        {},
    )


def bounds_of(rows: list[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    (row,) = rows
    if row["west"] is None:
        return None
    return row["west"], row["south"], row["east"], row["north"]
