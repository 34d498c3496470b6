from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanhuai.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        # Each app declares its named permissions, and which roles hold them, in its permissions.py.
        autodiscover_modules("permissions")
