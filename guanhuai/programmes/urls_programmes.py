"""Programme definitions, the rule editor and 应享未享, under /programmes/definitions/."""

from django.urls import path

from guanhuai.programmes.views import programmes as views

urlpatterns = [
    path("definitions/", views.programme_list, name="programme_list"),
    path("definitions/new/", views.programme_create, name="programme_create"),
    path("definitions/from-template/", views.programme_from_template, name="programme_from_template"),
    path("definitions/rule-row/", views.rule_row, name="rule_row"),
    path("definitions/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("definitions/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("definitions/<int:pk>/rule/", views.rule_edit, name="rule_edit"),
    path("definitions/<int:pk>/rule/preview/", views.rule_preview, name="rule_preview"),
    path("definitions/<int:pk>/amounts/new/", views.programme_amount_add, name="programme_amount_add"),
    path(
        "definitions/<int:pk>/amounts/<int:rule_pk>/end/",
        views.programme_amount_end,
        name="programme_amount_end",
    ),
    path("definitions/<int:pk>/missed/", views.programme_missed, name="programme_missed"),
    path(
        "definitions/<int:pk>/missed/export/", views.programme_missed_export, name="programme_missed_export"
    ),
]
