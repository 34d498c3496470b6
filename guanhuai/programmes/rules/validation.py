"""Validation of a rule: one precise Chinese message naming the first problem and where it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError
from guanhuai.programmes.rules.facts import FACTS, Fact, _codes

MAX_DEPTH = 8
MAX_CONDITIONS = 100

# ---------------------------------------------------------------------------------------------------
# Validation


def _where(path: str) -> str:
    return path or _("规则")


def _bad(path: str, message: str, *, code: str = "bad_rule") -> ValidationError:
    return ValidationError(
        _("%(where)s：%(message)s") % {"where": _where(path), "message": message},
        code=code,
        details={"path": path},
    )


def _check_value(f: Fact, op: str, value: Any, path: str) -> None:
    label = str(f.label)
    if op in ("in", "not_in") or (f.type == "branch" and not isinstance(value, str)):
        if not isinstance(value, list) or not value:
            raise _bad(path, _("条件“%(fact)s”用“%(op)s”时，值应为非空列表。") % {"fact": label, "op": op})
        items = value
    else:
        items = [value]
    for item in items:
        if f.type == "int":
            if isinstance(item, bool) or not isinstance(item, int):
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值应为整数，而不是 %(value)s。")
                    % {"fact": label, "value": _show(item)},
                )
            if (f.min is not None and item < f.min) or (f.max is not None and item > f.max):
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值 %(value)s 超出范围（%(min)s–%(max)s）。")
                    % {"fact": label, "value": item, "min": f.min, "max": f.max},
                )
        elif f.type == "bool":
            if not isinstance(item, bool):
                raise _bad(path, _("条件“%(fact)s”的值应为 true 或 false。") % {"fact": label})
        elif f.type == "date":
            try:
                if not isinstance(item, str):
                    raise ValueError
                dt.date.fromisoformat(item)
            except ValueError:
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值应为日期，格式如 1933-01-01，而不是 %(value)s。")
                    % {"fact": label, "value": _show(item)},
                )
        elif f.type == "choice":
            allowed = [v for v, _label in f.choices]
            if item not in allowed:
                raise _bad(
                    path,
                    _("条件“%(fact)s”的值 %(value)s 不可用，可选：%(choices)s。")
                    % {"fact": label, "value": _show(item), "choices": ", ".join(allowed)},
                )
        elif f.type == "branch":
            if not isinstance(item, str) or not item:
                raise _bad(path, _("条件“%(fact)s”的值应为组织的区划代码。") % {"fact": label})
        elif f.type == "programme":
            if not isinstance(item, str) or not item:
                raise _bad(path, _("条件“%(fact)s”的值应为项目代码。") % {"fact": label})
    if f.type == "programme":
        from guanhuai.programmes.models import Programme

        known = set(Programme.objects.filter(code__in=items).values_list("code", flat=True))
        missing = [c for c in items if c not in known]
        if missing:
            raise _bad(path, _("没有代码为 %(codes)s 的扶助项目。") % {"codes": ", ".join(missing)})
    if f.type == "branch":
        from guanhuai.orgs.models import OrgUnit

        codes = _codes(value)
        known = set(OrgUnit.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            raise _bad(path, _("没有区划代码为 %(codes)s 的组织。") % {"codes": ", ".join(missing)})


def _show(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _validate(node: Any, path: str, depth: int, counter: list[int]) -> None:
    if depth > MAX_DEPTH:
        raise _bad(path, _("规则嵌套超过 %(max)d 层。") % {"max": MAX_DEPTH})
    if not isinstance(node, dict):
        raise _bad(path, _("每个节点应为 JSON 对象，而不是 %(value)s。") % {"value": _show(node)})
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = node[key]
        if not isinstance(items, list):
            raise _bad(path, _("“%(key)s”的值应为条件列表。") % {"key": key})
        if key == "any" and not items:
            raise _bad(path, _("“any”至少需要一个条件（空的“any”谁都不符合）。"))
        for i, child in enumerate(items):
            _validate(child, f"{path}.{key}[{i}]" if path else f"{key}[{i}]", depth + 1, counter)
        return
    if keys == {"not"}:
        child = node["not"]
        if not child:
            raise _bad(path, _("“not”不能为空。"))
        _validate(child, f"{path}.not" if path else "not", depth + 1, counter)
        return
    if keys == {"fact", "op", "value"}:
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise _bad(path, _("规则的条件超过 %(max)d 个。") % {"max": MAX_CONDITIONS})
        name, op = node["fact"], node["op"]
        f = FACTS.get(name) if isinstance(name, str) else None
        if f is None:
            raise _bad(
                path,
                _("未知的条件项“%(fact)s”。可用的条件项：%(facts)s。")
                % {"fact": name, "facts": ", ".join(FACTS)},
                code="unknown_fact",
            )
        if op not in f.ops:
            raise _bad(
                path,
                _("条件“%(fact)s”不能用运算符“%(op)s”，可用：%(ops)s。")
                % {"fact": f.label, "op": op, "ops": " ".join(f.ops)},
            )
        _check_value(f, op, node["value"], path)
        return
    if not keys:
        if path:
            raise _bad(path, _("空的条件节点。"))
        return  # {} at the top: everyone
    if "fact" in keys:
        missing = {"fact", "op", "value"} - keys
        extra = keys - {"fact", "op", "value"}
        if missing:
            raise _bad(path, _("条件缺少 %(keys)s。") % {"keys": ", ".join(sorted(missing))})
        raise _bad(path, _("条件有多余的键 %(keys)s。") % {"keys": ", ".join(sorted(extra))})
    raise _bad(
        path,
        _("无法识别的节点 %(keys)s：应为 all、any、not 之一，或 fact/op/value 条件。")
        % {"keys": ", ".join(sorted(map(str, keys)))},
    )


def validate(rule: Any) -> None:
    """Raise ValidationError (code "unknown_fact" or "bad_rule") naming the first problem and where it is
    (e.g. `all[1].any[0]`); `details["path"]` carries the position for forms."""
    _validate(rule, "", 1, [0])
