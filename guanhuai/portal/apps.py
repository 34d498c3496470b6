from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "guanhuai.portal"
    label = "portal"
    verbose_name = _("阳光计生")

    def ready(self) -> None:
        from guanhuai.portal import jobs, permissions, receivers  # noqa: F401
