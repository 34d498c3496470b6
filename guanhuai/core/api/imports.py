"""The shape every staged Excel import's batch has over the API (the registry's household import, the
association's member import): its status, its file, who uploaded it, its row counts, its two jobs (validate,
commit) and when each step happened. An app's batch schema extends it with its own counts and fields.

No `from __future__ import annotations`: ninja reads annotations at import time."""

import datetime as dt

from ninja import Field, Schema


class ImportBatchOut(Schema):
    id: int
    status: str = Field(
        ..., description="staged（校验中）、validated（已校验）、committed（已导入）、failed（失败）"
    )
    status_label: str = Field(alias="get_status_display")
    file_name: str
    uploaded_by: str = Field(alias="actor.username")
    total_rows: int
    invalid_rows: int
    imported_rows: int
    created_at: dt.datetime
    validated_at: dt.datetime | None
    committed_at: dt.datetime | None
    validate_job_id: int | None
    commit_job_id: int | None
