"""/api/v1/governance/documents…, /versions…, /clauses…, /amendments…, /filings…: charters, village rules,
their versions, clauses, amendments, diffs and filing with the township. Thin, on the core/api kit: reads
through the selectors (scoped by governance.view; out of scope is the same 404 as missing), writes through
the services (403 without the permission, 409 for an adopted version or a move the state table refuses, 422
for bad input with the same message as on the page)."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.core.api import AUTH_ERRORS, LIST, READ, WRITE, Id, actor, paginate
from guanhuai.core.errors import ValidationError
from guanhuai.governance import review, selectors, services

router = Router()
DOCUMENTS = ["governance: documents and filing"]


class VersionBriefOut(Schema):
    id: int
    number: int
    status: str
    fingerprint: str
    adopted_at: dt.datetime | None


class CharterDocumentOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    kind: str
    title: str
    in_force: VersionBriefOut | None

    @staticmethod
    def resolve_in_force(obj: Any) -> Any:
        found = getattr(obj, "in_force", None)
        return found[0] if found else None


class WarningOut(Schema):
    code: str
    title: str
    reason: str
    legal_basis: str
    matched: str


class ClauseOut(Schema):
    id: int
    number: int
    chapter_number: int | None
    chapter_title: str
    text: str
    warnings: list[WarningOut] = []


class VersionOut(VersionBriefOut):
    document_id: int
    based_on_id: int | None
    summary: str
    adopted_by_motion_id: int | None
    adopted_note: str
    clauses: list[ClauseOut]


class SegmentOut(Schema):
    text: str
    changed: bool


class DiffRowOut(Schema):
    kind: Literal["same", "changed", "added", "removed"]
    old_number: int | None
    new_number: int | None
    old_segments: list[SegmentOut]
    new_segments: list[SegmentOut]


class DiffOut(Schema):
    first_id: int
    second_id: int
    changed: int
    added: int
    removed: int
    rows: list[DiffRowOut]


class DraftIn(Schema):
    summary: str = Field("", max_length=500)


class ClauseIn(Schema):
    text: str = Field(..., max_length=2000)
    chapter_number: int | None = Field(None, ge=1, le=99)
    chapter_title: str = Field("", max_length=100)
    before: int | None = Field(None, ge=1, description="插入到第几条之前；不填则加在最后")


class ClauseEditIn(Schema):
    text: str = Field(..., max_length=2000)
    chapter_number: int | None = Field(None, ge=1, le=99)
    chapter_title: str = Field("", max_length=100)


class AdoptIn(Schema):
    motion_id: Id


class AmendmentIn(Schema):
    clause_id: Id | None = None
    proposed_text: str = Field(..., max_length=2000)
    proposer: str = Field(..., max_length=100)
    proposer_kind: Literal["villager", "representative", "committee"]
    reason: str = Field("", max_length=500)


class AmendmentEventOut(Schema):
    status: str
    note: str
    at: dt.datetime


class AmendmentOut(Schema):
    id: int
    version_id: int
    clause_id: int | None
    clause_number: int | None
    proposed_text: str
    proposer: str
    proposer_kind: str
    reason: str
    status: str
    decision_reason: str
    events: list[AmendmentEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> Any:
        return list(obj.events.all())


class FilingReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class DocumentNoteIn(Schema):
    note: str = Field("", max_length=1000)


class ReturnIn(Schema):
    clauses: list[int] = Field(..., description="报送版本中需修改的条款号")
    reason: str = Field(..., max_length=1000)


class ResubmitIn(Schema):
    version_id: Id | None = None
    note: str = Field("", max_length=1000)


class FilingEventOut(Schema):
    action: str
    version_id: int
    note: str
    clauses: list[int]
    warnings: list[dict[str, Any]]
    at: dt.datetime


class FilingOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    document_id: int
    version_id: int
    status: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    returned_clauses: list[int]
    return_reason: str


class FilingDetailOut(FilingOut):
    events: list[FilingEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> Any:
        return list(obj.events.all())


def _version_out(version: Any) -> dict[str, Any]:
    clauses = selectors.version_clauses(version)
    found = review.by_clause(review.review(clauses))
    return {
        **{
            f: getattr(version, f)
            for f in ("id", "number", "status", "fingerprint", "adopted_at", "document_id")
        },
        "based_on_id": version.based_on_id,
        "summary": version.summary,
        "adopted_by_motion_id": version.adopted_by_motion_id,
        "adopted_note": version.adopted_note,
        "clauses": [
            {
                "id": c.pk,
                "number": c.number,
                "chapter_number": c.chapter_number,
                "chapter_title": c.chapter_title,
                "text": c.text,
                "warnings": [w.__dict__ for w in found.get(c.number, [])],
            }
            for c in clauses
        ],
    }


@router.get(
    "/documents",
    response={200: list[CharterDocumentOut], **AUTH_ERRORS},
    tags=DOCUMENTS,
    summary="辖区内各村(社区)的自治章程、村规民约和居民公约，含现行版本",
    description="分页：limit（最多200）、offset。",
)
@paginate
def charter_list(request: HttpRequest) -> Any:
    return selectors.document_list(actor=actor(request))


@router.get(
    "/documents/{int:document_id}",
    response={200: CharterDocumentOut, **READ},
    tags=DOCUMENTS,
    summary="一份自治文本（不存在或不在辖区内为404）",
)
def charter_get(request: HttpRequest, document_id: int) -> Any:
    return selectors.document_get(actor=actor(request), document_id=document_id)


@router.get(
    "/documents/{int:document_id}/versions",
    response={200: list[VersionBriefOut], **READ},
    tags=DOCUMENTS,
    summary="一份文本的各个版本，新的在前",
)
def version_list(request: HttpRequest, document_id: int) -> Any:
    document = selectors.document_get(actor=actor(request), document_id=document_id)
    return list(selectors.version_list(actor=actor(request), document=document))


@router.post(
    "/documents/{int:document_id}/drafts",
    response={201: VersionOut, **WRITE},
    tags=DOCUMENTS,
    summary="从现行版本起草修订稿（已有草案为409）",
)
def version_draft(request: HttpRequest, document_id: int, payload: DraftIn) -> Any:
    document = selectors.document_get(actor=actor(request), document_id=document_id)
    draft = services.version_draft(actor=actor(request), document=document, summary=payload.summary)
    return Status(201, _version_out(draft))


@router.get(
    "/versions/{int:version_id}",
    response={200: VersionOut, **READ},
    tags=DOCUMENTS,
    summary="一个版本的全部条款，含合法性审查提示（提示不影响通过和备案）",
)
def version_get(request: HttpRequest, version_id: int) -> Any:
    return _version_out(selectors.version_get(actor=actor(request), version_id=version_id))


@router.get(
    "/versions/{int:version_id}/diff/{int:other_id}",
    response={200: DiffOut, **READ},
    tags=DOCUMENTS,
    summary="两个版本逐条对照（同一文本的版本；否则404）",
)
def version_diff(request: HttpRequest, version_id: int, other_id: int) -> Any:
    first, second, result = selectors.version_diff(
        actor=actor(request), first_id=version_id, second_id=other_id
    )
    return {
        "first_id": first.pk,
        "second_id": second.pk,
        "changed": result.count("changed"),
        "added": result.count("added"),
        "removed": result.count("removed"),
        "rows": [
            {
                "kind": row.kind,
                "old_number": row.old.number if row.old else None,
                "new_number": row.new.number if row.new else None,
                "old_segments": [s.__dict__ for s in row.old_segments],
                "new_segments": [s.__dict__ for s in row.new_segments],
            }
            for row in result.rows
        ],
    }


@router.post(
    "/versions/{int:version_id}/clauses",
    response={201: ClauseOut, **WRITE},
    tags=DOCUMENTS,
    summary="在草案中添加一条（已通过的版本为409）",
)
def clause_add(request: HttpRequest, version_id: int, payload: ClauseIn) -> Any:
    version = selectors.version_get(actor=actor(request), version_id=version_id)
    return Status(201, services.clause_save(actor=actor(request), version=version, **payload.dict()))


@router.put(
    "/clauses/{int:clause_id}",
    response={200: ClauseOut, **WRITE},
    tags=DOCUMENTS,
    summary="修改草案中的一条（已通过的版本为409）",
)
def clause_edit(request: HttpRequest, clause_id: int, payload: ClauseEditIn) -> Any:
    clause = selectors.clause_get(actor=actor(request), clause_id=clause_id)
    return services.clause_save(actor=actor(request), version=clause.version, clause=clause, **payload.dict())


@router.post(
    "/versions/{int:version_id}/adopt",
    response={200: VersionOut, **WRITE},
    tags=DOCUMENTS,
    summary="按会议表决结果通过草案",
    description="motion_id：表决这个版本并已通过的议题。422：议题未通过、会议类别不对、不是本村会议。",
)
def version_adopt(request: HttpRequest, version_id: int, payload: AdoptIn) -> Any:
    version = selectors.version_get(actor=actor(request), version_id=version_id)
    motion = next((m for m in selectors.motions_about(version=version) if m.pk == payload.motion_id), None)
    if motion is None:
        raise ValidationError(_("没有表决这个版本的这项议题。"), code="unknown_motion")
    return _version_out(services.version_adopt(actor=actor(request), version=version, motion=motion))


@router.get(
    "/versions/{int:version_id}/amendments",
    response={200: list[AmendmentOut], **READ},
    tags=DOCUMENTS,
    summary="草案的修改建议及其处理记录",
)
def amendment_list(request: HttpRequest, version_id: int) -> Any:
    version = selectors.version_get(actor=actor(request), version_id=version_id)
    return list(selectors.amendment_list(version=version))


@router.post(
    "/versions/{int:version_id}/amendments",
    response={201: AmendmentOut, **WRITE},
    tags=DOCUMENTS,
    summary="登记村民或村民代表对草案某一条（或新增一条）的修改建议",
)
def amendment_create(request: HttpRequest, version_id: int, payload: AmendmentIn) -> Any:
    version = selectors.version_get(actor=actor(request), version_id=version_id)
    clause = None
    if payload.clause_id is not None:
        clause = next((c for c in selectors.version_clauses(version) if c.pk == payload.clause_id), None)
        if clause is None:
            raise ValidationError(_("该条款不属于这份草案。"), code="clause")
    row = services.amendment_propose(
        actor=actor(request), version=version, clause=clause, **payload.dict(exclude={"clause_id"})
    )
    return Status(201, row)


@router.post(
    "/amendments/{int:amendment_id}/accept",
    response={200: AmendmentOut, **WRITE},
    tags=DOCUMENTS,
    summary="采纳修改建议（条文写入草案）",
)
def amendment_accept(request: HttpRequest, amendment_id: int, payload: DocumentNoteIn) -> Any:
    amendment = selectors.amendment_get(actor=actor(request), amendment_id=amendment_id)
    return services.amendment_accept(actor=actor(request), amendment=amendment, note=payload.note)


@router.post(
    "/amendments/{int:amendment_id}/reject",
    response={200: AmendmentOut, **WRITE},
    tags=DOCUMENTS,
    summary="不采纳修改建议（须说明理由）",
)
def amendment_reject(request: HttpRequest, amendment_id: int, payload: FilingReasonIn) -> Any:
    amendment = selectors.amendment_get(actor=actor(request), amendment_id=amendment_id)
    return services.amendment_reject(actor=actor(request), amendment=amendment, reason=payload.reason)


@router.get(
    "/filings",
    response={200: list[FilingOut], **LIST},
    tags=DOCUMENTS,
    summary="备案：待审查的在前（乡镇审查队列）",
    description="status：submitted 待审查、returned 退回修改、filed 已备案。分页：limit（最多200）、offset。",
)
@paginate
def filing_list(request: HttpRequest, status: Literal["submitted", "returned", "filed"] | None = None) -> Any:
    return selectors.filing_list(actor=actor(request), status=status)


@router.get(
    "/filings/{int:filing_id}",
    response={200: FilingDetailOut, **READ},
    tags=DOCUMENTS,
    summary="一次备案及其办理记录（含当时的审查提示）",
)
def filing_get(request: HttpRequest, filing_id: int) -> Any:
    return selectors.filing_get(actor=actor(request), filing_id=filing_id)


@router.post(
    "/versions/{int:version_id}/filings",
    response={201: FilingOut, **WRITE},
    tags=DOCUMENTS,
    summary="报送乡镇备案（只有现行有效的版本可以报送；未通过的为422，已有备案在办为409）",
)
def filing_submit(request: HttpRequest, version_id: int, payload: DocumentNoteIn) -> Any:
    version = selectors.version_get(actor=actor(request), version_id=version_id)
    return Status(201, services.filing_submit(actor=actor(request), version=version, note=payload.note))


@router.post(
    "/filings/{int:filing_id}/return",
    response={200: FilingOut, **WRITE},
    tags=DOCUMENTS,
    summary="退回修改：指明条款并说明理由",
)
def filing_return(request: HttpRequest, filing_id: int, payload: ReturnIn) -> Any:
    filing = selectors.filing_get(actor=actor(request), filing_id=filing_id)
    return services.filing_return(
        actor=actor(request), filing=filing, clauses=payload.clauses, reason=payload.reason
    )


@router.post(
    "/filings/{int:filing_id}/file",
    response={200: FilingOut, **WRITE},
    tags=DOCUMENTS,
    summary="予以备案",
)
def filing_file(request: HttpRequest, filing_id: int, payload: DocumentNoteIn) -> Any:
    filing = selectors.filing_get(actor=actor(request), filing_id=filing_id)
    return services.filing_file(actor=actor(request), filing=filing, note=payload.note)


@router.post(
    "/filings/{int:filing_id}/resubmit",
    response={200: FilingOut, **WRITE},
    tags=DOCUMENTS,
    summary="退回后重新报送：新通过的版本，或原版本并说明处理情况",
)
def filing_resubmit(request: HttpRequest, filing_id: int, payload: ResubmitIn) -> Any:
    filing = selectors.filing_get(actor=actor(request), filing_id=filing_id)
    version = None
    if payload.version_id is not None:
        version = next(
            (
                v
                for v in selectors.version_list(actor=actor(request), document=filing.document)
                if v.pk == payload.version_id
            ),
            None,
        )
        if version is None:
            raise ValidationError(_("只能报送同一文本的版本。"), code="version")
    return services.filing_resubmit(actor=actor(request), filing=filing, version=version, note=payload.note)
