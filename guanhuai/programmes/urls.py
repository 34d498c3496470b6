from django.urls import include, path

app_name = "programmes"

urlpatterns = [
    path("", include("guanhuai.programmes.urls_programmes")),
    path("applications/", include("guanhuai.programmes.urls_applications")),
    path("enrolments/", include("guanhuai.programmes.urls_enrolments")),
    path("cycles/", include("guanhuai.programmes.urls_cycles")),
]
