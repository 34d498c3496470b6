from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationConfig(AppConfig):
    name = "guanhuai.association"
    label = "association"
    verbose_name = _("协会建设")

    def ready(self) -> None:
        from guanhuai.association import jobs, permissions, receivers, services  # noqa: F401
