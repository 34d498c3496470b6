from django.urls import path

from guanhuai.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("pick/", views.unit_pick, name="unit_pick"),
    path("import/", views.tree_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("<int:pk>/children/", views.unit_children, name="children"),
    path("<int:pk>/new/", views.unit_create, name="create"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/move/", views.unit_move, name="move"),
    path("<int:pk>/merge/", views.unit_merge, name="merge"),
    path("<int:pk>/close/", views.unit_close, name="close"),
]
