from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "guanhuai.programmes"
    label = "programmes"
    verbose_name = "扶助项目"

    def ready(self) -> None:
        from guanhuai.programmes import jobs, permissions, receivers, services  # noqa: F401
