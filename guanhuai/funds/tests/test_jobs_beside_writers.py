"""The donation import (gifts and their numbered receipts) succeeds on the embedded default while another
connection keeps committing (issue 16)."""

from __future__ import annotations

import pytest
from django.conf import settings

from guanhuai.funds import imports
from guanhuai.funds.models import Purpose, Receipt
from guanhuai.funds.tests.factories import COMPANY, GOODS, PERSON, donations_xlsx, fund
from guanhuai.jobs.models import Job
from guanhuai.jobs.tests.busy_sqlite import busy_sqlite_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_donation_import_succeeds_while_others_write(tree, money, tmp_path):
    # A flush after another transactional test empties the purposes a data migration wrote.
    Purpose.objects.get_or_create(code="bereaved", defaults={"name": "失独家庭帮扶"})
    fund(money.manager, tree.province)
    fund(money.manager, tree.province, name="失独帮扶专项", restricted=True, purposes=["bereaved"])
    with busy_sqlite_file(tmp_path):
        imports.import_submit(
            actor=money.finance,
            org_unit=tree.province,
            content=donations_xlsx([COMPANY, PERSON, GOODS]),
            file_name="捐赠.xlsx",
            max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES,
        )
        job = Job.objects.get()
        receipts = Receipt.objects.count()
    assert job.status == "succeeded", job.error
    assert job.counts == {"created": 3, "donors_created": 3} and receipts == 3
