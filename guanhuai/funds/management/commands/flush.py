"""Django's `flush`, inside `ledger.maintenance()`: on SQLite a flush is DELETE FROM every table, which the
ledger's append-only trigger would otherwise refuse (docs/ledger.md). Tests' teardown runs this command."""

from typing import Any

from django.core.management.commands import flush

from guanhuai.funds import ledger


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with ledger.maintenance():
            super().handle(**options)
