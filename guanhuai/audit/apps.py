from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "guanhuai.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        # Every app's `audit.py` registers the sentences of its own actions (audit imports none by name).
        autodiscover_modules("audit")
