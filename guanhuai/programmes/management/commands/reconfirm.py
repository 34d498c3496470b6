"""`guanhuai reconfirm --programme CODE --as-of 2026-12-31 --as USERNAME`: the annual re-confirmation
(资格确认) from a shell, run inline, printing the counts. It acts as the named user (a county approver):
only the enrolments in that user's branches are looked at, and nobody is exited — those who no longer
qualify are flagged for the approver's queue."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.commands import acting_as, refusals
from guanhuai.programmes.models import Programme
from guanhuai.programmes.services.enrolments import reconfirmation_run
from guanhuai.programmes.states import FlagReason


class Command(BaseCommand):
    help = "年度资格确认：按当前资格条件核对享受对象，不再符合的只做复核提示，不自动退出。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--programme", required=True, help="扶助项目代码")
        parser.add_argument("--as-of", dest="as_of", help="确认基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--as", dest="username", required=True, help="以该用户（县级审批人）的身份和辖区执行"
        )

    def handle(self, *args: Any, programme: str, as_of: str | None, username: str, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(_("日期“%(d)s”格式不对，应为 2026-12-31 这样的格式。") % {"d": as_of})
        found = Programme.objects.filter(code=programme).first()
        if found is None:
            raise CommandError(_("扶助项目不存在：%(code)s") % {"code": programme})
        with acting_as(username) as actor, refusals():
            counts = reconfirmation_run(actor=actor, programme=found, as_of=day)
        self.stdout.write(
            _("%(name)s %(d)s 资格确认：核对 %(n)d 人，此前已有提示 %(old)d 人。")
            % {"name": found.name, "d": day, "n": counts["checked"], "old": counts["already_flagged"]}
        )
        for reason in FlagReason:
            self.stdout.write(f"  {reason.label}：{counts.get(reason.value, 0)}")
