from django.urls import path

from guanhuai.association.views import home
from guanhuai.association.views import members as m

app_name = "association"

urlpatterns = [
    path("", home.index, name="home"),
]

# --- part 1: members, campaigns, branches and bodies, cadres ---
urlpatterns += [
    path("members/", m.member_list, name="members"),
    path("members/export/", m.member_export, name="member_export"),
    path("members/import/template/", m.member_import_template, name="member_import_template"),
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
    path("units/<int:unit_id>/members/import/", m.member_import, name="member_import"),
    path("units/<int:unit_id>/groups/new/", m.group_create, name="group_create"),
    path("units/<int:unit_id>/members-day/new/", m.members_day_create, name="members_day_create"),
    path("units/<int:unit_id>/campaigns/new/", m.campaign_create, name="campaign_create"),
    path("units/<int:unit_id>/terms/new/", m.term_create, name="term_create"),
    path("units/<int:unit_id>/cadres/new/", m.cadre_create, name="cadre_create"),
    path("bodies/<int:body_id>/seats/new/", m.seat_create, name="seat_create"),
    path("seats/<int:seat_id>/cease/", m.seat_cease, name="seat_cease"),
    path("cadres/", m.cadre_list, name="cadres"),
    path("cadres/<int:cadre_id>/leave/", m.cadre_leave, name="cadre_leave"),
]
