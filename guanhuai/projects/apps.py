from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "guanhuai.projects"
    label = "projects"
    verbose_name = _("协会项目")

    def ready(self) -> None:
        from guanhuai.projects import permissions, receivers, services  # noqa: F401
