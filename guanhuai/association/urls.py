from django.urls import path

from guanhuai.association.views import home
from guanhuai.association.views import training as training_views

app_name = "association"

urlpatterns = [
    path("", home.index, name="home"),
    # --- training ---
    path("training/", training_views.course_list, name="training"),
    path("training/new/", training_views.course_create, name="course_create"),
    path("training/<int:course_id>/", training_views.course_detail, name="course"),
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
    path("training/figures/", training_views.training_figures, name="training_figures"),
    path("sign-in/", training_views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", training_views.sign_in_qr, name="sign_in_qr"),
    path("certificates/verify/", training_views.certificate_verify, name="certificate_verify"),
]
