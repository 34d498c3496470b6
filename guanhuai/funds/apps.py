from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The ledger's SQLite DELETE trigger asks `guanhuai_ledger_maintenance()` (migration 0003)."""
    if connection.vendor == "sqlite":
        from guanhuai.funds.ledger import in_maintenance

        connection.connection.create_function("guanhuai_ledger_maintenance", 0, in_maintenance)


class FundsConfig(AppConfig):
    name = "guanhuai.funds"
    label = "funds"
    verbose_name = _("基金与捐赠")

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="funds.sqlite_functions")
        from guanhuai.funds import receivers  # noqa: F401  (funds follow a merged branch)
