"""The demo's registry households: valid, realistic, derived, scoped, and written once."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import NotFound
from guanhuai.core.validators import parse_resident_id
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import family as family_facts
from guanhuai.registry import selectors, services
from guanhuai.registry.models import Consent, Household, LifeEvent, Marriage, ParentChild, Person
from guanhuai.registry.selectors import PersonFilters
from guanhuai.registry.tests.factories import family
from guanhuai.web.demo import households, province

REGISTRY_MODELS = (Household, Person, ParentChild, Marriage, LifeEvent, Consent, AuditEntry)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--small", "--no-job", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return run_demo()


def test_every_person_has_a_valid_id_of_their_county_matching_sex_and_birth(demo):
    persons = list(Person.objects.select_related("org_unit", "household"))

    assert len(persons) > 500
    for p in persons:
        rid = parse_resident_id(p.id_number)  # checksum and date
        assert p.id_number[:6] == p.org_unit.code[:6], p.id_number
        assert (rid.sex, rid.birth_date) == (p.sex, p.birth_date)
        assert p.id_masked == p.id_number[:4] + "*" * 10 + p.id_number[-4:]
        assert p.household.org_unit_id == p.org_unit_id
        if p.id_legacy:  # a legacy 15-digit number upgrades to the stored 18-digit one
            assert len(p.id_legacy) == 15 and parse_resident_id(p.id_legacy).number == p.id_number
    assert any(p.id_legacy for p in persons)
    assert len({p.id_index for p in persons}) == len(persons)


def test_the_blind_index_finds_a_demo_person_by_id(demo):
    clerk = User.objects.get(username="cun_zhuanguan")
    someone = Person.objects.filter(org_unit__code=province.HOME_VILLAGE).first()

    assert selectors.person_by_id_number(actor=clerk, id_number=someone.id_number) == someone


def test_parents_are_20_to_40_years_older_than_their_children(demo):
    links = ParentChild.objects.select_related("parent", "child")

    assert links.count() > 300
    for link in links:
        gap = (link.child.birth_date - link.parent.birth_date).days / 365.25
        assert 20 <= gap <= 40, (link.parent.name, link.child.name, gap)


def test_special_statuses_are_derived_from_deaths_and_disabilities(demo):
    bereaved = Person.objects.filter(special_status="bereaved")
    disabled = Person.objects.filter(special_status="disabled_child")

    assert bereaved.exists() and disabled.exists()
    for parent in bereaved:
        children = [link.child for link in parent.child_links.select_related("child")]
        assert len(children) == 1 and children[0].died_on is not None
        assert LifeEvent.objects.filter(person=children[0], kind="death").exists()
        assert parent.living_children == 0
    for parent in disabled:
        children = [link.child for link in parent.child_links.select_related("child")]
        assert len(children) == 1 and children[0].died_on is None
        assert children[0].disability_grade in (1, 2, 3)
        assert LifeEvent.objects.filter(person=children[0], kind="disability").exists()
    # A disability of grade 4, or of a child with siblings, makes no special family.
    for child in Person.objects.filter(disability_grade=4):
        assert not Person.objects.filter(child_links__child=child).exclude(special_status="").exists()


def test_the_facts_the_load_writes_at_insert_are_what_a_recompute_derives(demo):
    # The generator writes each parent's facts with the row (no recompute after the load): a recompute
    # of everyone must find nothing to change.
    assert Person.objects.filter(special_status="bereaved").exists()
    assert Person.objects.filter(children_ever__gte=2).exists()

    assert family_facts.recompute_family_facts() == 0


def test_the_demo_holds_the_families_the_programmes_need(demo):
    today = timezone.localdate()
    people = Person.objects.all()

    assert people.filter(birth_date__gt=today.replace(year=today.year - 3)).exists()  # under 3
    migrants = people.filter(is_migrant=True).select_related("residence_unit", "org_unit")
    assert migrants.exists()
    for m in migrants:
        assert m.residence_unit.level == "village" and m.residence_unit.code[:6] != m.org_unit.code[:6]
    # Rural elderly couples of 60+ with one child or two daughters, the children in their own household.
    sixty = today.replace(year=today.year - 60)
    elderly_heads = people.filter(relation_to_head="head", birth_date__lte=sixty, hukou_type="rural")
    found = False
    for head in elderly_heads.filter(children_ever__in=[1, 2]):
        kids = [link.child for link in head.child_links.select_related("child")]
        if kids and all(k.household_id != head.household_id for k in kids):
            if len(kids) == 1 or all(k.sex == "female" for k in kids):
                found = True
                break
    assert found
    # Villages are mostly rural hukou, communities mostly urban.
    for kind, hukou in (("village", "rural"), ("community", "urban")):
        qs = Household.objects.filter(org_unit__kind=kind)
        assert qs.filter(hukou_type=hukou).count() > qs.count() * 0.6
    adults = people.filter(birth_date__lte=today.replace(year=today.year - 18), died_on__isnull=True)
    assert adults.exclude(phone_masked="").count() > adults.count() * 0.8
    assert not people.filter(birth_date__gt=today.replace(year=today.year - 14)).exclude(phone_masked="")
    assert Consent.objects.filter(purpose="registry").count() == Household.objects.count()
    assert Consent.objects.filter(purpose="sensitive").exists()
    assert Consent.objects.filter(purpose="minor").exists()
    for name in people.values_list("name", flat=True)[:200]:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name), name


def test_every_household_has_its_head_and_names_are_searchable_by_pinyin(demo):
    assert not Household.objects.filter(head__isnull=True).exists()
    for h in Household.objects.select_related("head")[:100]:
        assert h.head.household_id == h.pk and h.head.relation_to_head == "head"
    clerk = User.objects.get(username="cun_zhuanguan")
    someone = Person.objects.filter(org_unit__code=province.HOME_VILLAGE).first()

    found = selectors.person_list(actor=clerk, filters=PersonFilters(q=someone.name_initials))

    assert someone in found


def test_the_clerk_sees_their_village_and_the_reviewer_their_township_only(demo):
    clerk = User.objects.get(username="cun_zhuanguan")
    reviewer = User.objects.get(username="zhen_shenhe")
    village = OrgUnit.objects.get(code=province.HOME_VILLAGE)
    township = OrgUnit.objects.get(code=province.HOME_TOWNSHIP)
    own = Household.objects.filter(org_unit=village)
    elsewhere = Household.objects.exclude(org_unit__path__startswith=township.path).first()

    assert own.count() >= 10
    assert set(selectors.household_list(actor=clerk)) == set(own)
    assert selectors.person_list(actor=clerk, filters=PersonFilters(alive=None)).count() == (
        Person.objects.filter(org_unit=village).count()
    )
    in_township = Household.objects.filter(org_unit__path__startswith=township.path)
    assert in_township.count() > own.count()
    assert selectors.household_list(actor=reviewer).count() == in_township.count()
    # Another township's household is as missing as one that does not exist.
    assert elsewhere is not None
    for user in (clerk, reviewer):
        with pytest.raises(NotFound):
            selectors.household_get(actor=user, household_id=elsewhere.pk)
        with pytest.raises(NotFound):
            selectors.person_get(actor=user, person_id=elsewhere.head_id)


def test_the_clerks_village_has_a_bereaved_and_a_disabled_child_family(demo):
    clerk = User.objects.get(username="cun_zhuanguan")

    for status in ("bereaved", "disabled_child"):
        found = selectors.person_list(actor=clerk, filters=PersonFilters(special_status=status))
        assert found.exists(), status
        assert all(p.org_unit.code == province.HOME_VILLAGE for p in found)


def test_a_clerk_can_register_a_family_after_the_set_based_load(demo):
    # The load reserved its ids outside the ORM: the next rows saved by the services get fresh ones.
    clerk = User.objects.get(username="cun_zhuanguan")
    village = OrgUnit.objects.get(code=province.HOME_VILLAGE)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    top_household = Household.objects.order_by("-pk").values_list("pk", flat=True).first()

    household = family(clerk, village)
    services.death_record(
        actor=clerk, person=household.members.get(relation_to_head="child"), occurred_on=dt.date(2024, 1, 1)
    )

    assert household.pk > top_household
    assert all(p.pk > top for p in household.members.all())
    assert set(
        household.members.filter(relation_to_head__in=["head", "spouse"]).values_list(
            "special_status", flat=True
        )
    ) == {"bereaved"}


def test_the_demo_prints_its_registry_counts_and_writes_one_audit_entry(db):
    output = run_demo()

    for label in ("户", "人", "失独家庭", "独生子女伤残家庭", "3岁以下儿童", "流动人口"):
        assert re.search(rf"^\s+{label}\s+[\d,]+$", output, re.M), label
    households_n = Household.objects.count()
    assert re.search(rf"^\s+户\s+{households_n:,}$", output, re.M)
    entry = AuditEntry.objects.get(action="registry.demo.loaded")
    assert entry.data["households"] == households_n
    assert entry.data["persons"] == Person.objects.count()
    # The load itself writes no other registry entry (the programmes demo, which runs after it, records
    # bank accounts and a death through the registry services as the clerk: those are audited as usual).
    assert not (
        AuditEntry.objects.filter(action__startswith="registry.", actor=entry.actor)
        .exclude(pk=entry.pk)
        .exists()
    )


def test_running_the_demo_twice_changes_nothing_in_the_registry(db):
    run_demo()
    before = [m.objects.count() for m in REGISTRY_MODELS]
    ids = list(Person.objects.order_by("pk").values_list("pk", "id_index", "special_status"))

    output = run_demo()

    assert [m.objects.count() for m in REGISTRY_MODELS] == before
    assert list(Person.objects.order_by("pk").values_list("pk", "id_index", "special_status")) == ids
    assert "已存在，未做任何修改" in output


def test_a_demo_built_before_the_registry_gets_its_households_once(db):
    run_demo("--no-households")
    assert not Household.objects.exists()

    output = run_demo()

    assert Household.objects.filter(org_unit__code=province.HOME_VILLAGE).exists()
    assert "补充生成了演示户籍人口" in output
    before = [m.objects.count() for m in REGISTRY_MODELS]
    run_demo()
    assert [m.objects.count() for m in REGISTRY_MODELS] == before


def test_a_real_guangdong_without_demo_accounts_is_never_filled(db):
    run_demo("--no-households")
    User.objects.filter(username="cun_zhuanguan").update(username="li_si")

    run_demo()

    assert not Household.objects.exists()


def test_generation_is_deterministic(db):
    run_demo("--no-households")
    plan = households.demo_plan(
        small=True, home_township=province.HOME_TOWNSHIP, home_village=province.HOME_VILLAGE
    )

    def draw() -> list[tuple[str, str, str]]:
        gen = households.Generator(recorded_by=None, chunk=10**9, today=dt.date(2026, 6, 1))
        for village, n in plan[:5]:
            gen.fill(village, n)
        return [(p.name, p.id_number, p.relation_to_head) for p in gen.persons]

    assert draw() == draw()
