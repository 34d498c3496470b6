"""Fixtures of the accounts tests: a second province (outside 广东省) and signed-in clients."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.orgs.tests.factories import OrgUnitFactory


@pytest.fixture
def elsewhere(tree):
    """湖南省 with one county and one township: nobody in the shared fixtures has any role there."""
    province = OrgUnitFactory(code="430000", name="湖南省", level="province")
    city = OrgUnitFactory(code="430100", name="长沙市", level="city", parent=province)
    county = OrgUnitFactory(code="430121", name="长沙县", level="county", parent=city)
    town = OrgUnitFactory(code="430121100000", name="丙镇", level="township", kind="town", parent=county)
    clerk = user_with_role("township_reviewer", town, username="hunan_reviewer")
    return SimpleNamespace(province=province, city=city, county=county, town=town, reviewer=clerk)


@pytest.fixture
def login(client):
    """Sign a user in on the shared test client and return that client."""

    def _login(user) -> Client:
        client.force_login(user)
        return client

    return _login
