from django.urls import path

from guanhuai.association.views import care, home, imports, meetings
from guanhuai.association.views import members as m
from guanhuai.association.views import training as training_views

app_name = "association"

urlpatterns = [
    path("", home.index, name="home"),
    # Care for special families (views/care.py).
    path("care/", care.coverage, name="care"),
    path("care/gaps/", care.gaps, name="care_gaps"),
    path("care/gaps/export/", care.gaps_export, name="care_gaps_export"),
    path("care/follow-ups/", care.my_follow_ups, name="care_follow_ups"),
    path("care/families/<int:pk>/", care.family, name="care_family"),
    path("care/families/<int:pk>/add/<slug:kind>/", care.arrangement_add, name="care_add"),
    path("care/families/<int:pk>/visits/new/", care.visit_create, name="care_visit_create"),
    path("care/arrangements/<int:pk>/end/", care.arrangement_end, name="care_end"),
    path("care/visits/<int:pk>/", care.visit_detail, name="care_visit"),
    path("care/follow-ups/<int:pk>/done/", care.follow_up_done, name="care_follow_up_done"),
    # Volunteers and the health commission (views/meetings.py).
    path("volunteers/", meetings.volunteer_list, name="volunteers"),
    path("volunteers/teams/new/", meetings.team_create, name="team_create"),
    path("volunteers/new/", meetings.volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", meetings.volunteer_detail, name="volunteer"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/actions/<int:pk>/close/", meetings.action_close, name="action_close"),
    path("meetings/delegated/new/", meetings.delegated_create, name="delegated_create"),
    path("meetings/delegated/<int:pk>/move/", meetings.delegated_move, name="delegated_move"),
]

# --- part 1: members, campaigns, branches and bodies, cadres ---
urlpatterns += [
    path("members/", m.member_list, name="members"),
    path("members/export/", m.member_export, name="member_export"),
    path("members/import/template/", imports.member_import_template, name="member_import_template"),
    path("members/imports/<int:pk>/", imports.member_import_batch, name="member_import_batch"),
    path("members/imports/<int:pk>/progress/", imports.member_import_progress, name="member_import_progress"),
    path("members/imports/<int:pk>/commit/", imports.member_import_commit, name="member_import_commit"),
    path("members/imports/<int:pk>/errors/", imports.member_import_errors, name="member_import_errors"),
    path("members/<int:member_id>/", m.member_detail, name="member"),
    path("members/<int:member_id>/withdraw/", m.member_withdraw, name="member_withdraw"),
    path("members/<int:member_id>/transfer/", m.member_transfer, name="member_transfer"),
    path("members/<int:member_id>/reinstate/", m.member_reinstate, name="member_reinstate"),
    path("members-day/", m.members_day_list, name="members_day"),
    path("campaigns/", m.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", m.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/close/", m.campaign_close, name="campaign_close"),
    path("campaigns/<int:campaign_id>/units/<int:unit_id>/", m.campaign_village, name="campaign_village"),
    path("units/", m.unit_index, name="units"),
    path("units/<int:unit_id>/", m.unit_page, name="unit"),
    path("units/<int:unit_id>/registration/", m.registration_edit, name="registration"),
    path("units/<int:unit_id>/members/new/", m.member_create, name="member_create"),
    path("units/<int:unit_id>/members/import/", imports.member_import, name="member_import"),
    path("units/<int:unit_id>/groups/new/", m.group_create, name="group_create"),
    path("groups/<int:group_id>/leader/", m.group_leader, name="group_leader"),
    path("units/<int:unit_id>/members-day/new/", m.members_day_create, name="members_day_create"),
    path("units/<int:unit_id>/campaigns/new/", m.campaign_create, name="campaign_create"),
    path("units/<int:unit_id>/terms/new/", m.term_create, name="term_create"),
    path("units/<int:unit_id>/cadres/new/", m.cadre_create, name="cadre_create"),
    path("bodies/<int:body_id>/seats/new/", m.seat_create, name="seat_create"),
    path("seats/<int:seat_id>/cease/", m.seat_cease, name="seat_cease"),
    path("cadres/", m.cadre_list, name="cadres"),
    path("cadres/<int:cadre_id>/leave/", m.cadre_leave, name="cadre_leave"),
    # --- training ---
    path("training/", training_views.course_list, name="training"),
    path("training/new/", training_views.course_create, name="course_create"),
    path("training/<int:course_id>/", training_views.course_detail, name="course"),
    path("training/<int:course_id>/edit/", training_views.course_edit, name="course_edit"),
    path(
        "training/enrolments/<int:enrolment_id>/cancel/",
        training_views.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path("training/<int:course_id>/sessions/new/", training_views.session_create, name="session_create"),
    path("training/<int:course_id>/enrol/", training_views.course_enrol, name="course_enrol"),
    path(
        "training/<int:course_id>/certificates/", training_views.certificates_issue, name="certificates_issue"
    ),
    path("training/sessions/<int:session_id>/", training_views.session_signin, name="session_signin"),
    path("training/sessions/<int:session_id>/code/", training_views.session_code, name="session_code"),
    path(
        "training/sessions/<int:session_id>/present/",
        training_views.attendance_record,
        name="attendance_record",
    ),
    path(
        "training/certificates/<int:certificate_id>/pdf/",
        training_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("training/trainers/", training_views.trainer_list, name="trainers"),
    path("training/trainers/new/", training_views.trainer_create, name="trainer_create"),
    path("training/trainers/<int:trainer_id>/edit/", training_views.trainer_edit, name="trainer_edit"),
    path("training/figures/", training_views.training_figures, name="training_figures"),
    path("sign-in/", training_views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", training_views.sign_in_qr, name="sign_in_qr"),
    path("certificates/verify/", training_views.certificate_verify, name="certificate_verify"),
]
