from django.urls import path

from guanhuai.association.views import care, home, meetings

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
