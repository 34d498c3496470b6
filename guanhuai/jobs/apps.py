from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "guanhuai.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Apps register their job kinds in <app>/jobs.py.
        autodiscover_modules("jobs")
