from django.urls import path

from guanhuai.registry.views import io as views_io

app_name = "registry_io"
urlpatterns = [
    path("import/", views_io.import_upload, name="import"),
    path("import/template/", views_io.import_template, name="template"),
    path("import/<int:pk>/", views_io.batch_detail, name="batch"),
    path("import/<int:pk>/progress/", views_io.batch_progress, name="batch_progress"),
    path("import/<int:pk>/commit/", views_io.batch_commit, name="batch_commit"),
    path("import/<int:pk>/errors/", views_io.batch_errors, name="batch_errors"),
    path("export/", views_io.export, name="export"),
]
