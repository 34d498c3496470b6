from django.urls import path

from guanhuai.programmes.views import enrolments as views

urlpatterns = [
    path("", views.enrolment_list, name="enrolment_list"),
    path("flagged/", views.enrolment_flagged, name="enrolment_flagged"),
    path("reconfirm/", views.reconfirm, name="enrolment_reconfirm"),
    path("<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("<int:pk>/suspend/", views.enrolment_suspend, name="enrolment_suspend"),
    path("<int:pk>/resume/", views.enrolment_resume, name="enrolment_resume"),
    path("<int:pk>/exit/", views.enrolment_exit, name="enrolment_exit"),
    path("<int:pk>/keep/", views.enrolment_flag_clear, name="enrolment_flag_clear"),
]
