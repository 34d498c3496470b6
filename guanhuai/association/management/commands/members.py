"""`guanhuai members reregister …`: re-registration campaigns from the command line, thin over the
services (the same scope, checks and audit as the pages).

    guanhuai members reregister open --unit 440224 --title "2026年会员再登记" --deadline 2026-12-31 --as xiehui
    guanhuai members reregister status --campaign 3 --as xiehui
    guanhuai members reregister close --campaign 3 --as xiehui

`open` and `close` queue durable jobs (`guanhuai job watch <id>` shows them); run `guanhuai worker`, or they
run in this process where tasks are immediate."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.association import selectors, services
from guanhuai.association.permissions import VIEW
from guanhuai.core.errors import DomainError
from guanhuai.orgs import selectors as org_selectors


class Command(BaseCommand):
    help = "协会会员：会员再登记（发起、查看进度、截止后结束）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rereg = sub.add_parser("reregister", help="会员再登记")
        step = rereg.add_subparsers(dest="step", required=True, metavar="STEP")
        opening = step.add_parser("open", help="发起再登记（在后台任务中生成名单）")
        opening.add_argument("--unit", required=True, help="发起协会的区划代码")
        opening.add_argument("--title", required=True, help="名称")
        opening.add_argument("--deadline", required=True, help="截止日期 YYYY-MM-DD")
        opening.add_argument("--opened-on", dest="opened_on", help="开始日期（默认今天）")
        for name, text in (("status", "各村(社区)确认进度"), ("close", "截止后结束：未确认者转为未再登记")):
            p = step.add_parser(name, help=text)
            p.add_argument("--campaign", type=int, required=True, help="再登记编号")
        for p in (opening, *[step.choices[n] for n in ("status", "close")]):
            p.add_argument("--as", dest="username", required=True, help="以该用户的身份和辖区执行")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = get_user_model()._default_manager.get_by_natural_key(options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(_("用户不存在：%(name)s") % {"name": options["username"]}) from None
        try:
            getattr(self, f"_{options['step']}")(actor, options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _day(self, text: str | None) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}) from None

    def _open(self, actor: Actor, o: dict[str, Any]) -> None:
        unit = org_selectors.unit_get_by_code(actor=actor, code=o["unit"], perm=VIEW)
        campaign = services.campaign_open(
            actor=actor,
            org_unit=unit,
            title=o["title"],
            opened_on=self._day(o["opened_on"]),
            deadline=self._day(o["deadline"]),
        )
        self.stdout.write(
            _("已发起再登记 #%(id)d：%(title)s（%(status)s）")
            % {"id": campaign.pk, "title": campaign.title, "status": campaign.get_status_display()}
        )

    def _status(self, actor: Actor, o: dict[str, Any]) -> None:
        campaign = selectors.campaign_get(actor=actor, campaign_id=o["campaign"])
        rows = selectors.campaign_progress(actor=actor, campaign=campaign)
        self.stdout.write(f"{campaign.title} · {campaign.get_status_display()} · {campaign.deadline}")
        for p in rows:
            self.stdout.write(f"  {p.name}\t{p.confirmed:>6} / {p.total:<6}\t{p.percent:>3}%")
        self.stdout.write(
            _("合计：已确认 %(c)d / %(t)d")
            % {"c": sum(p.confirmed for p in rows), "t": sum(p.total for p in rows)}
        )

    def _close(self, actor: Actor, o: dict[str, Any]) -> None:
        campaign = selectors.campaign_get(actor=actor, campaign_id=o["campaign"])
        job = services.campaign_close_submit(actor=actor, campaign=campaign)
        job.refresh_from_db()
        self.stdout.write(
            _("结束任务 #%(id)d：%(status)s %(counts)s")
            % {"id": job.pk, "status": job.get_status_display(), "counts": job.counts}
        )
