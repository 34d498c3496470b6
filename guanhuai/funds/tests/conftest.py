from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import user_with_role


@pytest.fixture
def money(tree):
    """A fund manager and a finance officer at the province, and a finance officer in 甲镇 only."""
    return SimpleNamespace(
        manager=user_with_role("fund_manager", tree.province, username="jijin"),
        finance=user_with_role("finance_officer", tree.province, username="caiwu"),
        town_finance=user_with_role("finance_officer", tree.town_a, username="zhen_caiwu"),
        auditor=user_with_role("auditor", tree.province, username="shenji"),
    )
