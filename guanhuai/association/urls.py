from django.urls import path

from guanhuai.association.views import home

app_name = "association"

urlpatterns = [
    path("", home.index, name="home"),
]
