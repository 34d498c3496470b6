"""The Happy Family (幸福家庭) selection's criteria and levels, as data. The service, the nomination form, the
API and docs/projects.md read these tables; no criterion is written anywhere else.

- **Criteria** (文明、健康、优生、致富、奉献): each nomination states, for every one, a short statement of the
  facts that show it (who, what, when), which the reviewers read. The codes are the type's outcome indicators
  without their `criteria_` prefix (services/types.py).
- **Levels**: a nomination is made at the household's village (提名) and reviewed by each level above it up to
  the project's own branch (`steps_for`): the township, then the county, then the city (or the province). Every
  level but the last recommends it upward (推荐) or not (不予推荐); the last names it (命名).
- **Which projects select families**: a type whose outcome indicators list `families_named` (the built-in
  幸福家庭, or a province's own type that adds the indicator).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanhuai.orgs.models import LEVEL_ORDER, Level


@dataclass(frozen=True)
class Criterion:
    code: str
    label: Promise
    hint: Promise  # what the evidence should say, shown under the field


CRITERIA: tuple[Criterion, ...] = (
    Criterion("civilised", _("文明"), _("遵纪守法、移风易俗、邻里和睦、家风良好的事例")),
    Criterion("healthy", _("健康"), _("家庭成员健康生活方式、参加健康教育或体检的情况")),
    Criterion("eugenic", _("优生"), _("优生优育、科学育儿、婚检孕检的情况")),
    Criterion("prosperous", _("致富"), _("勤劳致富、发展生产、家庭收入的情况")),
    Criterion("dedicated", _("奉献"), _("参加志愿服务、帮扶困难家庭、热心公益的事例")),
)
CRITERION_CODES = tuple(c.code for c in CRITERIA)
EVIDENCE_MAX = 300  # characters of one statement

# The outcome indicator a selecting type lists, and that the outcome service computes from named nominations.
FAMILIES_NAMED = "families_named"

# The levels that may review, lowest first. The village nominates; it never reviews its own nomination.
REVIEW_LEVELS: tuple[str, ...] = (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE)


def steps_for(*, village_level: str, owner_level: str) -> list[str]:
    """The review steps of a nomination made at a branch of `village_level` under a project owned at
    `owner_level`: every review level above the nominating branch, up to and including the owner's level.
    A project owned by the village itself is reviewed (and named) at the village."""
    own, owner = LEVEL_ORDER[village_level], LEVEL_ORDER[owner_level]
    steps = [lvl for lvl in REVIEW_LEVELS if owner <= LEVEL_ORDER[lvl] < own]
    return steps or [owner_level]


def step_label(step: str) -> str:
    return gettext("%(level)s级评审") % {"level": Level(step).label} if step in Level.values else step
