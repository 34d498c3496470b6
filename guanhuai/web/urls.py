from django.urls import path

from guanhuai.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
