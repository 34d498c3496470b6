from django.urls import path

from guanhuai.registry.views import households as views
from guanhuai.registry.views import persons as person_views

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="persons"),
    path("persons/<int:pk>/", person_views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", person_views.person_edit, name="person_edit"),
    path("persons/<int:pk>/unmask/", person_views.person_unmask, name="person_unmask"),
    path("persons/<int:pk>/bank/", person_views.bank_account, name="person_bank"),
    path("persons/<int:pk>/events/<slug:kind>/", person_views.person_event, name="person_event"),
    path("persons/<int:pk>/consents/new/", person_views.consent_add, name="consent_add"),
    path(
        "persons/<int:pk>/consents/<int:consent_pk>/withdraw/",
        person_views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("persons/<int:pk>/access-export/", person_views.access_export, name="person_access_export"),
    path("persons/<int:pk>/anonymise/", person_views.anonymise, name="person_anonymise"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/new/member-row/", views.member_row, name="member_row"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/members/new/", views.household_member_add, name="household_member_add"),
    path("households/<int:pk>/birth/", views.household_birth, name="household_birth"),
    path("households/<int:pk>/move-in/", views.household_move_in, name="household_move_in"),
    path("check-id/", views.check_id, name="check_id"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/new/", views.transfer_request, name="transfer_request"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
]
