"""The scope guard covers every model that holds a person's, a household's or a branch's rows (core/scopes.py,
docs/scoping.md). A model with a foreign key to a person, a household or a branch uses `ScopedManager`, unless
it is one of the few named below with the reason. So a new model that forgets the guard fails here, before a
list of it can leak; and every guarded model, armed, refuses a bare list and a count, and passes when the
caller says why."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed

HOLDERS = {"orgs.OrgUnit", "registry.Household", "registry.Person"}

# The models that hold such a key and are not guarded, on purpose (docs/scoping.md says the same).
NOT_GUARDED = {
    "orgs.OrgUnit": "the tree itself: scoping.units() is its scope",
    "orgs.OrgChange": "the tree's own history, read with the branch already in scope",
    "accounts.User": "users are listed by accounts' selectors, scoped on home_unit",
    "accounts.RoleAssignment": "what scoping is computed from",
    "funds.ReceiptSequence": "taken only under a row lock by the receipt-number service, never listed",
    "programmes.Programme": "a programme's definition, seen up and down the tree, not a family's data",
}


def _ours() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("guanhuai.")]


def _holds_rows(model: type[models.Model]) -> bool:
    return any(
        f.many_to_one and f.concrete and f.related_model._meta.label in HOLDERS
        for f in model._meta.get_fields()
        if getattr(f, "related_model", None) is not None
    )


def _guarded() -> list[type[models.Model]]:
    return [m for m in _ours() if isinstance(m._default_manager, ScopedManager)]


def test_every_model_holding_a_persons_a_households_or_a_branchs_rows_is_guarded():
    unguarded = {
        m._meta.label for m in _ours() if _holds_rows(m) and not isinstance(m._default_manager, ScopedManager)
    }
    assert unguarded == set(NOT_GUARDED), (
        "Give a model that holds a person's, a household's or a branch's rows `objects = ScopedManager()` "
        "(core/scopes.py), or name it in NOT_GUARDED with the reason and in docs/scoping.md."
    )


@pytest.mark.parametrize("model", _guarded(), ids=lambda m: m._meta.label)
def test_a_bare_list_of_every_guarded_model_is_an_error_while_armed(db, model):
    with armed(), pytest.raises(UnscopedQuery, match=model.__name__):
        list(model.objects.all())
    with armed(), pytest.raises(UnscopedQuery, match=model.__name__):
        model.objects.count()
    with armed():  # system work that says why passes
        rows = list(model.objects.unscoped("a test's own list"))
        assert model.objects.unscoped("a test's own count").count() == len(rows)
