import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.core.errors import ValidationError
from guanhuai.funds import selectors, services
from guanhuai.funds.models import Disbursement
from guanhuai.funds.tests.factories import donor, fund, give, purpose
from guanhuai.registry.tests.factories import bereaved_heads, family


def test_a_special_round_pays_each_family_once_and_respects_the_purpose(tree, people, money):
    f = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    partner = donor(money.manager, tree.province, name="香港某同胞会")
    give(money.finance, f, partner, "10000", purpose=purpose("bereaved"))
    heads = bereaved_heads(people.approver, tree.village_a, 3)

    def first_round():
        return services.special_round_create(
            actor=money.manager,
            fund=f,
            name="第一轮",
            purpose=purpose("bereaved"),
            amount_each="3000",
            persons=heads,
            paid_on=dt.date(2025, 5, 1),
            idempotency_key="round-1",
            partner=partner,
        )

    rnd, _created = first_round()
    assert Disbursement.objects.filter(round=rnd).count() == 3
    assert selectors.balances(f).available == Decimal("1000.00")
    again, _created = first_round()  # the same request again
    assert again.pk == rnd.pk and Disbursement.objects.count() == 3
    assert selectors.reconcile().ok


def test_a_round_refuses_a_family_that_is_not_bereaved(tree, people, money):
    f = fund(money.manager, tree.province, name="失独专项", restricted=True, purposes=["bereaved"])
    give(money.finance, f, donor(money.manager, tree.province), "10000", purpose=purpose("bereaved"))
    h = family(people.approver, tree.village_a)
    with pytest.raises(ValidationError, match="不是“失独家庭帮扶”的对象家庭"):
        services.special_round_create(
            actor=money.manager,
            fund=f,
            name="r",
            purpose=purpose("bereaved"),
            amount_each="3000",
            persons=[h.head],
            paid_on=dt.date(2025, 5, 1),
            idempotency_key="r2",
        )
    assert Disbursement.objects.count() == 0
