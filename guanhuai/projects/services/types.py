"""Project types as data: the five built-in types and a province's own types."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.core.text import name_pinyin
from guanhuai.orgs.models import Level
from guanhuai.projects.models import CONFIG_KEYS, ProjectType, type_config_errors
from guanhuai.projects.permissions import MANAGE_TYPES


def _entries(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, label in pairs]


# Labels are stored in the source language (Chinese) and shown through gettext, so the built-in types' labels
# (marked with gettext_noop) read in English too; a province's own labels are shown as typed. Approval steps
# are levels of the branch tree, lowest first.
BUILTIN_TYPES: list[dict[str, Any]] = [
    {
        "code": "youth_health",
        "name": "青春健康",
        "description": "在学校、高校、社区、企业和军营开展青少年性与生殖健康教育。",
        "config": {
            "activity_kinds": _entries(
                ("peer_education", gettext_noop("同伴教育")),
                ("parents_class", gettext_noop("家长课堂")),
                ("counselling", gettext_noop("咨询服务")),
                ("training_of_trainers", gettext_noop("师资培训")),
            ),
            "venue_kinds": _entries(
                ("school", gettext_noop("学校")),
                ("university", gettext_noop("高校")),
                ("community", gettext_noop("社区")),
                ("enterprise", gettext_noop("企业")),
                ("army_camp", gettext_noop("军营")),
            ),
            "participant_fields": _entries(
                ("male", gettext_noop("男")),
                ("female", gettext_noop("女")),
                ("age_under_15", gettext_noop("15岁以下")),
                ("age_15_19", gettext_noop("15–19岁")),
                ("age_20_24", gettext_noop("20–24岁")),
                ("age_25_up", gettext_noop("25岁及以上")),
                ("peer_educators", gettext_noop("参与的同伴教育者")),
            ),
            "outcome_indicators": _entries(
                ("participants", gettext_noop("参与人次")),
                ("knowledge_pre", gettext_noop("知识问卷前测平均分")),
                ("knowledge_post", gettext_noop("知识问卷后测平均分")),
            ),
            "approval_steps": _entries(
                ("city", gettext_noop("市级审核")), ("province", gettext_noop("省级审批"))
            ),
        },
    },
    {
        "code": "three_combinations",
        "name": "计生三结合",
        "description": "计划生育与发展经济、建设文明幸福家庭相结合：与困难家庭签订帮扶协议，帮助增收。",
        "config": {
            "activity_kinds": _entries(
                ("aid_agreement", gettext_noop("签订帮扶协议")),
                ("skills_training", gettext_noop("技能培训")),
                ("follow_up_visit", gettext_noop("跟踪回访")),
                ("market_link", gettext_noop("产销对接")),
            ),
            "venue_kinds": _entries(
                ("village", gettext_noop("村（社区）")),
                ("base", gettext_noop("产业基地")),
                ("cooperative", gettext_noop("合作社")),
            ),
            "participant_fields": _entries(
                ("households", gettext_noop("帮扶户数")), ("persons", gettext_noop("受益人数"))
            ),
            "outcome_indicators": _entries(
                ("households", gettext_noop("帮扶户数")),
                ("income_before", gettext_noop("帮扶前家庭年纯收入")),
                ("income_gain", gettext_noop("户年均增收")),
            ),
            "approval_steps": _entries(
                ("county", gettext_noop("县级审核")),
                ("city", gettext_noop("市级审核")),
                ("province", gettext_noop("省级审批")),
            ),
        },
    },
    {
        "code": "happy_family",
        "name": "幸福家庭",
        "description": "幸福家庭创建：自下而上评选（提名、村、乡镇、县、市），评选标准为文明、健康、优生、致富、奉献。",
        "config": {
            "activity_kinds": _entries(
                ("nomination", gettext_noop("提名")),
                ("village_selection", gettext_noop("村级评选")),
                ("township_selection", gettext_noop("乡镇评选")),
                ("county_selection", gettext_noop("县级评选")),
                ("city_selection", gettext_noop("市级评选")),
                ("publicity", gettext_noop("宣传展示")),
            ),
            "venue_kinds": _entries(
                ("village", gettext_noop("村（社区）")), ("township", gettext_noop("乡镇（街道）"))
            ),
            "participant_fields": _entries(("families", gettext_noop("参评家庭数"))),
            "outcome_indicators": _entries(
                ("families_named", gettext_noop("评选出的幸福家庭数")),
                ("criteria_civilised", gettext_noop("文明")),
                ("criteria_healthy", gettext_noop("健康")),
                ("criteria_eugenic", gettext_noop("优生")),
                ("criteria_prosperous", gettext_noop("致富")),
                ("criteria_dedicated", gettext_noop("奉献")),
            ),
            "approval_steps": _entries(
                ("county", gettext_noop("县级审核")), ("city", gettext_noop("市级审批"))
            ),
        },
    },
    {
        "code": "warm_home",
        "name": "暖心家园",
        "description": "为计生特殊家庭建设暖心家园，按“六有”标准（有场地、有标识、有制度、有计划、有活动、有管理）验收。",
        "config": {
            "activity_kinds": _entries(
                ("daily_life", gettext_noop("生活照料")),
                ("emotional", gettext_noop("精神慰藉")),
                ("elder_care", gettext_noop("养老服务")),
                ("health", gettext_noop("健康服务")),
            ),
            "venue_kinds": _entries(("warm_home", gettext_noop("暖心家园活动场所"))),
            "participant_fields": _entries(
                ("families", gettext_noop("服务特殊家庭数")), ("persons", gettext_noop("服务人次"))
            ),
            "outcome_indicators": _entries(
                ("six_venue", gettext_noop("有场地")),
                ("six_signs", gettext_noop("有标识")),
                ("six_rules", gettext_noop("有制度")),
                ("six_plan", gettext_noop("有计划")),
                ("six_activities", gettext_noop("有活动")),
                ("six_management", gettext_noop("有管理")),
                ("families_served", gettext_noop("服务特殊家庭数")),
            ),
            "approval_steps": _entries(
                ("county", gettext_noop("县级审核")), ("city", gettext_noop("市级审批"))
            ),
        },
    },
    {
        "code": "migrant_services",
        "name": "流动人口服务",
        "description": "由流动人口计生协和企业计生协开展的流动人口关怀服务。",
        "config": {
            "activity_kinds": _entries(
                ("health_service", gettext_noop("健康服务")),
                ("publicity", gettext_noop("政策宣传")),
                ("care_visit", gettext_noop("关怀走访")),
                ("training", gettext_noop("技能培训")),
            ),
            "venue_kinds": _entries(
                ("enterprise", gettext_noop("企业")),
                ("community", gettext_noop("社区")),
                ("industrial_park", gettext_noop("工业园区")),
            ),
            "participant_fields": _entries(("male", gettext_noop("男")), ("female", gettext_noop("女"))),
            "outcome_indicators": _entries(("persons_served", gettext_noop("服务流动人口人次"))),
            "approval_steps": _entries(
                ("county", gettext_noop("县级审核")), ("city", gettext_noop("市级审批"))
            ),
        },
    },
]


def install_builtin_types() -> list[ProjectType]:
    """Write the five built-in types (idempotent: an existing type keeps its row and its config, which a
    province may have extended). System work, called by the demo and by tests; returns them in order."""
    out = []
    for spec in BUILTIN_TYPES:
        row, _created = ProjectType.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "config": spec["config"],
                "is_builtin": True,
            },
        )
        out.append(row)
    return out


def can_manage_types(actor: Actor) -> bool:
    """Types are province-wide data: managed by whoever holds projects.manage_types at a province (or the
    national level), never from a city's or a county's assignment."""
    return scoping.units(actor, MANAGE_TYPES).filter(level__in=[Level.NATIONAL, Level.PROVINCE]).exists()


def require_type_manager(actor: Actor) -> None:
    """Without the permission at a province, the same 404 as a missing page (docs/scoping.md)."""
    if not can_manage_types(actor):
        raise NotFound(_("未找到该页面，或您无权访问。"))


def _clean_config(config: Any) -> dict[str, list[dict[str, str]]]:
    problems = type_config_errors(config)
    if problems:
        raise ValidationError(
            _("项目类型配置有误：%(keys)s（每项须有不重复的代码和名称）。") % {"keys": "、".join(problems)},
            code="bad_config",
        )
    return {
        key: [{"code": e["code"].strip(), "label": e["label"].strip()} for e in config.get(key, [])]
        for key in CONFIG_KEYS
    }


def project_type_create(
    *, actor: Actor, name: str, config: Any, description: str = "", code: str = ""
) -> ProjectType:
    """A province's own type, without code (see `can_manage_types`). The code is derived from the name when
    not given."""
    require_type_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写项目类型名称。"), code="name_required")
    code = (code or "").strip() or slugify(name_pinyin(name)[0])[:40] or "local"
    if ProjectType.objects.filter(name=name).exists():
        raise ValidationError(_("已有名为“%(name)s”的项目类型。") % {"name": name}, code="name_taken")
    if ProjectType.objects.filter(code=code).exists():
        raise ValidationError(_("项目类型代码“%(code)s”已被使用。") % {"code": code}, code="code_taken")
    clean = _clean_config(config)
    with transaction.atomic():
        row = ProjectType.objects.create(
            code=code, name=name, description=(description or "").strip(), config=clean
        )
        log(row, "projects.type.created", actor=actor, data={"name": name})
    return row


def project_type_update(
    *, actor: Actor, project_type: ProjectType, config: Any, description: str | None = None
) -> ProjectType:
    """Change a type's lists (a built-in type too: a province may add a venue kind). Codes already used
    by recorded rows stay meaningful because rows store codes and labels are looked up by code."""
    require_type_manager(actor)
    clean = _clean_config(config)
    with transaction.atomic():
        project_type.config = clean
        fields = ["config"]
        if description is not None:
            project_type.description = description.strip()
            fields.append("description")
        project_type.save(update_fields=fields)
        log(project_type, "projects.type.updated", actor=actor)
    return project_type
