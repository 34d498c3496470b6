"""The views kit: a service's refusal lands on the form or in a message, and a missing object is a 404
whichever view it leaves."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from guanhuai import urls as site_urls
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.core.forms import BootstrapForm
from guanhuai.core.web import form_errors, message_errors, refusal


class DonationForm(BootstrapForm):
    amount = forms.DecimalField()
    received_on = forms.DateField()


def test_a_refusal_lands_beside_the_field_its_code_names():
    form = DonationForm({"amount": "5", "received_on": "2026-01-01"})
    assert form.is_valid()
    with form_errors(form, date_in_future="received_on") as caught:
        raise ValidationError("捐赠日期不能晚于今天。", code="date_in_future")
    assert caught.error is not None
    assert form.errors == {"received_on": ["捐赠日期不能晚于今天。"]}


def test_a_refusal_with_an_unknown_code_lands_on_the_whole_form():
    form = DonationForm({"amount": "5", "received_on": "2026-01-01"})
    assert form.is_valid()
    with form_errors(form):
        raise Conflict("该期间已结账。", code="period_closed")
    assert form.non_field_errors() == ["该期间已结账。"]


def test_a_typed_reference_that_is_not_found_is_a_form_error_not_a_404():
    form = DonationForm({"amount": "5", "received_on": "2026-01-01"})
    assert form.is_valid()
    with form_errors(form, not_found="amount"):
        raise NotFound("未找到该记录，或您无权访问。")
    assert form.errors == {"amount": ["未找到该记录，或您无权访问。"]}


def test_other_exceptions_pass_through():
    form = DonationForm({"amount": "5", "received_on": "2026-01-01"})
    assert form.is_valid()
    with pytest.raises(KeyError), form_errors(form):
        raise KeyError("bug")
    assert form.errors == {}


def test_a_kept_refusal_is_there_for_the_page_to_place_and_a_passing_one_leaves_the_view():
    with refusal() as refused:
        raise ValidationError("规则第2行缺少取值。", code="rule")
    assert (refused.message, refused.error.code) == ("规则第2行缺少取值。", "rule")
    with refusal() as nothing:
        pass
    assert nothing.message is None
    with pytest.raises(NotFound), refusal(passing=(NotFound, PermissionDenied)):
        raise NotFound("未找到该记录，或您无权访问。")


def test_a_button_refusal_becomes_a_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with message_errors(request):
        raise Conflict("已结束的周期不能再审批。")
    assert [str(m) for m in get_messages(request)] == ["已结束的周期不能再审批。"]


def _raises(error):
    def view(request):
        raise error

    return view


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("missing/", _raises(NotFound("未找到该记录，或您无权访问。"))),
    path("forbidden/", _raises(PermissionDenied("您没有执行此操作的权限。"))),
    path("refused/", _raises(Conflict("已经审批过了。"))),
    path("fine/", _fine),
    *site_urls.urlpatterns,  # the page template links to the site's own pages
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_middleware_maps_domain_errors_that_leave_a_view(client, db):
    assert client.get("/fine/").status_code == 200
    assert client.get("/missing/").status_code == 404
    assert client.get("/forbidden/").status_code == 403
    refused = client.get("/refused/")
    assert refused.status_code == 400
    assert "已经审批过了。" in refused.content.decode()
