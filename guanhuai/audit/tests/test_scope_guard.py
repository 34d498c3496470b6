"""The scope guard over the audit log (`AuditEntry` carries the branch of what it records): a bare list of it
is an error while the guard is armed; the log's own selector passes and holds only the viewer's branches; the
trail of one object already read through scoping (an application's timeline) passes as that object's rows."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit import selectors
from guanhuai.audit.models import AuditEntry
from guanhuai.audit.tests.factories import AuditEntryFactory
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed


@pytest.fixture
def entries(tree, people):
    return (
        AuditEntryFactory(actor=people.admin, org_unit=tree.village_a),
        AuditEntryFactory(actor=people.admin, org_unit=tree.other_county),
    )


def test_a_bare_list_of_the_log_is_an_error_while_armed(entries):
    assert isinstance(AuditEntry._default_manager, ScopedManager)
    with armed(), pytest.raises(UnscopedQuery, match="AuditEntry"):
        list(AuditEntry.objects.all())
    with armed(), pytest.raises(UnscopedQuery, match="AuditEntry"):
        AuditEntry.objects.filter(org_unit=entries[1].org_unit).count()


def test_the_log_and_an_objects_trail_pass_and_another_countys_entries_stay_out(client, tree, entries):
    mine, theirs = entries
    auditor = user_with_role("auditor", tree.county, username="auditor_county")
    with armed():
        assert list(selectors.entry_list(actor=auditor)) == [mine]
        assert list(selectors.trail(tree.village_a)) == [
            mine
        ]  # the village, read by the caller, and its rows
    client.force_login(auditor)
    assert client.get("/audit/").status_code == 200
    assert client.get(f"/audit/object/{theirs.object_type}/{theirs.object_id}/").status_code == 404
    assert client.get(f"/audit/object/{mine.object_type}/{mine.object_id}/").status_code == 200
