"""/programmes/applications/…: applications, documents, review, notices, objections and grievances."""

from django.urls import path

from guanhuai.programmes.views import applications as views
from guanhuai.programmes.views import grievances as views_grievances

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("<int:pk>/review/", views.application_review, name="application_review"),
    path("<int:pk>/documents/", views.document_upload, name="application_document_upload"),
    path("<int:pk>/documents/<int:doc>/", views.document_download, name="application_document"),
    path("<int:pk>/grievances/new/", views_grievances.grievance_create, name="grievance_create"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/open/", views.notice_open, name="notice_open"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/close/", views.notice_close, name="notice_close"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("grievances/", views_grievances.grievance_list, name="grievance_list"),
    path("grievances/<int:pk>/", views_grievances.grievance_detail, name="grievance_detail"),
]
