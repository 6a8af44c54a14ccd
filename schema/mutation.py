"""The Mutation root type: editing place names, village roads and services.

Every editable kind has the same mutations (create, update, approve, publish, retire,
restore, revert); they are made here from one ``EditableType`` per kind, so that a kind
added to ``EDITABLE_TYPES`` gets all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from db.kinds import PLACE_NAME, EditableKind
from domain.documents import Document
from domain.errors import BadUserInput, Text
from resolvers import lifecycle, place_name_imports
from resolvers.context import RegistryContext
from resolvers.lifecycle import EditRules
from resolvers.place_name_edits import PLACE_NAME_RULES
from resolvers.road_edits import VILLAGE_ROAD_RULES
from resolvers.service_edits import SERVICE_RULES
from schema.approval import AnnouncementInput, ApprovalInput, ApprovalStage, StageDetailsInput
from schema.inputs import WGS84, CoordinateSystem, given_fields, set_fields
from schema.name_warning import WarningCode
from schema.permissions import IsEditor, IsReviewer
from schema.place_name import PlaceName, PlaceNameCategory, PlaceNameInput, PlaceNamePatch
from schema.service import Service, ServiceInput, ServicePatch, service_from_row
from schema.village_road import VillageRoad, VillageRoadInput, VillageRoadPatch

Row = dict[str, Any]


@dataclass(frozen=True)
class EditableType:
    """An editable kind (``db.kinds``) as the API shows it: its type, its inputs, and the
    rules that check what only this kind checks (``resolvers.lifecycle.EditRules``)."""

    kind: EditableKind
    graphql_type: Any
    from_row: Callable[[Row], Any]
    input: type
    patch: type
    rules: EditRules


EDITABLE_TYPES = (
    EditableType(
        PlaceName.kind_of_record,
        PlaceName,
        PlaceName.from_row,
        PlaceNameInput,
        PlaceNamePatch,
        PLACE_NAME_RULES,
    ),
    EditableType(
        VillageRoad.kind_of_record,
        VillageRoad,
        VillageRoad.from_row,
        VillageRoadInput,
        VillageRoadPatch,
        VILLAGE_ROAD_RULES,
    ),
    EditableType(
        Service.kind_of_record,
        Service,
        service_from_row,
        ServiceInput,
        ServicePatch,
        SERVICE_RULES,
    ),
)

PROPOSE = "申报新{zh} / Proposes a new {label}; validated, and recorded as a revision."
UPDATE = (
    "修改{zh} / Edits the version named. A {label} in review is edited in place and goes "
    "back to the proposed stage; an edit of a published {label} waits as its pendingChange, "
    "and the public sees the published {label} until the change is approved and published."
)
RECORD_STAGE = (
    "记录审批环节 / Records a stage of the {0}'s approval case (or of its pending change's): "
    "ASSESSMENT and EXPERT_REVIEW with their conclusion; CONSULTATION opened with its period "
    "(start, end) and, on or after its last day, closed with the comments received. Stages "
    "are taken in the order the case requires (reviewCase.requiredStages), none skipped. "
    "`documents` (GraphQL multipart request): the stage's reports and opinions (PDF, OFD, "
    "DOCX, PNG, JPEG), checked by their content, kept with the case."
)
CLOSE = {
    "withdraw": "撤回申报 / The proposer withdraws the {0} proposed (a new one is retired; a "
    "change of a published one is dropped), with the reason.",
    "reject": "驳回申报 / A reviewer rejects the {0} proposed (a new one is retired; a change "
    "of a published one is dropped), with the reason, kept in the case and the history.",
}
TRANSITIONS = {
    "approve": "批准{zh}申报 / Approves a proposed {label},"
    " or the proposed change of a published one, once "
    "every stage its case requires before approval is recorded; `approval` gives the "
    "approving authority's decision (required for naming and renaming cases). A reviewer "
    "cannot approve his own proposal.",
    "publish": "发布（公告）{zh} / Publishes an approved {label},"
    " or the approved change of a published one: the "
    "public sees it from now on. Records the case's announcement (`announcement`, today "
    "by default).",
    "retire": "撤销{zh} / Retires a {label}; nothing is deleted.",
    "restore": "恢复{zh} / Restores a retired {label} to the status it had.",
}


def codes(warnings: list[WarningCode] | None) -> list[str] | None:
    return [str(w.value) for w in warnings] if warnings is not None else None


def stage_details(given: object) -> dict[str, Any]:
    """A stage's input as the case keeps it: Python names, dates as dates."""
    fields = {name: value for name, value in given_fields(given).items() if value is not None}
    on = fields.pop("on", None)
    return {**fields, "date": on} if on is not None else fields


def _drop_argument(resolve: Any, name: str) -> None:
    # The argument lists differ by operation; the resolver is shared.
    import inspect

    signature = inspect.signature(resolve)
    resolve.__signature__ = signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name != name]
    )
    resolve.__annotations__ = {k: v for k, v in resolve.__annotations__.items() if k != name}


def _typed(resolve: Any, **annotations: Any) -> Any:
    # The argument types differ by kind; the rest of the signature is shared.
    resolve.__annotations__ = {**resolve.__annotations__, **annotations}
    return resolve


def _named(field: StrawberryField) -> StrawberryField:
    # create_type keys fields by their Python name; each resolver here is "resolve".
    field.python_name = field.graphql_name or field.python_name
    return field


def _create(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        input: Any,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        crs: CoordinateSystem = WGS84,
        acknowledge_warnings: list[WarningCode] | None = None,
        reason: str | None = None,
    ) -> Any:
        row = await lifecycle.create(
            info.context,
            t.kind,
            t.rules,
            set_fields(input),
            crs=crs,
            comment=comment,
            client_mutation_id=client_mutation_id,
            acknowledge=codes(acknowledge_warnings),
            reason=reason,
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=_typed(resolve, input=t.input),
        name=f"create{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=PROPOSE.format(label=t.kind.label, zh=t.kind.label_zh),
        permission_classes=[IsEditor],
    )
    return field


def _update(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        id: strawberry.ID,
        version: int,
        patch: Any,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        crs: CoordinateSystem = WGS84,
        acknowledge_warnings: list[WarningCode] | None = None,
        reason: str | None = None,
    ) -> Any:
        row = await lifecycle.update(
            info.context,
            t.kind,
            t.rules,
            id,
            version,
            given=given_fields(patch),
            crs=crs,
            comment=comment,
            client_mutation_id=client_mutation_id,
            acknowledge=codes(acknowledge_warnings),
            reason=reason,
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=_typed(resolve, patch=t.patch),
        name=f"update{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=UPDATE.format(label=t.kind.label, zh=t.kind.label_zh),
        permission_classes=[IsEditor],
    )
    return field


def _transition(t: EditableType, operation: str) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        id: strawberry.ID,
        version: int,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        approval: ApprovalInput | None = None,
        announcement: AnnouncementInput | None = None,
        documents: list[Upload] | None = None,
    ) -> Any:
        given = approval if operation == "approve" else announcement
        row = await lifecycle.change_status(
            info.context,
            t.kind,
            operation,
            id,
            version,
            comment=comment,
            client_mutation_id=client_mutation_id,
            details=stage_details(given) if given is not None else None,
            documents=await documents_of(documents),
        )
        return t.from_row(row)

    # Approving takes the approving authority's decision and its documents; publishing,
    # the announcement.
    dropped = {
        "approve": ["announcement"],
        "publish": ["approval", "documents"],
    }.get(operation, ["approval", "announcement", "documents"])
    for name in dropped:
        _drop_argument(resolve, name)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"{operation}{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=TRANSITIONS[operation].format(label=t.kind.label, zh=t.kind.label_zh),
        permission_classes=[IsReviewer],
    )
    return field


def _record_stage(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        *,
        id: strawberry.ID,
        version: int,
        stage: ApprovalStage,
        details: StageDetailsInput,
        comment: str | None = None,
        client_mutation_id: str | None = None,
        documents: list[Upload] | None = None,
    ) -> Any:
        row = await lifecycle.record_stage(
            info.context,
            t.kind,
            id,
            version,
            stage=str(stage.value),
            details=stage_details(details),
            comment=comment,
            client_mutation_id=client_mutation_id,
            documents=await documents_of(documents),
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"recordStage{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=RECORD_STAGE.format(t.kind.label),
        permission_classes=[IsEditor],
    )
    return field


def _close(t: EditableType, operation: str) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        id: strawberry.ID,
        version: int,
        reason: str,
        client_mutation_id: str | None = None,
    ) -> Any:
        row = await lifecycle.close_unpublished(
            info.context,
            t.kind,
            operation,
            id,
            version,
            reason=reason,
            client_mutation_id=client_mutation_id,
        )
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"{operation}{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=CLOSE[operation].format(t.kind.label),
        permission_classes=[IsEditor if operation == "withdraw" else IsReviewer],
    )
    return field


def _revert(t: EditableType) -> StrawberryField:
    async def resolve(
        info: Info[RegistryContext, None],
        revision: strawberry.ID,
        version: int,
        comment: str | None = None,
    ) -> Any:
        row = await lifecycle.revert(info.context, t.kind, revision, version, comment=comment)
        return t.from_row(row)

    field: StrawberryField = strawberry.mutation(
        resolver=resolve,
        name=f"revert{t.kind.type_name}",
        graphql_type=t.graphql_type,
        description=f"撤回一次修订 / Undoes a revision: the {t.kind.label}"
        " goes back to the state it found "
        "(one the revision created is retired).  The undoing is a revision too.",
        permission_classes=[IsReviewer],
    )
    return field


@strawberry.type(description="导入结果 / What became of one feature or row of an import.")
class FeatureResult:
    index: int = strawberry.field(
        description="要素或数据行的序号（从 0 起） / Position of the feature or row, from 0"
    )
    ok: bool
    errors: list[str]
    error_fields: list[str] = strawberry.field(
        description="各错误所指字段 / The field each error names"
    )
    id: strawberry.ID | None = strawberry.field(
        description="新地名编号 / The new place name, when imported"
    )


@strawberry.type(
    description="导入报告 / An import: every feature checked; written all together or not at all."
)
class ImportReport:
    dry_run: bool
    ok: bool = strawberry.field(description="全部通过 / Every feature passed")
    imported: int
    results: list[FeatureResult]

    @classmethod
    def of(cls, outcome: place_name_imports.ImportOutcome) -> ImportReport:
        return cls(
            dry_run=outcome.dry_run,
            ok=outcome.ok,
            imported=outcome.imported,
            results=[
                FeatureResult(
                    index=r.index,
                    ok=r.ok,
                    errors=r.errors,
                    error_fields=r.fields,
                    id=strawberry.ID(str(r.id)) if r.id is not None else None,
                )
                for r in outcome.results
            ],
        )


@strawberry.enum(description="导入字段 / A field of a place name an import reads from a column.")
class ImportField(Enum):
    STANDARD_NAME = "standard_name"
    CATEGORY = "category"
    AREA_CODE = "area_code"
    PINYIN = "pinyin"
    MEANING = "meaning"
    ORIGIN = "origin"
    FORMER_NAMES = "former_names"


@strawberry.input(description="列映射 / Which column of the file holds a field.")
class ColumnMappingInput:
    field: ImportField
    column: str


@strawberry.mutation(
    description="从 GeoJSON 导入地名 / Proposes place names from a"
    " GeoJSON FeatureCollection; dryRun (the default) "
    "only checks.  A real import writes every feature or none.",
    permission_classes=[IsEditor],
)
async def import_place_names(
    info: Info[RegistryContext, None],
    *,
    feature_collection: JSON,
    category: PlaceNameCategory,
    area_code: str,
    dry_run: bool = True,
    comment: str | None = None,
    acknowledge_warnings: list[WarningCode] | None = None,
) -> ImportReport:
    outcome = await place_name_imports.import_place_names(
        info.context,
        feature_collection,
        category=category.value,
        area_code=area_code,
        dry_run=dry_run,
        comment=comment,
        acknowledge=codes(acknowledge_warnings),
    )
    return ImportReport.of(outcome)


@strawberry.mutation(
    description="从文件导入地名 / Proposes place names from a file staff have, sent as a "
    "GraphQL multipart request: a zipped Shapefile (with its .dbf, .cpg and .prj; GBK or "
    "UTF-8 names), a GeoPackage, GeoJSON, or a CSV or XLSX table with 经度/纬度 (lon/lat) "
    "or WKT columns. Columns are found by the names staff use (名称, 类别, 区划代码, 拼音, 含义, "
    "来历, 曾用名) unless `mapping` says otherwise; `category` and `areaCode` are the defaults "
    "for rows that do not say. Coordinates in CGCS2000 or WGS84 longitude/latitude. dryRun "
    "(the default) answers row by row; a real import writes every row or none.",
    permission_classes=[IsEditor],
)
async def import_place_names_file(
    info: Info[RegistryContext, None],
    *,
    file: Upload,
    mapping: list[ColumnMappingInput] | None = None,
    category: PlaceNameCategory | None = None,
    area_code: str | None = None,
    encoding: str | None = None,
    dry_run: bool = True,
    comment: str | None = None,
    acknowledge_warnings: list[WarningCode] | None = None,
) -> ImportReport:
    content, filename = await uploaded(file, "file")
    outcome = await place_name_imports.import_place_names_file(
        info.context,
        content,
        filename,
        mapping={str(m.field.value): m.column for m in mapping or []},
        category=category.value if category is not None else None,
        area_code=area_code,
        encoding=encoding,
        dry_run=dry_run,
        comment=comment,
        acknowledge=codes(acknowledge_warnings),
    )
    return ImportReport.of(outcome)


async def documents_of(files: list[Any] | None) -> list[Document]:
    """The documents uploaded with a stage (GraphQL multipart request)."""
    found = []
    for n, file in enumerate(files or []):
        content, filename = await uploaded(file, f"documents[{n}]")
        found.append(Document(filename, content))
    return found


async def uploaded(file: Any, field: str) -> tuple[bytes, str]:
    """The bytes and the file name of an upload, or BadUserInput naming ``field``."""
    if not hasattr(file, "read") or not hasattr(file, "filename"):
        raise BadUserInput(
            Text(
                f"{field}: 须以 multipart 请求上传文件", f"{field}: send a file (multipart request)"
            ),
            field,
        )
    return await file.read(), str(file.filename or "")


def _mutations(t: EditableType) -> list[StrawberryField]:
    return [
        _named(_create(t)),
        _named(_update(t)),
        _named(_record_stage(t)),
        *(_named(_transition(t, operation)) for operation in TRANSITIONS),
        *(_named(_close(t, operation)) for operation in CLOSE),
        _named(_revert(t)),
        # Place names also come in bulk, from the files GIS staff have.
        *([import_place_names, import_place_names_file] if t.kind is PLACE_NAME else []),
    ]


Mutation = create_type("Mutation", [field for t in EDITABLE_TYPES for field in _mutations(t)])
