"""`guanhuai demo`: the demo province (广东省 with generated townships and villages) and one login per role.

Idempotent: if 广东省 already exists nothing is written and the logins are printed again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guanhuai.core.commands import refusals
from guanhuai.orgs.models import Level
from guanhuai.web.demo import association_care as care_demo
from guanhuai.web.demo import association_members as association_members_demo
from guanhuai.web.demo import association_training as association_training_demo
from guanhuai.web.demo import funds as funds_demo
from guanhuai.web.demo import governance_documents as governance_documents_demo
from guanhuai.web.demo import governance_meetings as governance_meetings_demo
from guanhuai.web.demo import happy_families as happy_families_demo
from guanhuai.web.demo import portal as portal_demo
from guanhuai.web.demo import programmes as programmes_demo
from guanhuai.web.demo import project_outcomes as project_outcomes_demo
from guanhuai.web.demo import projects as projects_demo
from guanhuai.web.demo import province, write_summary


class Command(BaseCommand):
    help = "建立演示省（广东省真实区划，外加若干市的乡镇和村），并为每个角色建立一个演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cities",
            type=int,
            default=len(province.DEMO_CITIES),
            help="为多少个市生成乡镇和村（默认 3：韶关、梅州、清远；最多为全部有县区的市）。",
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="最小演示：只为韶关市仁化县和浈江区生成乡镇和村（用于测试）。",
        )
        parser.add_argument("--no-job", action="store_true", help="不提交演示后台任务。")
        parser.add_argument("--no-households", action="store_true", help="不生成演示户籍人口。")

    def handle(self, *args: Any, **options: Any) -> None:
        choices = province.city_choices()
        if not 1 <= options["cities"] <= len(choices):
            raise CommandError(_("--cities 应在 1 到 %(n)d 之间。") % {"n": len(choices)})
        with refusals():
            result = province.demo_build(
                password=settings.GUANHUAI_DEMO_PASSWORD or "",
                cities=choices[: options["cities"]],
                counties=province.SMALL_COUNTIES if options["small"] else None,
                submit_job=not options["no_job"],
                households=not options["no_households"],
            )
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("已建立演示省：导入 %(n)d 个组织，用时 %(s).1f 秒。")
                    % {"n": result.units_created, "s": result.seconds}
                )
            )
            if result.job_note:
                self.stdout.write(result.job_note)
        elif result.registry is None:
            self.stdout.write(self.style.WARNING(_("演示省（广东省 440000）已存在，未做任何修改。")))
        else:
            self.stdout.write(
                self.style.WARNING(_("演示省（广东省 440000）已存在；补充生成了演示户籍人口。"))
            )
        self._print_counts(result.counts)
        if result.registry is not None:
            self._print_registry(result.registry)
        for step in (funds_demo, programmes_demo):  # each builds once, then prints its summary
            with refusals():
                summary = step.demo_build(small=options["small"])
            for line in step.summary_lines(summary):
                self.stdout.write(line)
        self.stdout.write(
            "\n".join(
                association_members_demo.summary_lines(
                    association_members_demo.demo_build(small=options["small"])
                )
            )
        )
        association_training_demo.build_and_print(self, small=options["small"])
        care_demo.build_and_print(self)
        with refusals():
            projects_demo.build_and_print(self, small=options["small"])
        project_outcomes_demo.build_and_print(self, projects_demo.demo_projects())
        happy_families_demo.build_and_print(self)
        governance_documents_demo.build_and_print(self)
        governance_meetings_demo.build_and_print(self)
        portal_demo.build_and_print(self)
        self._print_logins(result.logins)

    def _print_counts(self, counts: dict[str, int]) -> None:
        levels = [(str(Level(level).label), n) for level, n in counts.items()]
        write_summary(self, skipped="", title=_("各级组织数量："), counts=levels)

    def _print_registry(self, loaded: Any) -> None:
        lines = (
            (_("户"), loaded.households),
            (_("人"), loaded.persons),
            (_("失独家庭"), loaded.bereaved),
            (_("独生子女伤残家庭"), loaded.disabled_child),
            (_("3岁以下儿童"), loaded.under_3),
            (_("流动人口"), loaded.migrants),
        )
        title = _("演示户籍人口（用时 %(s).1f 秒）：") % {"s": loaded.seconds}
        write_summary(self, skipped="", title=title, counts=lines)

    def _print_logins(self, logins: list[province.Login]) -> None:
        self.stdout.write("")
        if not logins:
            self.stdout.write(self.style.WARNING(_("没有找到演示账号：广东省不是由本命令建立的。")))
            return
        # A Markdown table, so it can be pasted into README as it is.
        self.stdout.write("| " + " | ".join([_("用户名"), _("角色"), _("组织")]) + " |")
        self.stdout.write("|---|---|---|")
        for login in logins:
            self.stdout.write(f"| `{login.username}` | {login.role} | {login.unit} |")
        self.stdout.write("")
        self.stdout.write(_("所有演示账号的密码：%(p)s") % {"p": settings.GUANHUAI_DEMO_PASSWORD})
