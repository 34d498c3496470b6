from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "guanhuai.web"
    label = "web"
    verbose_name = _("工作台")

    def ready(self) -> None:
        # Every app's `work.py` registers its home-page work items (core/work.py); web imports none by name.
        autodiscover_modules("work")
