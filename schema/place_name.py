"""Place names (地名): the type, its inputs, and its collection and search."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry.types import Info

from db.kinds import PLACE_NAME, EditableKind
from domain.naming import name_on
from gis.chinese_crs import geojson_from_wgs84
from resolvers import records
from resolvers import search as search_resolvers
from resolvers.context import RegistryContext
from resolvers.filters import CollectionQuery
from schema.area_links import AreaType, area_chain
from schema.inputs import WGS84, CoordinateSystem, WithinInput
from schema.pagination import Connection, connection_from
from schema.reviewable import LifecycleStatus, Reviewable, pending_change_of, status_code
from schema.scalars import GeoJSON


@strawberry.enum(
    description="地名认定类别 / Designations of a place name; values are designation codes."
)
class Designation(Enum):
    RED = "red"  # 红色地名
    HERITAGE = "heritage"  # 地名文化遗产
    PROTECTED = "protected"  # 地名保护名录


@strawberry.enum(
    description="地名类别 / Category of a place name; values are place_name_category codes."
)
class PlaceNameCategory(Enum):
    ADMINISTRATIVE_AREA = "administrative_area"
    SETTLEMENT = "settlement"
    ROAD_STREET = "road_street"
    NATURAL_FEATURE = "natural_feature"
    MEMORIAL_SITE = "memorial_site"
    HERITAGE_SITE = "heritage_site"
    FACILITY = "facility"


@strawberry.enum(description="别名类型 / The kind of an alternate name (as GeoNames keeps them).")
class AlternateNameKind(Enum):
    FORMER = strawberry.enum_value("former", description="曾用名 / A former name")
    COLLOQUIAL = strawberry.enum_value("colloquial", description="俗称 / A colloquial name")
    ABBREVIATED = strawberry.enum_value("abbreviated", description="简称 / An abbreviation")
    HISTORIC = strawberry.enum_value("historic", description="历史地名 / A historic name")
    MINORITY_LANGUAGE = strawberry.enum_value(
        "minority_language", description="少数民族语地名 / A name in a minority language"
    )
    FOREIGN_EXONYM = strawberry.enum_value(
        "foreign_exonym", description="外语译名 / A name other languages give it"
    )


@strawberry.type(description="别名 / Another name of the place.")
class AlternateName:
    name: str
    kind: AlternateNameKind
    language: str = strawberry.field(
        description="语言标签 / BCP 47 language tag: zh, zh-Hant, en, ko, mn-Mong …"
    )
    preferred: bool = strawberry.field(
        description="该语言的首选名 / The preferred name in its language"
    )
    valid_from: date | None = strawberry.field(description="启用日期 / In use from")
    valid_to: date | None = strawberry.field(description="停用日期 / In use until (exclusive)")

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> AlternateName:
        return cls(
            name=item["name"],
            kind=AlternateNameKind(item["kind"]),
            language=item.get("language") or "zh",
            preferred=bool(item.get("preferred")),
            valid_from=date.fromisoformat(item["valid_from"]) if item.get("valid_from") else None,
            valid_to=date.fromisoformat(item["valid_to"]) if item.get("valid_to") else None,
        )


@strawberry.input(description="别名 / Another name of the place.")
class AlternateNameInput:
    name: str
    kind: AlternateNameKind
    language: str = strawberry.field(
        default="zh", description="语言标签 / BCP 47: zh, zh-Hant, en …"
    )
    preferred: bool = False
    valid_from: date | None = None
    valid_to: date | None = strawberry.field(default=None, description="不含当日 / Exclusive")


@strawberry.type(description="A standard place name (标准地名).")
class PlaceName(Reviewable):
    kind_of_record: ClassVar[EditableKind] = PLACE_NAME

    standard_name: str
    specific_part: str = strawberry.field(
        description="专名 / The specific part (what names this place)"
    )
    generic_part: str = strawberry.field(description="通名 / The generic part (路, 村, 镇…)")
    pinyin: str = strawberry.field(
        description="汉语拼音（GB/T 16159） / Hanyu Pinyin after GB/T 16159"
    )
    category: PlaceNameCategory
    geometry_wgs84: strawberry.Private[Any]
    meaning: str | None = strawberry.field(description="含义 / The name's meaning")
    origin: str | None = strawberry.field(description="来历 / The name's origin")
    former_names: list[str] = strawberry.field(
        description="曾用名 / The names of its FORMER alternate names"
    )
    alternate_names_json: strawberry.Private[list[dict[str, Any]]]
    designations: list[Designation]
    area_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PlaceName:
        return cls(
            id=strawberry.ID(str(row["id"])),
            standard_name=row["standard_name"],
            specific_part=row["specific_part"],
            generic_part=row["generic_part"],
            pinyin=row["pinyin"],
            category=PlaceNameCategory(row["category"]),
            geometry_wgs84=row["geometry"],
            meaning=row["meaning"],
            origin=row["origin"],
            former_names=list(row["former_names"]),
            alternate_names_json=list(row.get("alternate_names") or []),
            designations=[Designation(d) for d in row["designations"]],
            status=LifecycleStatus(row["status"]),
            version=row["version"],
            area_code=row["area_code"],
            pending=pending_change_of(row),
            case_json=row.get("review_case"),
        )

    @strawberry.field(
        description="几何 / A Point, a line or a polygon, in the coordinate system crs."
    )
    def geometry(self, crs: CoordinateSystem = WGS84) -> GeoJSON:
        return GeoJSON(geojson_from_wgs84(self.geometry_wgs84, crs))

    @strawberry.field(
        description="别名 / Its other names: former, colloquial, abbreviated, historic, in "
        "minority languages, foreign exonyms, each with its language and period"
    )
    def alternate_names(self) -> list[AlternateName]:
        return [AlternateName.from_json(a) for a in self.alternate_names_json]

    @strawberry.field(
        description="某日的名称 / What the place was called on a day: a FORMER or HISTORIC "
        "name valid then (the preferred first), else its standard name. (`asOf` is the "
        "registry's own history: the record as the registry held it then.)"
    )
    def name_on(self, date: date) -> str:
        return name_on(self.standard_name, self.alternate_names_json, date.isoformat())

    @strawberry.field(
        description="所属区划链 / The areas that hold the place, smallest first, up to the city."
    )
    async def area_chain(self, info: Info[RegistryContext, None]) -> list[AreaType]:
        return await area_chain(info, self.area_code)


PlaceNameConnection = Connection[PlaceName]


@strawberry.input(description="新地名申报 / A new place name; it starts as a proposal.")
class PlaceNameInput:
    standard_name: str
    category: PlaceNameCategory
    geometry: GeoJSON
    area_code: str = strawberry.field(description="所在区划 / The area that holds the place")
    pinyin: str | None = strawberry.field(
        default=None,
        description="拼音（省略时按 GB/T 16159 生成） / Omitted: generated after GB/T 16159",
    )
    meaning: str | None = None
    origin: str | None = None
    former_names: list[str] | None = None
    alternate_names: list[AlternateNameInput] | None = None


@strawberry.input(
    description="地名修改 / Fields to change; those left out stay as they are, and null clears an "
    "optional one (meaning, origin, formerNames; pinyin: generated anew)."
)
class PlaceNamePatch:
    standard_name: str | None = strawberry.UNSET
    category: PlaceNameCategory | None = strawberry.UNSET
    geometry: GeoJSON | None = strawberry.UNSET
    area_code: str | None = strawberry.UNSET
    pinyin: str | None = strawberry.UNSET
    meaning: str | None = strawberry.UNSET
    origin: str | None = strawberry.UNSET
    former_names: list[str] | None = strawberry.UNSET
    alternate_names: list[AlternateNameInput] | None = strawberry.UNSET


async def place_names(
    info: Info[RegistryContext, None],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    designations: list[Designation] | None = None,
    categories: list[PlaceNameCategory] | None = None,
    bbox: list[float] | None = None,
    within: WithinInput | None = None,
    intersects: GeoJSON | None = None,
    in_area: str | None = None,
    status: LifecycleStatus | None = LifecycleStatus.PUBLISHED,
    as_of: datetime | None = None,
    crs: CoordinateSystem = WGS84,
) -> PlaceNameConnection:
    query = place_names_query(
        first=first,
        after=after,
        last=last,
        before=before,
        designations=designations,
        categories=categories,
        bbox=bbox,
        within=within,
        intersects=intersects,
        in_area=in_area,
        status=status,
        as_of=as_of,
        crs=crs,
    )
    return connection_from(await records.place_names(info.context, query), PlaceName.from_row)


def place_names_query(
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    designations: list[Designation] | None,
    categories: list[PlaceNameCategory] | None,
    bbox: list[float] | None,
    within: WithinInput | None,
    intersects: GeoJSON | None,
    in_area: str | None,
    status: LifecycleStatus | None,
    as_of: datetime | None,
    crs: CoordinateSystem,
) -> CollectionQuery:
    """The arguments of place_names as a collection query (every one given: the
    defaults are the field's, in its resolver's signature)."""
    return CollectionQuery(
        first=first,
        after=after,
        last=last,
        before=before,
        designations=[d.value for d in designations] if designations is not None else None,
        categories=[c.value for c in categories] if categories is not None else None,
        bbox=bbox,
        within=WithinInput.convert(within),
        intersects=intersects,
        in_area=in_area,
        status=status_code(status),
        as_of=as_of,
        crs=crs,
    )


async def search_place_names(
    info: Info[RegistryContext, None], query: str, first: int | None = search_resolvers.DEFAULT_HITS
) -> list[PlaceName]:
    rows = await search_resolvers.search_place_names(info.context, query, first)
    return [PlaceName.from_row(row) for row in rows]
