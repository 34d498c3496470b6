from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Hukou(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class RelationToHead(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他亲属")


class ChildBasis(models.TextChoices):
    BIRTH = "birth", _("亲生")
    ADOPTION = "adoption", _("依法收养")


class SpecialStatus(models.TextChoices):
    """Derived, never typed in: see registry.family.recompute_family_facts."""

    NONE = "", _("—")
    BEREAVED = "bereaved", _("失独")
    DISABLED_CHILD = "disabled_child", _("独生子女伤残")


class EventKind(models.TextChoices):
    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    DISABILITY = "disability", _("残疾评定")
    ADOPTION = "adoption", _("收养")
    MARRIAGE = "marriage", _("结婚")
    DIVORCE = "divorce", _("离婚")
    MIGRATION = "migration", _("流动")
    MOVE = "move", _("迁户")
    CORRECTION = "correction", _("更正")


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registry", _("计生服务登记")
    ASSISTANCE = "assistance", _("扶助申请与发放")
    SENSITIVE = "sensitive", _("处理敏感个人信息（失独/伤残/健康/银行账户）")
    PUBLICATION = "publication", _("公示（姓名脱敏、村、金额）")
    # A family's honour (e.g. a named Happy Family) shown on the public portal with the head's full name and
    # the village: a separate consent (PIPL art. 25), withdrawable at any time.
    HONOURS = "honours", _("荣誉公开（户主姓名和所在村在门户网站公开）")
    MINOR = "minor", _("处理不满十四周岁未成年人信息（监护人同意）")
