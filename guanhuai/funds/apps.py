from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "guanhuai.funds"
    label = "funds"
    verbose_name = "基金与捐赠"

    def ready(self) -> None:
        from guanhuai.funds import receivers  # noqa: F401  (funds follow a merged branch)
