"""The criteria of a qualified (合格) or demonstration (示范) village or county, as data. Services, the
application page and docs/governance.md read these tables; no criterion is written anywhere else.

Two kinds of criteria:

- **the 五有 checklist**, self-assessed by the applicant with its evidence (a sentence and, where there is
  one, the document's number or place), and judged by the reviewers: an association with a leadership
  team (有协会及领导班子), funding (有经费), a charter and agreements (有章程和协议), a venue (有活动阵地), a
  publicity worker (有宣传员);
- **indicators** read from the platform's own records through public selectors, never typed in: a filed
  charter or village rules in force (this app's filing), a quorate villagers' assembly in the last year
  (this app's meetings), the share of special families with all three kinds of care (association's
  coverage report); for a county, the share of its villages rated and the number of demonstration villages
  (this app's designations). Each has a threshold per rating; a rating not listed does not need it.

The thresholds are the platform's defaults for the provincial association to adjust here; they are not
statute, which sets none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanhuai.governance.permissions import (
    MANAGE,
    REVIEW_DESIGNATION_COUNTY,
    REVIEW_DESIGNATION_TOWNSHIP,
)
from guanhuai.governance.states import DesignationStep, Rating
from guanhuai.orgs.models import Level


@dataclass(frozen=True)
class Checkpoint:
    code: str
    label: Promise
    evidence_hint: Promise


FIVE_HAVES: tuple[Checkpoint, ...] = (
    Checkpoint("association", _("有协会及领导班子"), _("协会成立文件、会长及理事名单")),
    Checkpoint("funding", _("有工作经费"), _("年度经费预算或拨付凭证")),
    Checkpoint("charter", _("有章程和协议"), _("协会章程、村规民约中的计生条款或服务协议")),
    Checkpoint("venue", _("有活动阵地"), _("活动室地点、面积，挂牌情况")),
    Checkpoint("publicity", _("有宣传员"), _("宣传员姓名及其联系户数")),
)
FIVE_HAVE_CODES = tuple(c.code for c in FIVE_HAVES)

# What an indicator reads (selectors/designations.py `indicator_values` computes each).
FILED_CHARTER = "filed_charter"  # 1 when a charter or village rules in force has been filed, else 0
QUORATE_ASSEMBLY = "quorate_assembly"  # 1 when a quorate villagers' assembly closed within the last year
CARE_COVERAGE = "care_coverage"  # share of special families with a liaison, a doctor and a fast lane
VILLAGES_RATED = "villages_rated"  # (county) share of its villages rated qualified or demonstration
DEMONSTRATION_VILLAGES = "demonstration_villages"  # (county) number of demonstration villages


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    source: Promise  # where the figure comes from, as the page says it
    levels: tuple[str, ...]  # the applicant levels it applies to
    # the bound per rating, inclusive (以上); a share is a Fraction, a count or a yes/no an int
    minimum: dict[str, Fraction | int]

    def met(self, rating: str, value: Fraction | int | None) -> bool:
        bound = self.minimum.get(rating)
        if bound is None:
            return True
        return value is not None and value >= bound


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        FILED_CHARTER,
        _("村民自治章程或村规民约现行有效并已报乡镇备案"),
        _("本系统的文本备案记录"),
        (Level.VILLAGE,),
        {Rating.QUALIFIED: 1, Rating.DEMONSTRATION: 1},
    ),
    Indicator(
        QUORATE_ASSEMBLY,
        _("近一年召开过达到法定人数的村民会议"),
        _("本系统的会议记录"),
        (Level.VILLAGE,),
        {Rating.DEMONSTRATION: 1},
    ),
    Indicator(
        CARE_COVERAGE,
        _("计生特殊家庭“三个全覆盖”比例"),
        _("协会的特殊家庭关怀覆盖情况"),
        (Level.VILLAGE,),
        {Rating.QUALIFIED: Fraction(80, 100), Rating.DEMONSTRATION: Fraction(95, 100)},
    ),
    Indicator(
        VILLAGES_RATED,
        _("辖区内评为合格村以上的村(社区)比例"),
        _("本系统的评定记录"),
        (Level.COUNTY,),
        {Rating.DEMONSTRATION: Fraction(90, 100)},
    ),
    Indicator(
        DEMONSTRATION_VILLAGES,
        _("辖区内示范村(社区)数"),
        _("本系统的评定记录"),
        (Level.COUNTY,),
        {Rating.DEMONSTRATION: 10},
    ),
)

# Who may apply, for what, and the levels that review it in order.
APPLICANT_LEVELS: dict[str, tuple[str, ...]] = {
    Level.VILLAGE: (Rating.QUALIFIED, Rating.DEMONSTRATION),
    Level.COUNTY: (Rating.DEMONSTRATION,),
}
STEPS: dict[str, tuple[str, ...]] = {
    Level.VILLAGE: (DesignationStep.TOWNSHIP, DesignationStep.COUNTY, DesignationStep.CITY),
    Level.COUNTY: (DesignationStep.CITY, DesignationStep.PROVINCE),
}
# The permission that decides each level, held on the applicant's branch of that level (the review service
# and the reviewers' work queue both ask here).
STEP_PERMISSIONS: dict[str, str] = {
    DesignationStep.TOWNSHIP: REVIEW_DESIGNATION_TOWNSHIP,
    DesignationStep.COUNTY: REVIEW_DESIGNATION_COUNTY,
    DesignationStep.CITY: MANAGE,
    DesignationStep.PROVINCE: MANAGE,
}
STEP_LEVELS: dict[str, str] = {
    DesignationStep.TOWNSHIP: Level.TOWNSHIP,
    DesignationStep.COUNTY: Level.COUNTY,
    DesignationStep.CITY: Level.CITY,
    DesignationStep.PROVINCE: Level.PROVINCE,
}

VALID_YEARS = 3  # a designation holds for three years from its approval
REEVALUATION_DAYS = 90  # re-evaluation falls due this many days before expiry


def indicators_for(level: str) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if level in i.levels)


def valid_until(start: dt.date) -> dt.date:
    """Three years on, the day before the anniversary (29 February rolls to 28 February)."""
    try:
        end = start.replace(year=start.year + VALID_YEARS)
    except ValueError:
        end = start.replace(year=start.year + VALID_YEARS, day=28)
    return end - dt.timedelta(days=1)


def reevaluation_due(until: dt.date) -> dt.date:
    return until - dt.timedelta(days=REEVALUATION_DAYS)
