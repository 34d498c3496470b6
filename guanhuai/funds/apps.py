from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "guanhuai.funds"
    label = "funds"
    verbose_name = "基金与捐赠"
