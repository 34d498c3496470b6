from django.urls import path

from guanhuai.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("<int:pk>/result/", views.job_result_file, name="result"),
    path("<int:pk>/input/", views.job_input_file, name="input"),
]
