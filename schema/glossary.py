"""What the schema's recurring names mean, in Chinese and English, written once.

An argument such as ``crs`` or ``first`` appears on dozens of fields and means the same on
each; a field such as ``beds`` on every type that has it.  Descriptions written beside a
field in its module win; this glossary gives every type, field, argument, input field and
enum value that has none its description (``document``), by the most specific key first:
``Type.field.argument`` before ``argument``, ``Type.field`` before ``field``.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

TYPES = {
    "Query": "查询 / Reading the registry",
    "Mutation": "变更 / Editing the registry: every edit is checked, reviewed and kept in the "
    "history",
    "Subscription": "订阅 / Live changes of the public map, over WebSocket",
}
# The scalars every GraphQL schema has, and those strawberry brings: described here in both
# languages, in place of their English-only texts.
SCALARS = {
    "String": "字符串 / Text (UTF-8)",
    "Int": "整数 / A whole number (32 bits, signed)",
    "Float": "浮点数 / A number (double precision)",
    "Boolean": "布尔值 / true or false",
    "ID": "标识 / An identifier, written as a string",
    "Date": "日期 / A date, ISO 8601 (2026-11-30)",
    "DateTime": "日期时间 / A date and time, ISO 8601 with its offset",
    "JSON": "JSON 值 / Any JSON value (ECMA-404)",
    "Upload": "上传文件 / A file sent with the request (GraphQL multipart request)",
}

FIELDS = {
    # connections
    "cursor": "游标 / The cursor of this record, for after: and before:",
    "node": "记录 / The record",
    "edges": "本页记录 / The records of this page, in key order",
    "pageInfo": "分页信息 / Where this page starts and ends, and whether pages are on either side",
    "hasNextPage": "是否有下一页 / Whether records follow this page",
    "endCursor": "末条游标 / The cursor of the last record of this page (null when empty)",
    # records
    "id": "编号 / The record's own id (what mutations take)",
    "status": "状态 / Where the record is in its life: proposed, approved, published, retired",
    "name": "名称 / The name",
    "standardName": "标准地名 / The standard name (GB/T 16159 rules applied)",
    "category": "地名类别 / The category of the place name",
    "designations": "名录 / Red place name, place-name cultural heritage, protection list",
    "pinyin": "汉语拼音 / Hanyu Pinyin (GB/T 16159)",
    "address": "地址 / The address",
    "kind": "类型 / The kind",
    "level": "层级 / The level: city, county, township (乡镇/街道) or village (村/居委会)",
    "beds": "床位数 / Beds",
    "nursingBeds": "护理型床位数 / Nursing beds",
    "areaCode": "区划代码 / The statistical division code of the area",
    "elderly": "60 岁及以上人口 / Residents aged 60 and over",
    "households": "户数 / Households",
    "villages": "村（居）数 / Villages",
    "coveredVillages": "已覆盖的村（居）数 / Villages covered",
    "coveredHouseholds": "已覆盖的户数 / Households in villages covered",
    "coveredElderly": "已覆盖的老年人数 / Residents aged 60 and over in villages covered",
    "bedsPer100Elderly": "每百名老年人床位数 / Beds per 100 residents aged 60 and over",
    "mealsPer100Elderly": "每百名老年人每日供餐 / Daily meals per 100 residents aged 60 and over",
    "demand": "需求人数 / The count of the demand group",
    "score": "可达性得分 / The accessibility score (supply within reach per person)",
    "scoreBefore": "情景前得分 / The score with the registry as it stands; null without a scenario",
    "scorePer100": "每百人得分 / The score per 100 people of the demand group",
    "scorePer100Elderly": "每百名老年人得分 / The score per 100 residents aged 60 and over",
    "area": "区划 / The area",
    "service": "服务设施 / The service",
    "placeName": "地名 / The place name",
    "villageRoad": "村内道路 / The village road",
    "match": "匹配方式 / How the query matched the name",
    "total": "合计 / The whole area",
    "sites": "建议站点 / The suggested sites, best first",
    "addedVillages": "新增覆盖的村（居） / Villages not covered before, covered now",
    "errors": "错误 / The errors (each refuses it)",
    "warnings": "警告 / The warnings (each must be acknowledged)",
    "message": "说明 / What is wrong",
    "code": "代码 / The code",
    "ok": "通过 / Whether it passed",
    "dryRun": "试运行 / Whether this was a dry run (nothing written)",
    "imported": "已导入数 / How many were written",
    "results": "逐条结果 / The result of each feature or row",
    "filename": "文件名 / The file's name",
    "mediaType": "媒体类型 / The file's media type",
    "byteSize": "字节数 / The file's size in bytes",
    "stage": "阶段 / The stage",
    "stages": "已记录的阶段 / The stages recorded, in order",
    "requiredStages": "必经阶段 / The stages this kind of case requires, in order",
    "proposedBy": "提出人 / Who proposed it",
    "comment": "说明 / The editor's comment",
    "operation": "操作 / What was done: create, update, stage, approve, publish, withdraw, "
    "reject, retire, restore, revert",
    "actor": "操作人 / Who did it",
    "createdAt": "时间 / When",
    "before": "变更前 / The record before (JSON; field names and enum values as in the API)",
    "after": "变更后 / The record after (JSON; field names and enum values as in the API)",
    "redPlaceNames": "红色地名数 / Red place names",
    "heritagePlaceNames": "地名文化遗产数 / Place-name cultural heritage",
    "protectedPlaceNames": "地名保护名录数 / Place names on the protection list",
    "namedVillageRoads": "已命名村内道路数 / Named village roads",
    "elderCareInstitutions": "养老机构数 / Elder-care institutions",
    "townshipElderCenters": "乡镇（街道）养老服务中心数 / Township elder-care centres",
    "communityElderFacilities": "社区养老服务设施数 / Community elder-care facilities",
    "elderDiningTables": "老年餐桌数 / Elder dining tables",
    "assistanceStations": "社会救助转介服务驿站数 / Social-assistance referral stations",
    "dementiaCareUnits": "认知症照护专区数 / Dementia care units",
    # where a name means something else on one type
    "SearchHit.area": "区划（命中为区划时） / The area, when the hit is one",
    "SearchHit.service": "服务设施（命中为设施时） / The service, when the hit is one",
    "SearchHit.placeName": "地名（命中为地名时） / The place name, when the hit is one",
    "SearchHit.villageRoad": "村内道路（命中为道路时） / The village road, when the hit is one",
    "ServiceHit.service": "服务设施 / The service found",
    "NameWarning.code": "警告代码 / The warning's code (what acknowledgeWarnings takes)",
    "AccessibilityReport.villages": "各村（居）得分 / Each village's score",
    "CoverageReport.villages": "村（居）数 / Villages in the area",
    "AlternateName.kind": "别名类型 / The kind of name: former, colloquial, abbreviated, "
    "historic, minority language, foreign exonym",
    "AlternateName.name": "名称 / The alternate name",
    "ReviewCase.kind": "案件类型 / The kind of case: naming, renaming, change",
    "Revision.id": "修订编号 / The revision's id (what revert takes)",
    "Attachment.id": "附件编号 / The attachment's id (/attachments/{id})",
    "Revision.comment": "说明 / The comment given with the edit",
    "PendingChange.status": "待审状态 / Where the change waits: proposed or approved",
}

ARGUMENTS = {
    "crs": "坐标系 / The coordinate system of the geometry returned (WGS84 by default)",
    "first": "每页条数 / How many records a page holds",
    "after": "游标之后 / Records after this cursor (a page's endCursor)",
    "last": "末尾条数 / How many records, counted back from the end (with before:)",
    "before": "游标之前 / Records before this cursor (a page's startCursor)",
    "bbox": "范围 / Only records that meet this box: [west, south, east, north] in WGS84",
    "within": "半径内 / Only records within a radius of a point",
    "intersects": "相交 / Only records that meet this GeoJSON geometry",
    "inArea": "所在区划 / Only records in the area of this code (and the areas inside it)",
    "status": "状态 / Only records in this state (staff only; the public sees published ones)",
    "asOf": "历史时点 / The records as they stood at this time",
    "kinds": "设施类型 / Only services of these kinds (all when omitted)",
    "kind": "设施类型 / The kind of service",
    "levels": "层级 / Only areas of these levels",
    "categories": "地名类别 / Only place names of these categories",
    "designations": "名录 / Only place names on these lists",
    "code": "区划代码 / The statistical division code",
    "id": "编号 / The record's id",
    "query": "检索词 / What to look for: characters, pinyin or initials",
    "near": "位置 / The point to measure from",
    "by": "距离计算 / Straight-line or along the roads",
    "maxDistanceMeters": "最大距离（米） / Only services within this distance",
    "radiusMeters": "服务半径（米，直线） / The reach of a service, in a straight line",
    "roadDistanceMeters": "服务半径（米，沿道路） / The reach of a service along the roads",
    "scenario": "规划情景 / Hypothetical sites added and services closed",
    "areaCode": "区划代码 / The area of this code",
    "demand": "需求人群 / Whose demand is met: residents aged 60+ or 80+",
    "decay": "距离衰减 / How supply weakens with distance",
    "count": "站点数 / How many sites to suggest",
    "name": "名称 / The name to check",
    "category": "地名类别 / The category of the place name",
    "date": "日期 / The day",
    "stages": "阶段 / Only cases waiting for these stages",
    "proposedBy": "提出人 / Only cases proposed by this user",
    "input": "新记录 / The new record",
    "patch": "修改 / The fields to change (others stay)",
    "version": "版本 / The version the edit was made on (a later one is VERSION_CONFLICT)",
    "comment": "说明 / A comment kept with the revision",
    "reason": "理由 / Why (kept with the case and the history)",
    "clientMutationId": "客户端请求号 / Sent again with the same arguments, answered once",
    "acknowledgeWarnings": "确认的警告 / The warnings raised, acknowledged: exactly those",
    "stage": "阶段 / The stage recorded",
    "details": "阶段内容 / What the stage found or decided",
    "documents": "文件 / Documents of the stage (PDF, OFD, DOCX, PNG, JPEG; multipart upload)",
    "approval": "批准文件 / The approving authority, document number and date",
    "announcement": "公告 / The announcement's date and number",
    "revision": "修订编号 / The revision to go back to",
    "featureCollection": "GeoJSON 要素集合 / A GeoJSON FeatureCollection of place names",
    "file": "文件 / Shapefile (zip), GeoPackage, GeoJSON, CSV or XLSX (multipart upload)",
    "mapping": "列对应 / Which column holds which field (Chinese column names by default)",
    "encoding": "编码 / The text encoding of a file without one declared (GBK, UTF-8)",
    "dryRun": "试运行 / Check every row and write nothing",
}

INPUT_FIELDS = {
    "lon": "经度 / Longitude, in the coordinate system given",
    "lat": "纬度 / Latitude, in the coordinate system given",
    "point": "中心点 / The centre",
    "radiusMeters": "半径（米） / The radius in metres",
    "crs": "坐标系 / The coordinate system of the points given",
    "kind": "类型 / The kind",
    "function": "衰减函数 / The decay function",
    "standardName": "标准地名 / The standard name",
    "category": "地名类别 / The category",
    "geometry": "几何 / The geometry (GeoJSON, WGS84 unless crs says otherwise)",
    "areaCode": "区划代码 / The code of the area it lies in",
    "villageCode": "村（居）代码 / The code of the village it lies in",
    "pinyin": "汉语拼音 / Hanyu Pinyin (made by GB/T 16159 when omitted)",
    "meaning": "含义 / The name's meaning",
    "origin": "来历 / The name's origin",
    "formerNames": "曾用名 / Former names",
    "alternateNames": "别名 / Other names of the place, with their kind, language and dates",
    "name": "名称 / The name",
    "address": "地址 / The address",
    "beds": "床位数 / Beds",
    "nursingBeds": "护理型床位数 / Nursing beds",
    "mealCapacity": "每日供餐能力（人次） / Meals a day",
    "medicalCareCombined": "医养结合 / Medical and elder care combined",
    "dementiaCareUnit": "认知症照护专区 / Has a dementia care unit",
    "preferred": "首选 / The preferred name in its language (one per language)",
    "validFrom": "起用日期 / First day the name was valid",
    "column": "列名 / The column of the file",
    "field": "字段 / The field the column holds",
    "AlternateNameInput.kind": "别名类型 / The kind of name",
    "HypotheticalSiteInput.kind": "设施类型 / The kind of service planned",
}

ENUM_VALUES = {
    "LifecycleStatus.PROPOSED": "已提出 / Proposed, waiting for review",
    "LifecycleStatus.APPROVED": "已批准 / Approved, waiting to be published",
    "LifecycleStatus.PUBLISHED": "已公布 / Published: on the public map",
    "LifecycleStatus.RETIRED": "已注销 / Retired: kept in the history",
    "ServiceKind.ELDER_CARE_INSTITUTION": "养老机构 / Elder-care institution (with beds)",
    "ServiceKind.TOWNSHIP_ELDER_CENTER": "乡镇（街道）养老服务中心 / Township elder-care centre",
    "ServiceKind.COMMUNITY_ELDER_FACILITY": "社区养老服务设施 / Community elder-care facility",
    "ServiceKind.ELDER_DINING_TABLE": "老年餐桌 / Elder dining table",
    "ServiceKind.ASSISTANCE_STATION": "社会救助转介服务驿站 / Social-assistance referral station",
    "CoordinateSystem.WGS84": "WGS84 经纬度（GPS） / WGS84 longitude and latitude (GPS)",
    "CoordinateSystem.GCJ02": "GCJ-02（高德、腾讯地图） / GCJ-02 (AMap, Tencent maps)",
    "CoordinateSystem.BD09": "BD-09（百度地图） / BD-09 (Baidu maps)",
    "CoordinateSystem.CGCS2000": "CGCS2000（国家 2000 坐标系，按 WGS84 处理，差异为厘米级） / "
    "CGCS2000 (EPSG:4490), treated as WGS84: they differ by centimetres",
    "AreaLevel.CITY": "市 / City",
    "AreaLevel.COUNTY": "县级（区、县级市） / County level (district, county-level city)",
    "AreaLevel.TOWNSHIP": "乡镇（街道） / Township (town, subdistrict)",
    "AreaLevel.VILLAGE": "村（居委会） / Village (villagers' or residents' committee)",
    "PlaceNameCategory.ADMINISTRATIVE_AREA": "行政区划名称 / Administrative area",
    "PlaceNameCategory.SETTLEMENT": "居民点 / Settlement",
    "PlaceNameCategory.ROAD_STREET": "道路街巷 / Road or street",
    "PlaceNameCategory.NATURAL_FEATURE": "自然地理实体 / Natural feature",
    "PlaceNameCategory.MEMORIAL_SITE": "纪念地 / Memorial site",
    "PlaceNameCategory.HERITAGE_SITE": "名胜古迹 / Heritage site",
    "PlaceNameCategory.FACILITY": "公共设施 / Public facility",
    "Designation.RED": "红色地名 / Red place name",
    "Designation.HERITAGE": "地名文化遗产 / Place-name cultural heritage",
    "Designation.PROTECTED": "地名保护名录 / On the protection list",
    "DistanceMeasure.STRAIGHT": "直线距离 / In a straight line",
    "DistanceMeasure.ROAD": "沿道路距离 / Along the roads",
    "DistanceMeasure.BOTH": "两者 / Both",
    "SearchHitKind.PLACE_NAME": "地名 / A place name",
    "SearchHitKind.VILLAGE_ROAD": "村内道路 / A village road",
    "SearchHitKind.AREA": "区划 / An area",
    "SearchHitKind.SERVICE": "服务设施 / A service",
    "MatchKind.EXACT": "完全匹配 / The whole name",
    "MatchKind.PREFIX": "开头匹配 / The start of the name",
    "MatchKind.SUBSTRING": "包含 / Part of the name",
    "MatchKind.FUZZY": "近似 / A name like it",
    "DecayFunction.NONE": "不衰减 / 1 everywhere in the catchment (classic 2SFCA)",
    "DecayFunction.GAUSSIAN": "高斯衰减 / Gaussian: 1 at the door, 0 at the bandwidth and beyond",
    "DecayFunction.STEPPED": "分段衰减 / Stepped (E2SFCA): the catchment cut in bands, each "
    "with its weight",
    "DemandGroup.AGED_60_PLUS": "60 岁及以上 / Residents aged 60 and over",
    "DemandGroup.AGED_80_PLUS": "80 岁及以上 / Residents aged 80 and over",
    "ImportField.STANDARD_NAME": "标准地名（名称） / The standard name",
    "ImportField.CATEGORY": "类别 / The category",
    "ImportField.AREA_CODE": "区划代码 / The area code",
    "ImportField.PINYIN": "拼音 / The pinyin",
    "ImportField.MEANING": "含义 / The meaning",
    "ImportField.ORIGIN": "来历 / The origin",
    "ImportField.FORMER_NAMES": "曾用名（以、，；/ 分隔） / Former names, separated by 、，；/",
}


def _edge_description(type_name: str) -> str | None:
    if type_name.endswith("Edge"):
        return f"分页中的一条记录 / One {type_name[: -len('Edge')]} of a page, with its cursor"
    return None


def document(schema: GraphQLSchema) -> None:
    """Give every type, field, argument, input field and enum value without a description
    the glossary's."""
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if type_name in SCALARS:
            graphql_type.description = SCALARS[type_name]
        elif not graphql_type.description:
            graphql_type.description = TYPES.get(type_name) or _edge_description(type_name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    field.description = FIELDS.get(f"{type_name}.{field_name}") or FIELDS.get(
                        field_name
                    )
                for arg_name, argument in field.args.items():
                    if not argument.description:
                        argument.description = ARGUMENTS.get(
                            f"{type_name}.{field_name}.{arg_name}"
                        ) or ARGUMENTS.get(arg_name)
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if not input_field.description:
                    input_field.description = INPUT_FIELDS.get(
                        f"{type_name}.{field_name}"
                    ) or INPUT_FIELDS.get(field_name)
        elif isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                if not value.description:
                    value.description = ENUM_VALUES.get(f"{type_name}.{value_name}")
