from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

from guanhuai.association.models import CareArrangement


def test_bench_association_care_prints_its_three_figures_and_leaves_the_database_untouched(db):
    out = StringIO()

    call_command("bench", "association", "--only", "care", "--scale", "0.002", stdout=out)

    text = out.getvalue()
    report = re.search(r"coverage_report：([\d,]+) 户（全覆盖 ([\d,]+)，三项都没有 ([\d,]+)）", text)
    assert report, text
    families, all_three, none = (int(g.replace(",", "")) for g in report.groups())
    # the bench's shares (87.5 % liaison, 80 % doctor, 60 % fast lane, 7.5 % none) on the families it marked
    assert families >= 500 and 0 < none < all_three < families
    assert re.search(r"\(b\) 县级缺项家庭首页（\d+ 户）及总数 [\d,]+：\d+ 毫秒", text), text
    tile = re.search(r"\(c\) 全省无结对联系人家庭计数（首页工作提示）([\d,]+) 户", text)
    # 5 in 40 families, by household id, have no liaison
    assert tile and abs(int(tile.group(1).replace(",", "")) - families * 5 / 40) <= 5, text
    assert not CareArrangement.objects.exists()  # the scratch database, never this one
