from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "guanhuai.programmes"
    label = "programmes"
    verbose_name = _("扶助项目")

    def ready(self) -> None:
        from guanhuai.programmes import jobs, permissions, receivers, services  # noqa: F401
