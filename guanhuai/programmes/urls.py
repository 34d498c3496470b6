from django.urls import include, path

from guanhuai.programmes.views import applications as views_applications

app_name = "programmes"

urlpatterns = [
    path("", views_applications.home, name="home"),
    path("", include("guanhuai.programmes.urls_programmes")),
    path("applications/", include("guanhuai.programmes.urls_applications")),
    path("enrolments/", include("guanhuai.programmes.urls_enrolments")),
    path("cycles/", include("guanhuai.programmes.urls_cycles")),
]
