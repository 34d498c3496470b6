"""The rules of each kind of meeting, as data with the article that says so (村民委员会组织法, 2018 text).
Services, the quorum banner and docs/governance.md all read these tables; no threshold is written anywhere
else.

Wording decides the boundary. In Chinese statutes 以上/以下 include the number itself; 过半数 is strictly
more than half. A `Threshold` keeps the fraction exact (`fractions.Fraction`) and whether the bound counts
(`inclusive`), and compares in integers: `count * denominator >= base * numerator` (以上) or `>` (过半数).

- art. 21: 「召开村民会议，应当提前十天通知村民。」「有十分之一以上的村民或者三分之一以上的村民代表提议，
  应当召集村民会议。」
- art. 22: 「召开村民会议，应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加，村民
  会议所作决定应当经到会人员的过半数通过。」
- art. 25: 「村民代表应当占村民代表会议组成人员的五分之四以上，妇女村民代表应当占村民代表会议组成人员的
  三分之一以上。村民代表由村民按每五户至十五户推选一人，或者由各村民小组推选若干人。」
- art. 26: 「有五分之一以上的村民代表提议，应当召集村民代表会议。村民代表会议有三分之二以上的组成人员
  参加方可召开，所作决定应当经到会人员的过半数同意。」
- art. 28: 「召开村民小组会议，应当有本村民小组十八周岁以上的村民三分之二以上，或者本村民小组三分之二
  以上的户的代表参加，所作决定应当经到会人员的过半数同意。」
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanhuai.governance.states import MeetingKind

ADULT_AGE = 18  # 十八周岁以上: a person whose 18th birthday is the meeting date is in

# What a threshold is a share of.
ADULTS = "adults"  # the roll: adults of the village (or group), or the members of a representatives' meeting
HOUSEHOLDS = "households"  # households on the roll, counted by their representative signing in
PRESENT = "present"  # those present when voting opened
MEMBERS = "members"  # members of the representatives' meeting (committee members and representatives)
REPRESENTATIVES = "representatives"


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    inclusive: bool  # 以上 (True: the bound itself is enough) or 过半数 (False: strictly more)
    of: str
    article: str | Promise
    words: Promise  # the law's words for it, as the banner says it

    def met(self, count: int, base: int) -> bool:
        """Exact: integers only. A base of nobody is never met."""
        if base <= 0:
            return False
        left, right = count * self.share.denominator, base * self.share.numerator
        return left >= right if self.inclusive else left > right

    def needed(self, base: int) -> int:
        """The smallest count that meets the threshold of `base` (0 when the base is empty)."""
        if base <= 0:
            return 0
        bound = base * self.share
        if self.inclusive:
            return -((-bound.numerator) // bound.denominator)  # ceil
        return int(bound) + 1  # floor + 1: strictly more


@dataclass(frozen=True)
class KindRules:
    kind: str
    electorate: Promise  # who is on the roll
    electorate_article: str | Promise
    quorum: tuple[Threshold, ...]  # any one alternative is enough
    decision: Threshold
    notice_days: int  # 0: the law sets no notice period for this kind
    notice_article: str | Promise
    request: tuple[Threshold, ...]  # who may ask for the meeting (any one is enough)
    proxies: bool  # may someone sign in for another with a written authorisation
    proxies_basis: Promise


def _decision(article: str | Promise) -> Threshold:
    return Threshold(Fraction(1, 2), False, PRESENT, article, _("到会人员的过半数"))


RULES: dict[str, KindRules] = {
    MeetingKind.VILLAGERS_ASSEMBLY: KindRules(
        kind=MeetingKind.VILLAGERS_ASSEMBLY,
        electorate=_("本村十八周岁以上的村民（以会议召开之日计）"),
        electorate_article=_("村民委员会组织法第二十一条"),
        quorum=(
            Threshold(
                Fraction(1, 2), False, ADULTS, _("村民委员会组织法第二十二条"), _("十八周岁以上村民的过半数")
            ),
            Threshold(
                Fraction(2, 3), True, HOUSEHOLDS, _("村民委员会组织法第二十二条"), _("三分之二以上的户的代表")
            ),
        ),
        decision=_decision(_("村民委员会组织法第二十二条")),
        notice_days=10,
        notice_article=_("村民委员会组织法第二十一条"),
        request=(
            Threshold(
                Fraction(1, 10), True, ADULTS, _("村民委员会组织法第二十一条"), _("十分之一以上的村民")
            ),
            Threshold(
                Fraction(1, 3),
                True,
                REPRESENTATIVES,
                _("村民委员会组织法第二十一条"),
                _("三分之一以上的村民代表"),
            ),
        ),
        proxies=True,
        proxies_basis=_(
            "外出不能到会的村民可以书面委托本村有选举权的近亲属代为参加（参照村民委员会组织法第十五条，以本村"
            "自治章程为准），委托书须附在签到记录上"
        ),
    ),
    MeetingKind.REPRESENTATIVES_MEETING: KindRules(
        kind=MeetingKind.REPRESENTATIVES_MEETING,
        electorate=_("村民委员会成员和村民代表"),
        electorate_article=_("村民委员会组织法第二十五条"),
        quorum=(
            Threshold(
                Fraction(2, 3), True, MEMBERS, _("村民委员会组织法第二十六条"), _("三分之二以上的组成人员")
            ),
        ),
        decision=_decision(_("村民委员会组织法第二十六条")),
        notice_days=0,
        notice_article=_("村民委员会组织法第二十六条"),
        request=(
            Threshold(
                Fraction(1, 5),
                True,
                REPRESENTATIVES,
                _("村民委员会组织法第二十六条"),
                _("五分之一以上的村民代表"),
            ),
        ),
        proxies=False,
        proxies_basis=_("村民代表受户委托，应当本人参加，不得再委托他人（村民委员会组织法第二十五条）"),
    ),
    MeetingKind.GROUP_MEETING: KindRules(
        kind=MeetingKind.GROUP_MEETING,
        electorate=_("本村民小组十八周岁以上的村民"),
        electorate_article=_("村民委员会组织法第二十八条"),
        quorum=(
            Threshold(
                Fraction(2, 3),
                True,
                ADULTS,
                _("村民委员会组织法第二十八条"),
                _("本组十八周岁以上村民的三分之二以上"),
            ),
            Threshold(
                Fraction(2, 3),
                True,
                HOUSEHOLDS,
                _("村民委员会组织法第二十八条"),
                _("本组三分之二以上的户的代表"),
            ),
        ),
        decision=_decision(_("村民委员会组织法第二十八条")),
        notice_days=0,
        notice_article=_("村民委员会组织法第二十八条"),
        request=(),
        proxies=False,
        proxies_basis=_("法律未规定村民小组会议可以委托参加"),
    ),
}


# --- the composition of a representatives' meeting (art. 25) ---

REPRESENTATIVES_SHARE = Threshold(
    Fraction(4, 5), True, MEMBERS, _("村民委员会组织法第二十五条"), _("村民代表占组成人员的五分之四以上")
)
WOMEN_SHARE = Threshold(
    Fraction(1, 3), True, MEMBERS, _("村民委员会组织法第二十五条"), _("妇女村民代表占组成人员的三分之一以上")
)
HOUSEHOLDS_PER_REPRESENTATIVE = (5, 15)  # 每五户至十五户推选一人: both ends included
HOUSEHOLDS_ARTICLE = _("村民委员会组织法第二十五条")


def rules_for(kind: str) -> KindRules:
    return RULES[kind]
