from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanhuai.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # Every app's `links.py` registers what it shows on other apps' object pages (core/links.py).
        autodiscover_modules("links")
