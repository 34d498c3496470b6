from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WebConfig(AppConfig):
    name = "guanhuai.web"
    label = "web"
    verbose_name = "工作台"

    def ready(self) -> None:
        # Every app's `work.py` registers its home-page work items (core/work.py); web imports none by name.
        autodiscover_modules("work")
