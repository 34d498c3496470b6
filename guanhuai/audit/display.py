"""An audit entry as a person reads it: the action's sentence, the object's name, and each changed field
with its translated label and values. Everything is prepared for a whole page at once: the names come
from the apps' namers (`actions.register_names`), one query per object type on the page, and the field
labels and choice values from the models' own metadata, with no query at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from guanhuai.audit.actions import FIELD_LABELS, NAMERS, describe
from guanhuai.audit.models import AuditEntry
from guanhuai.core.scopes import unscoped

TRUE = {True, "True", "true", "1"}
FALSE = {False, "False", "false", "0"}


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The field's translated label: the one its app registered, else the model field's verbose name
    (`status` → 状态), else for a link without one the linked model's name (`programme` → 扶助项目), else
    the stored key."""
    registered = FIELD_LABELS.get(model._meta.label_lower, {}) if model else {}
    if name in registered:
        return str(registered[name])
    field = _field(model, name)
    label = getattr(field, "verbose_name", None)
    if label and str(label) != name.replace("_", " "):
        return str(label)
    related = getattr(field, "related_model", None)
    if related is not None and "verbose_name" in related._meta.original_attrs:
        return str(related._meta.verbose_name)
    return name


def field_value(model: type[models.Model] | None, name: str, value: Any) -> str | None:
    """A stored value as the page shows it: a choice's label, 是/否, or the text stored; None is "—"."""
    if value is None or value == "" or value == "None":
        return None
    field = _field(model, name)
    if field is not None and getattr(field, "flatchoices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(field, models.BooleanField) and value in TRUE | FALSE:
        return _("是") if value in TRUE else _("否")
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def _type_label(model: type[models.Model] | None) -> str:
    """The object's kind in words (扶助申请), when its model names it; never an English class name."""
    if model is None or "verbose_name" not in model._meta.original_attrs:
        return ""
    return str(model._meta.verbose_name)


def _changes(model: type[models.Model] | None, changes: Any) -> list[tuple[str, str | None, str | None]]:
    rows = []
    for name, values in (changes or {}).items():
        old, new = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
        rows.append((field_label(model, name), field_value(model, name, old), field_value(model, name, new)))
    return rows


REMARK_KEYS = ("reason", "comment", "note")


def _remark(data: Any) -> str:
    """The words a person wrote with the action (a reason, a review comment, a note), if any."""
    if not isinstance(data, dict):
        return ""
    return next((str(data[k]) for k in REMARK_KEYS if isinstance(data.get(k), str) and data[k].strip()), "")


def readable(entries: Sequence[AuditEntry]) -> Sequence[AuditEntry]:
    """Give each entry `sentence`, `name`, `type_label`, `change_list` [(label, old, new)] and `remark`."""
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type in NAMERS:
            ids[entry.object_type].add(entry.object_id)
    # The entries were read through scoping; their objects' names are looked up by id, in one query a type.
    with unscoped("the names of objects whose audit entries the reader may see"):
        names = {t: NAMERS[t](sorted(wanted)) for t, wanted in ids.items()}
    for entry in entries:
        model = _model(entry.object_type)
        entry.sentence = describe(entry.action)  # type: ignore[attr-defined]
        entry.name = names.get(entry.object_type, {}).get(entry.object_id) or entry.object_repr  # type: ignore[attr-defined]
        entry.type_label = _type_label(model)  # type: ignore[attr-defined]
        entry.change_list = _changes(model, entry.changes)  # type: ignore[attr-defined]
        entry.remark = _remark(entry.data)  # type: ignore[attr-defined]
    return entries
