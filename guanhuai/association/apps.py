from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "guanhuai.association"
    label = "association"
    verbose_name = "协会建设"

    def ready(self) -> None:
        from guanhuai.association import jobs, permissions, receivers, services  # noqa: F401
