"""Helpers shared by the funds services: today's date, dates not in the future, a restricted fund's purposes,
the record a replayed idempotency key made."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError
from guanhuai.funds.models import Fund, Purpose

M = TypeVar("M")


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, what: str) -> None:
    if day > _today():
        raise ValidationError(_("%(what)s不能晚于今天。") % {"what": what}, code="date_in_future")


def check_purpose(fund: Fund, purpose: Purpose | None) -> None:
    """A restricted fund pays only for its allowed purposes."""
    if not fund.restricted:
        return
    allowed = list(fund.allowed_purposes.all())
    if purpose is None:
        raise ValidationError(
            _("“%(fund)s”是限定用途基金，必须指定用途（%(allowed)s）。")
            % {"fund": fund.name, "allowed": "、".join(p.name for p in allowed)},
            code="purpose_required",
        )
    if purpose not in allowed:
        raise ValidationError(
            _("“%(fund)s”是限定用途基金，只能用于%(allowed)s，不能用于“%(purpose)s”。")
            % {"fund": fund.name, "allowed": "、".join(p.name for p in allowed), "purpose": purpose.name},
            code="purpose_not_allowed",
        )


def replay_of(model: type[M], idempotency_key: str | None) -> M | None:
    """The record (a donation, a disbursement) whose ledger transaction carries this key, across branches:
    asked before posting (a plain replay) and again after `ledger.post` (an identical request that won the
    race for the key has posted and made its record; the post returned its transaction)."""
    if not idempotency_key:
        return None
    manager: Any = model.objects  # type: ignore[attr-defined]
    return (
        manager.unscoped("an idempotency key is looked up across branches")
        .filter(transaction__idempotency_key=idempotency_key)
        .first()
    )
