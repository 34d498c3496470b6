from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "guanhuai.governance"
    label = "governance"
    verbose_name = _("村民自治")

    def ready(self) -> None:
        from guanhuai.governance import permissions, receivers, services  # noqa: F401
