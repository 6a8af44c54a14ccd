"""What the registry stores, described once: collections, map layers, and the editable
kinds of record.

An ``EditableKind`` is the one description of a kind of record that staff edit (place
names, village roads, services).  From it come its collection (pages, filters, lookups by
id and by area), its edit lifecycle (the columns a change writes, the snapshot a revision
keeps, where its name must be unique), its source in name search, its vector-tile and
OGC API layer, and its history.  Every fragment here is fixed SQL written in this file;
values a client sends are always bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from db.tables import SERVICE_KINDS
from gis import OUTPUT_DECIMALS


@dataclass(frozen=True)
class Collection:
    """Where a collection's rows come from."""

    source: str  # FROM clause, with its alias
    key: str  # unique, ordered: pages follow it
    columns: str
    geometry: str  # the column spatial filters apply to
    status: str | None = None  # the lifecycle status column, for records that have one
    pending_status: str | None = None  # the status of a pending change of a published record


@dataclass(frozen=True)
class Layer:
    """A published, public view of one kind of record, as vector tiles and OGC API."""

    name: str  # as in URLs: /tiles/{name}/…, /ogc/collections/{name}
    title: str
    description: str
    rows: str  # SELECT … with id, geom and the attributes, published records only
    fields: dict[str, str]  # attribute → type name: String, Integer, Number, Boolean
    min_zoom: int = 0
    numeric_id: bool = True  # False where the id is a code (areas): a string in GeoJSON
    # Optional filter by one attribute (?level=…, ?kind=…): the attribute and its values.
    filter_by: str | None = None
    filter_values: tuple[str, ...] = ()
    # Tiles below this zoom keep one feature per cell, the first by ``rank`` (SQL over the
    # layer's row ``l``, smallest first): what a map shows when it shows the whole city.
    thin_below: int = 0
    rank: str = "0"


@dataclass(frozen=True)
class LayerSpec:
    """An editable kind's layer: what it shows besides the id and the geometry."""

    name: str
    title: str
    description: str
    attributes: str  # SQL over the kind's alias
    fields: dict[str, str]
    min_zoom: int = 0
    filter_by: str | None = None
    filter_values: tuple[str, ...] = ()
    thin_below: int = 0
    rank: str = "0"


# A scope of PARENT digits: the area above the record's own (a county's name is unique in
# its city, a township's in its county), whatever the level of the record's area.
PARENT = -1
PARENT_DIGITS = {4: 2, 6: 4, 9: 6, 12: 9}


@dataclass(frozen=True)
class UniqueName:
    """Where a name must be unique among live records: within the area whose code starts
    with the first ``digits`` of the record's area code (``PARENT``: the area above the
    record's), among records of the same value of ``per`` (when given, and only for the
    values listed in ``scopes``).  The same scope is where names that sound alike or
    differ by a character are warned of."""

    digits: int
    per: str | None = None
    scopes: dict[str, int] = field(default_factory=dict)  # value of ``per`` → digits


def pending_columns(alias: str) -> str:
    """An editable record's pending change, with its proposer's name."""
    return (
        f"{alias}.pending, {alias}.pending_status,"
        f" CASE WHEN {alias}.pending_by IS NOT NULL THEN"
        f" (SELECT u.name FROM app_user u WHERE u.id = {alias}.pending_by) END AS pending_by_name"
    )


@dataclass(frozen=True)
class EditableKind:
    """One kind of editable record; see the module's description."""

    entity: str  # the table; revision.entity and search_name.entity
    alias: str  # in the SQL of this description
    label: str  # in messages: "village road"
    label_zh: str  # in Chinese messages: "村内道路"
    type_name: str  # the GraphQL type: createVillageRoad, publishVillageRoad, …
    read_columns: str  # what a read returns (over alias), besides the pending change
    columns: tuple[str, ...]  # written by create, update and revert, besides the geometry
    name_column: str
    area_column: str
    layer: LayerSpec
    kind_column: str | None = None
    unique_name: UniqueName | None = None
    extra_snapshot: str = ""  # further ", 'key', value" pairs for the snapshot, over alias t
    # NOTIFY channel told (at commit) when a record shows on or leaves the public map.
    channel: str | None = None
    # A JSON column of further names ([{"name": …}, …]), found by name search too.
    other_names_column: str | None = None

    @property
    def collection(self) -> Collection:
        a = self.alias
        return Collection(
            source=f"{self.entity} {a}",
            key=f"{a}.id",
            columns=f"{self.read_columns}, {a}.review_case, {pending_columns(a)}",
            geometry=f"{a}.geom",
            status=f"{a}.status",
            pending_status=f"{a}.pending_status",
        )

    @property
    def area_key(self) -> str:
        return f"{self.alias}.{self.area_column}"

    @property
    def snapshot_sql(self) -> str:
        """The whole record of row ``t`` as JSON, geometry as GeoJSON: what revisions keep."""
        return (
            "(to_jsonb(t) - 'geom') || jsonb_build_object("
            f"'geometry', ST_AsGeoJSON(t.geom, {OUTPUT_DECIMALS})::jsonb{self.extra_snapshot})"
        )

    @property
    def search_source(self) -> str:
        """Its names, for the search index."""
        names = f"SELECT id::text AS key, {self.name_column} AS name FROM {self.entity}"
        if self.other_names_column:
            names += (
                f" UNION SELECT t.id::text, o ->> 'name' FROM {self.entity} t,"
                f" jsonb_array_elements(t.{self.other_names_column}) o"
            )
        return names

    def names_of(self, state: dict[str, object]) -> list[str]:
        """Every name a record in ``state`` is found by: its own first, then its others."""
        names = [str(state[self.name_column])]
        others = state.get(self.other_names_column) if self.other_names_column else None
        for other in others if isinstance(others, list) else []:
            if isinstance(other, dict) and other.get("name") and other["name"] not in names:
                names.append(str(other["name"]))
        return names

    @property
    def map_layer(self) -> Layer:
        a, spec = self.alias, self.layer
        return Layer(
            name=spec.name,
            title=spec.title,
            description=spec.description,
            rows=f"SELECT {a}.id, {spec.attributes}, {a}.geom"
            f" FROM {self.entity} {a} WHERE {a}.status = 'published'",
            fields=spec.fields,
            min_zoom=spec.min_zoom,
            filter_by=spec.filter_by,
            filter_values=spec.filter_values,
            thin_below=spec.thin_below,
            rank=spec.rank,
        )

    def name_scope(self, state: dict[str, object]) -> tuple[str, str, str | None] | None:
        """(name, area code prefix, kind) within which the name of a record in ``state``
        must be unique, or None when no such rule applies to it."""
        rule = self.unique_name
        area = state.get(self.area_column)
        if rule is None or not isinstance(area, str) or not area:
            return None
        kind = str(state[rule.per]) if rule.per else None
        digits = rule.scopes.get(kind, 0) if rule.scopes and kind is not None else rule.digits
        if digits == PARENT:
            digits = PARENT_DIGITS.get(len(area), 0)
        if not digits:
            return None
        return str(state[self.name_column]), area[:digits], kind


def _designation_flag(designation: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM place_name_designation d"
        f" WHERE d.place_name_id = p.id AND d.designation = '{designation}') AS {designation}"
    )


PLACE_NAME = EditableKind(
    entity="place_name",
    alias="p",
    label="place name",
    label_zh="地名",
    type_name="PlaceName",
    read_columns=f"""
        p.id, p.standard_name, p.specific_part, p.generic_part, p.pinyin, p.category,
        p.meaning, p.origin, p.former_names, p.alternate_names, p.area_code, p.status,
        p.version,
        ST_AsGeoJSON(p.geom, {OUTPUT_DECIMALS})::json AS geometry,
        ARRAY(SELECT d.designation FROM place_name_designation d
              WHERE d.place_name_id = p.id ORDER BY d.designation) AS designations""",
    columns=(
        "standard_name",
        "specific_part",
        "generic_part",
        "pinyin",
        "category",
        "meaning",
        "origin",
        "former_names",
        "alternate_names",
        "area_code",
    ),
    name_column="standard_name",
    area_column="area_code",
    kind_column="category",
    # As the regulations scope them (地名管理条例 2022, art. 9): roads and streets, and
    # villages, unique within their township (9 digits of the code); an administrative
    # area within the area above it (townships in their county, counties in the city).
    # Names of other categories may repeat.
    unique_name=UniqueName(
        digits=0,
        per="category",
        scopes={"road_street": 9, "settlement": 9, "administrative_area": PARENT},
    ),
    extra_snapshot=""",
        'designations', ARRAY(SELECT designation FROM place_name_designation
                              WHERE place_name_id = t.id)""",
    channel="place_name_changed",
    other_names_column="alternate_names",
    layer=LayerSpec(
        name="place-names",
        title="Place names",
        description="Standard place names (标准地名) with category and designations: red "
        "place names, place-name cultural heritage, the protection list.",
        attributes="p.standard_name AS name, p.pinyin, p.category, p.area_code, "
        + ", ".join(_designation_flag(d) for d in ("red", "heritage", "protected")),
        fields={
            "name": "String",
            "pinyin": "String",
            "category": "String",
            "area_code": "String",
            "red": "Boolean",
            "heritage": "Boolean",
            "protected": "Boolean",
        },
        # A whole-city map shows the areas' and settlements' names before streets'.
        thin_below=12,
        rank="CASE l.category WHEN 'administrative_area' THEN 0 WHEN 'settlement' THEN 2"
        " WHEN 'road_street' THEN 4 ELSE 3 END - (l.red OR l.heritage OR l.protected)::int",
    ),
)

VILLAGE_ROAD = EditableKind(
    entity="village_road",
    alias="r",
    label="village road",
    label_zh="村内道路",
    type_name="VillageRoad",
    read_columns=f"""
        r.id, r.name, r.pinyin, r.village_code, r.length_m, r.status, r.version,
        ST_AsGeoJSON(r.geom, {OUTPUT_DECIMALS})::json AS geometry""",
    columns=("name", "pinyin", "village_code"),
    name_column="name",
    area_column="village_code",
    unique_name=UniqueName(digits=9),  # within the township
    channel="village_road_changed",
    layer=LayerSpec(
        name="roads",
        title="Village roads",
        description="Named roads inside villages (村内道路).",
        attributes="r.name, r.pinyin, r.village_code,"
        " round(r.length_m::numeric, 1)::float AS length_m",
        fields={
            "name": "String",
            "pinyin": "String",
            "village_code": "String",
            "length_m": "Number",
        },
        min_zoom=10,
    ),
)

SERVICE = EditableKind(
    entity="service",
    alias="s",
    label="service",
    label_zh="服务设施",
    type_name="Service",
    read_columns=f"""
        s.id, s.kind, s.name, s.address, s.area_code, s.status, s.version,
        s.beds, s.nursing_beds, s.medical_care_combined, s.dementia_care_unit, s.meal_capacity,
        ST_AsGeoJSON(s.geom, {OUTPUT_DECIMALS})::json AS geometry""",
    columns=(
        "kind",
        "name",
        "address",
        "area_code",
        "beds",
        "nursing_beds",
        "medical_care_combined",
        "dementia_care_unit",
        "meal_capacity",
    ),
    name_column="name",
    area_column="area_code",
    kind_column="kind",
    channel="service_changed",
    layer=LayerSpec(
        name="services",
        title="Services",
        description="Elder-care institutions, township centres, community facilities, "
        "elder dining tables and social-assistance referral stations; ?kind= picks one.",
        attributes="s.name, s.kind, s.address, s.area_code, s.beds, s.nursing_beds,"
        " s.meal_capacity",
        fields={
            "name": "String",
            "kind": "String",
            "address": "String",
            "area_code": "String",
            "beds": "Integer",
            "nursing_beds": "Integer",
            "meal_capacity": "Integer",
        },
        filter_by="kind",
        filter_values=SERVICE_KINDS,
        # A whole-city map shows the institutions and centres before the smaller places.
        thin_below=12,
        rank="array_position(ARRAY['elder_care_institution', 'township_elder_center',"
        " 'assistance_station', 'community_elder_facility', 'elder_dining_table'], l.kind)",
    ),
)

# Every editable kind; adding one here gives it its collection, lifecycle, search source,
# map layer and history.
EDITABLE_KINDS: dict[str, EditableKind] = {
    kind.entity: kind for kind in (PLACE_NAME, VILLAGE_ROAD, SERVICE)
}

AREAS = Collection(
    source="admin_area a",
    key="a.code",
    columns="a.code, a.name, a.level, a.parent_code",
    geometry="a.geom",
)
