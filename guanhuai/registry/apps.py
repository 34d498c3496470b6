from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "guanhuai.registry"
    label = "registry"
    verbose_name = _("户籍人口")

    def ready(self) -> None:
        from guanhuai.registry import receivers  # noqa: F401  (re-point households when branches merge)
