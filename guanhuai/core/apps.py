from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guanhuai.core"
    label = "core"
    verbose_name = "核心"
