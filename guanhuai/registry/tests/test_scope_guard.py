"""The scope guard (core/scopes.py, docs/scoping.md): during a request, a branch-owned model listed without
accounts.scoping is an error, not a leak. Lists that go through scoping, rows reached from an object in
scope, and system work that says why keep working; a test's own assertions and jobs are not armed."""

from __future__ import annotations

import json

import pytest
from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import path, reverse

from guanhuai import urls as site_urls
from guanhuai.accounts import scoping
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed, unscoped
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry import imports
from guanhuai.registry import selectors as registry_selectors
from guanhuai.registry.models import Household, ImportRow, Marriage, ParentChild, Person
from guanhuai.registry.permissions import VIEW_PERSONS
from guanhuai.registry.tests.factories import GOOD, JIA_CUN, family, import_xlsx, row


def _names(qs) -> JsonResponse:
    return JsonResponse({"names": sorted(p.name for p in qs)})


def forgot_the_scope(request: HttpRequest) -> JsonResponse:
    # the bug the guard is for: a list of a village's people, filtered by a unit id from the URL
    return _names(Person.objects.filter(org_unit_id=request.GET["unit"]))


def scoped_list(request: HttpRequest) -> JsonResponse:
    return _names(scoping.scope(Person.objects.all(), request.user, VIEW_PERSONS))


def scoped_one_then_related(request: HttpRequest) -> JsonResponse:
    household = scoping.get_or_404(Household.objects.all(), request.user, VIEW_PERSONS, pk=request.GET["id"])
    return _names(household.members.all())  # reached from an object in scope


def from_the_tree(request: HttpRequest) -> JsonResponse:
    unit = OrgUnit.objects.get(pk=request.GET["unit"])
    return JsonResponse({"n": unit.households.count()})  # a unit is not in anyone's scope by itself


def counted(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"n": Person.objects.filter(name__startswith="王").count()})


def system_work(request: HttpRequest) -> JsonResponse:
    # a uniqueness check across every branch, and a block of system work: both say why
    taken = Person.objects.unscoped("an ID number is unique across branches").filter(name="王建国").exists()
    with unscoped("a job run inline by the page"):
        total = Person.objects.aggregate(n=Count("pk"))["n"]
    return JsonResponse({"taken": taken, "n": total})


def not_reads(request: HttpRequest) -> JsonResponse:
    # a subquery and a set-based update are not lists: they pass
    inner = Person.objects.filter(name="李秀英").values("household_id")
    n = Household.objects.filter(pk__in=inner).update(address="和平路2号")
    return JsonResponse({"n": n})


urlpatterns = [
    path("forgot/", forgot_the_scope),
    path("scoped/", scoped_list),
    path("household/", scoped_one_then_related),
    path("tree/", from_the_tree),
    path("count/", counted),
    path("system/", system_work),
    path("writes/", not_reads),
    *site_urls.urlpatterns,  # the 404 page links to the site's own pages
]


@pytest.fixture
def two_villages(tree, people):
    family(people.clerk_a, tree.village_a)
    family(
        user_with_role("village_clerk", tree.village_b, username="clerk_b"), tree.village_b, address="乙村1号"
    )
    Person.objects.filter(org_unit=tree.village_b).update(name="赵六")
    return tree


def as_clerk(client, people):
    client.force_login(people.clerk_a)
    return client


@override_settings(ROOT_URLCONF=__name__)
def test_an_unscoped_list_in_a_view_raises_instead_of_showing_another_villages_people(
    client, two_villages, people
):
    c = as_clerk(client, people)
    with pytest.raises(UnscopedQuery, match="Person is listed without scoping"):
        c.get("/forgot/", {"unit": two_villages.village_b.pk})
    with pytest.raises(UnscopedQuery):
        c.get("/count/")


@override_settings(ROOT_URLCONF=__name__)
def test_a_list_built_through_scoping_is_read_and_holds_only_the_clerks_village(client, two_villages, people):
    c = as_clerk(client, people)

    names = json.loads(c.get("/scoped/").content)["names"]

    assert names and "赵六" not in names


@override_settings(ROOT_URLCONF=__name__)
def test_rows_reached_from_an_object_in_scope_pass_and_from_a_bare_unit_do_not(client, two_villages, people):
    c = as_clerk(client, people)
    household = Household.objects.get(org_unit=two_villages.village_a)

    r = c.get("/household/", {"id": household.pk})
    assert r.status_code == 200 and len(json.loads(r.content)["names"]) == 3
    # another village's household is the scoped 404, never a list
    other = Household.objects.get(org_unit=two_villages.village_b)
    assert c.get("/household/", {"id": other.pk}).status_code == 404
    with pytest.raises(UnscopedQuery, match="Household"):
        c.get("/tree/", {"unit": two_villages.village_b.pk})


@override_settings(ROOT_URLCONF=__name__)
def test_system_work_that_says_why_and_writes_pass(client, two_villages, people):
    c = as_clerk(client, people)

    assert json.loads(c.get("/system/").content) == {"taken": True, "n": 6}
    assert json.loads(c.get("/writes/").content) == {"n": 1}
    with pytest.raises(ValueError), unscoped(""):
        pass


@override_settings(ROOT_URLCONF=__name__, GUANHUAI_SCOPE_GUARD=False)
def test_with_the_guard_off_production_answers_as_before(client, two_villages, people):
    c = as_clerk(client, people)

    assert json.loads(c.get("/count/").content) == {"n": 2}


def test_outside_a_request_nothing_is_armed_and_armed_blocks_are(two_villages):
    # a test's own assertion, a job, the CLI: system work
    assert Person.objects.count() == 6
    with armed(), pytest.raises(UnscopedQuery):
        list(Person.objects.filter(org_unit=two_villages.village_a))
    with armed():
        assert list(Person.objects.none()) == []


# --- a family's relations and an import's staged rows -------------------------------------------------------


def _stage(actor, unit):
    return imports.validate_batch(
        imports.stage_file(
            actor=actor, org_unit=unit, content=import_xlsx([*GOOD, row("错行", "1234", code=JIA_CUN)])
        )
    )


@pytest.mark.parametrize("model", [ParentChild, Marriage, ImportRow], ids=lambda model: model.__name__)
def test_a_familys_relations_and_an_imports_rows_are_guarded(model):
    # a bare list of each raises while armed: core/tests/test_scope_coverage.py, for every guarded model
    assert isinstance(model._default_manager, ScopedManager)


def test_a_persons_family_shows_on_their_page_and_api_and_nowhere_else(client, api, two_villages, people):
    # given a couple and their child in 甲村, read by the village's clerk and by another county's officer
    head = Person.objects.get(org_unit=two_villages.village_a, relation_to_head="head")
    with armed():
        tree = registry_selectors.family_tree(
            actor=people.clerk_a,
            person=registry_selectors.person_get(actor=people.clerk_a, person_id=head.pk),
        )
    assert [s.name for s, _m in tree.spouses] == ["李秀英"] and [c.name for c, _b in tree.children] == [
        "王小明"
    ]
    client.force_login(people.clerk_a)
    page = client.get(reverse("registry:person", args=[head.pk])).content.decode()
    assert "李秀英" in page and "王小明" in page
    assert api(people.clerk_a).get(f"/persons/{head.pk}").status_code == 200
    # then the other county's officer finds neither the person nor their family: the same 404
    elsewhere = user_with_role("township_reviewer", two_villages.other_county, username="other_county")
    client.force_login(elsewhere)
    assert client.get(reverse("registry:person", args=[head.pk])).status_code == 404
    assert api(elsewhere).get(f"/persons/{head.pk}").status_code == 404


def test_an_imports_rows_show_to_its_importer_and_are_404_to_another_county(
    client, api, two_villages, people
):
    batch = _stage(people.reviewer_a, two_villages.town_a)
    with armed():
        assert [r.name for r in imports.invalid_rows(batch=batch)] == ["错行"]
    client.force_login(people.reviewer_a)
    assert "错行" in client.get(reverse("registry_io:batch", args=[batch.pk])).content.decode()
    mine = api(people.reviewer_a).get(f"/registry/imports/{batch.pk}")
    assert mine.status_code == 200 and [r["name"] for r in mine.data["errors"]] == ["错行"]
    elsewhere = user_with_role("township_reviewer", two_villages.other_county, username="other_county")
    client.force_login(elsewhere)
    assert client.get(reverse("registry_io:batch", args=[batch.pk])).status_code == 404
    assert api(elsewhere).get(f"/registry/imports/{batch.pk}").status_code == 404
