"""The re-registration CLI (the member import's own tests are in test_members_import.py)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association.models import Campaign
from guanhuai.association.tests.factories import MemberFactory


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_io")


def test_the_cli_opens_reports_and_refuses_an_early_close(tree, officer, django_capture_on_commit_callbacks):
    MemberFactory(org_unit=tree.village_a)
    out = StringIO()
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "members",
            "reregister",
            "open",
            "--unit",
            "440224",
            "--title",
            "再登记",
            "--deadline",
            deadline,
            "--as",
            officer.username,
            stdout=out,
        )
    campaign = Campaign.objects.get()
    call_command(
        "members",
        "reregister",
        "status",
        "--campaign",
        str(campaign.pk),
        "--as",
        officer.username,
        stdout=out,
    )
    assert "甲村" in out.getvalue() and "0 / 1" in out.getvalue()
    with pytest.raises(CommandError, match="之后才能结束"):
        call_command(
            "members", "reregister", "close", "--campaign", str(campaign.pk), "--as", officer.username
        )
