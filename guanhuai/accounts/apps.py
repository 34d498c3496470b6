from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "guanhuai.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # Each app declares its named permissions, and which roles hold them, in its permissions.py.
        autodiscover_modules("permissions")
