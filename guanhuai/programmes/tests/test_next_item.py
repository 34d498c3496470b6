""" "下一条": after a review decision the reviewer lands on the next application waiting for them at the same
step, and back on the review desk (filtered to the step) when the step's queue is empty."""

from __future__ import annotations

from django.urls import reverse

from guanhuai.programmes.models import Application
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.states import Step
from guanhuai.registry.tests.factories import family


def waiting_at_township(apps, people, address):
    person = family(people.clerk_a, apps.head.org_unit, address=address).members.first()
    a = svc.application_submit(
        actor=people.clerk_a,
        application=svc.application_create(actor=people.clerk_a, programme=apps.programme, person=person)[0],
    )
    Application.objects.filter(pk=a.pk).update(step=Step.TOWNSHIP)
    return a


def test_after_passing_one_the_reviewer_lands_on_the_next_then_on_the_empty_queue(client, apps, people):
    first = waiting_at_township(apps, people, "甲村11号")
    second = waiting_at_township(apps, people, "甲村12号")
    client.force_login(people.reviewer_a)

    r = client.post(reverse("programmes:application_review", args=[second.pk]), {"decision": "pass"})

    assert r.status_code == 302
    assert r["Location"] == reverse("programmes:application_detail", args=[first.pk])
    body = client.get(r["Location"]).content.decode()
    assert "下一条" in body and first.person.name in body

    r = client.post(reverse("programmes:application_review", args=[first.pk]), {"decision": "pass"})

    assert r["Location"] == reverse("programmes:home") + "?step=township"
    assert "本环节已没有其他待您审核的申请" in client.get(r["Location"]).content.decode()


def test_a_refused_decision_stays_on_the_same_application(client, apps, people):
    a = waiting_at_township(apps, people, "甲村13号")
    waiting_at_township(apps, people, "甲村14号")
    client.force_login(people.reviewer_a)

    # returning needs a comment: the service refuses, and the reviewer is not moved on
    r = client.post(
        reverse("programmes:application_review", args=[a.pk]), {"decision": "return", "comment": ""}
    )

    assert r["Location"] == reverse("programmes:application_detail", args=[a.pk])
