"""Shared set-up of the portal tests: the province's site with the usual columns, an editor and an
approver at the province, an editor and an approver at 仁化县 with its own site. (The root conftest gives
each test a fresh cache, the page cache included.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.portal.tests.factories import ColumnFactory, SiteFactory


@pytest.fixture
def portal(tree):
    site = SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd", phone="020-83000000")
    zwgk = ColumnFactory(site=site, name="政务公开", slug="zwgk", position=1)
    county_site = SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    return SimpleNamespace(
        site=site,
        zwgk=zwgk,
        files=ColumnFactory(site=site, parent=zwgk, name="文件资料", slug="wjzl"),
        notices=ColumnFactory(site=site, name="通知公告", slug="tzgg", position=2),
        news=ColumnFactory(site=site, name="协会动态", slug="xhdt", position=3),
        county_site=county_site,
        county_news=ColumnFactory(site=county_site, name="工作动态", slug="gzdt"),
        editor=user_with_role("portal_editor", tree.province, username="bianji"),
        approver=user_with_role("association_officer", tree.province, username="shenhe"),
        county_editor=user_with_role("portal_editor", tree.county, username="xian_bianji"),
        county_approver=user_with_role("association_officer", tree.county, username="xian_shenhe"),
    )
