from django.urls import path

from guanhuai.governance.views import documents, filing, home

app_name = "governance"

urlpatterns = [
    path("", home.index, name="home"),
]

# --- documents and filing ---
urlpatterns += [
    path("documents/import/", documents.document_import, name="import"),
    path("documents/<int:document_id>/", documents.document_detail, name="document"),
    path("documents/<int:document_id>/draft/", documents.version_draft, name="version_draft"),
    path("versions/<int:version_id>/", documents.version_detail, name="version"),
    path("versions/<int:version_id>/clauses/new/", documents.clause_add, name="clause_add"),
    path("versions/<int:version_id>/withdraw/", documents.version_withdraw, name="version_withdraw"),
    path("versions/<int:version_id>/adopt/", documents.version_adopt, name="version_adopt"),
    path("versions/<int:version_id>/amendments/new/", documents.amendment_create, name="amendment_create"),
    path("versions/<int:version_id>/diff/<int:other_id>/", documents.version_diff, name="diff"),
    path("versions/<int:version_id>/diff/<int:other_id>/pdf/", documents.version_diff_pdf, name="diff_pdf"),
    path("versions/<int:version_id>/filing/", filing.filing_submit, name="filing_submit"),
    path("clauses/<int:clause_id>/edit/", documents.clause_edit, name="clause_edit"),
    path("clauses/<int:clause_id>/remove/", documents.clause_remove, name="clause_remove"),
    path("amendments/<int:amendment_id>/accept/", documents.amendment_accept, name="amendment_accept"),
    path("amendments/<int:amendment_id>/reject/", documents.amendment_reject, name="amendment_reject"),
    path("filings/", filing.filing_queue, name="filings"),
    path("filings/<int:filing_id>/", filing.filing_detail, name="filing"),
    path("filings/<int:filing_id>/return/", filing.filing_return, name="filing_return"),
    path("filings/<int:filing_id>/file/", filing.filing_file, name="filing_file"),
    path("filings/<int:filing_id>/resubmit/", filing.filing_resubmit, name="filing_resubmit"),
]

# --- meetings ---
from guanhuai.governance.views import meetings  # noqa: E402  (the meetings' part, appended)

urlpatterns += [
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/roll/", meetings.roll_build, name="roll_build"),
    path("meetings/<int:meeting_id>/convene/", meetings.meeting_convene, name="meeting_convene"),
    path("meetings/<int:meeting_id>/open/", meetings.meeting_open, name="meeting_open"),
    path("meetings/<int:meeting_id>/close/", meetings.meeting_close, name="meeting_close"),
    path("meetings/<int:meeting_id>/minutes/", meetings.minutes_approve, name="minutes_approve"),
    path("meetings/<int:meeting_id>/motions/new/", meetings.motion_create, name="motion_create"),
    path("meetings/<int:meeting_id>/sign-in/", meetings.sign_in_page, name="sign_in"),
    path("meetings/<int:meeting_id>/sign-in/record/", meetings.sign_in, name="sign_in_record"),
    path("meetings/<int:meeting_id>/quorum/", meetings.quorum_banner, name="quorum"),
    path("meetings/<int:meeting_id>/slips/", meetings.notice_slips, name="slips"),
    path("motions/<int:motion_id>/voting/", meetings.motion_voting_open, name="motion_voting"),
    path("motions/<int:motion_id>/tally/", meetings.motion_tally, name="motion_tally"),
    path("motions/<int:motion_id>/correct/", meetings.motion_correct, name="motion_correct"),
    path("villages/<int:unit_id>/representatives/", meetings.representatives, name="representatives"),
    path("motions/<int:motion_id>/roll-call/", meetings.roll_call_page, name="roll_call"),
    path("motions/<int:motion_id>/roll-call/vote/", meetings.roll_call_vote, name="roll_call_vote"),
]

# --- demonstration villages and counties ---
from guanhuai.governance.views import designations  # noqa: E402

urlpatterns += [
    path("designations/", designations.designation_home, name="designations"),
    path("designations/apply/", designations.application_create, name="designation_apply"),
    path("designations/report/", designations.designation_report, name="designation_report"),
    path(
        "designations/applications/<int:application_id>/",
        designations.application_detail,
        name="designation_application",
    ),
    path(
        "designations/applications/<int:application_id>/review/",
        designations.application_review,
        name="designation_review",
    ),
    path("designations/<int:designation_id>/", designations.designation_detail, name="designation"),
    path(
        "designations/<int:designation_id>/revoke/",
        designations.designation_revoke,
        name="designation_revoke",
    ),
]
