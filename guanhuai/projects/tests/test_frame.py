"""The projects app's frame: the built-in types, who reaches the pages and the API, and that a project
follows its merged branch."""

from __future__ import annotations

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.testing import assert_queries_flat
from guanhuai.orgs.services import unit_merge
from guanhuai.projects.models import Project, ProjectArea, ProjectType
from guanhuai.projects.services import install_builtin_types
from guanhuai.projects.tests.factories import ProjectFactory


def test_the_five_built_in_types_carry_the_lists_the_issue_names(db):
    install_builtin_types()
    install_builtin_types()  # a second run writes nothing new
    names = list(ProjectType.objects.filter(is_builtin=True).values_list("name", flat=True))
    assert sorted(names) == sorted(["青春健康", "计生三结合", "幸福家庭", "暖心家园", "流动人口服务"])
    youth = ProjectType.objects.get(code="youth_health")
    assert youth.codes("venue_kinds") == ["school", "university", "community", "enterprise", "army_camp"]
    assert youth.label("activity_kinds", "parents_class") == "家长课堂"
    assert youth.approval_steps == ["city", "province"]
    warm = ProjectType.objects.get(code="warm_home")
    assert [e["label"] for e in warm.entries("activity_kinds")] == [
        "生活照料",
        "精神慰藉",
        "养老服务",
        "健康服务",
    ]


def test_the_list_shows_only_projects_in_scope_and_the_detail_of_another_is_404(client, tree):
    mine = ProjectFactory(org_unit=tree.town_a, name="甲镇青春健康进校园")
    theirs = ProjectFactory(org_unit=tree.town_b, name="乙镇青春健康进社区")
    clerk = user_with_role("village_clerk", tree.town_a, username="zhuangan_a")
    client.force_login(clerk)
    page = client.get("/projects/").content.decode()
    assert "甲镇青春健康进校园" in page and "乙镇青春健康进社区" not in page
    assert client.get(f"/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/projects/{theirs.pk}/").status_code == 404
    assert client.get("/projects/987654/").status_code == 404


def test_the_list_page_takes_no_query_per_project(client, tree, people):
    ProjectFactory(org_unit=tree.town_a)
    client.force_login(people.admin)
    assert_queries_flat(
        lambda: client.get("/projects/"),
        lambda: [ProjectFactory(org_unit=tree.town_b) for _ in range(4)],
        most=12,
        row="data-project=",
    )


def test_the_api_lists_and_reads_projects_in_scope(api, tree, people):
    mine = ProjectFactory(org_unit=tree.town_a, name="甲镇项目")
    theirs = ProjectFactory(org_unit=tree.town_b, name="乙镇项目")
    reviewer = api(people.reviewer_a)
    body = reviewer.get("/projects").json()
    assert [row["name"] for row in body["items"]] == ["甲镇项目"]
    assert body["items"][0]["budget_total"] == "50000.00" and body["items"][0]["spent"] == "0.00"
    assert reviewer.get(f"/projects/{mine.pk}").json()["area"] == [tree.town_a.pk]
    assert reviewer.get(f"/projects/{theirs.pk}").status_code == 404


def test_a_project_follows_its_merged_branch(tree, people):
    project = ProjectFactory(org_unit=tree.village_a, area=[tree.village_a, tree.community_a])
    unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)
    assert Project.objects.get(pk=project.pk).org_unit_id == tree.community_a.pk
    assert list(ProjectArea.objects.filter(project=project).values_list("org_unit_id", flat=True)) == [
        tree.community_a.pk
    ]
    assert AuditEntry.objects.filter(
        action="orgs.unit.rows_followed", data__table="projects.project"
    ).exists()
