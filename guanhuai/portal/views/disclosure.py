"""The 阳光计生 disclosure pages of a site: public notices with the online objection form, the funds
disclosure, the annual report; and the staff page that imports old articles. Thin: reads through
`selectors.disclosure` (which reads the other apps' public selectors), writes through the programmes'
objection service and `services.legacy`. Public pages go through `public.public_page` (简/繁, cache, CSP)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, post_data
from guanhuai.portal.forms.disclosure import LegacyUploadForm, ObjectionForm
from guanhuai.portal.models import Site
from guanhuai.portal.permissions import PUBLISH
from guanhuai.portal.public import public_page, public_url
from guanhuai.portal.selectors import disclosure as sel
from guanhuai.portal.services import legacy as legacy_svc
from guanhuai.portal.views.public import frame
from guanhuai.programmes.services.notices import objection_file_online


@public_page()
def disclosure(request: HttpRequest, site: Site) -> HttpResponse:
    """阳光计生: what is disclosed here, and where."""
    return render(
        request,
        "portal/disclosure/index.html",
        {
            **frame(site),
            "notices": sel.notice_list(site)[:5],
            "year_now": sel.fund_years()[0],
            "projects": sel.project_list(site)[:5],
            "honours": sel.happy_families(site),
            "villages": sel.village_list(site)[:5],
        },
    )


@public_page()
def notice_list(request: HttpRequest, site: Site) -> HttpResponse:
    return render(
        request, "portal/disclosure/notices.html", {**frame(site), "notices": sel.notice_list(site)}
    )


@public_page(cache_page=False)
def notice(request: HttpRequest, site: Site, ref: str) -> HttpResponse:
    """A notice and, while it takes objections, the form. Not cached: the form carries a CSRF token and a
    fresh question. A POST after the notice closed is refused with 409 and writes nothing."""
    view = sel.notice_get(site, ref)
    rows = [(r.ref, f"{r.name} · {r.village}") for r in view.rows]
    form = ObjectionForm(post_data(request), rows=rows, identity_required=view.identity_required)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            with form_errors(
                form,
                content_required="content",
                identity_required="raised_by",
                bad_contact="contact",
                not_in_notice="row",
            ) as refused:
                objection_file_online(
                    notice_id=view.pk,
                    row_ref=d["row"],
                    content=d["content"],
                    raised_by=d["raised_by"],
                    contact=d["contact"],
                )
                return redirect(public_url(request, "notice", ref=view.ref) + "?filed=1#objection")
            if refused.error is not None and refused.error.status == 409:
                status = 409
                view = sel.notice_get(site, ref)
        else:
            status = 422
        form.refresh_question()
    return render(
        request,
        "portal/disclosure/notice.html",
        {**frame(site), "notice": view, "form": form, "filed": request.GET.get("filed") == "1"},
        status=status,
    )


@public_page()
def funds(request: HttpRequest, site: Site) -> HttpResponse:
    years = sel.fund_years()
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else years[0]
    return render(
        request,
        "portal/disclosure/funds.html",
        {**frame(site), "year": year, "years": years, "d": sel.funds_disclosure(site, year)},
    )


@public_page()
def annual_report(request: HttpRequest, site: Site, year: int) -> HttpResponse:
    if year not in sel.fund_years():
        return render(
            request, "portal/disclosure/report_missing.html", {**frame(site), "year": year}, status=404
        )
    return render(
        request,
        "portal/disclosure/report.html",
        {**frame(site), "report": sel.annual_report(site, year), "years": sel.fund_years()},
    )


@public_page()
def project_list(request: HttpRequest, site: Site) -> HttpResponse:
    return render(
        request, "portal/disclosure/projects.html", {**frame(site), "projects": sel.project_list(site)}
    )


@public_page()
def project(request: HttpRequest, site: Site, code: str) -> HttpResponse:
    return render(
        request, "portal/disclosure/project.html", {**frame(site), "p": sel.project_get(site, code)}
    )


@public_page()
def happy_families(request: HttpRequest, site: Site) -> HttpResponse:
    """Named Happy Families (幸福家庭): published by name only with the head's consent. A withdrawal drops the
    site's cached pages at once (receivers.py)."""
    return render(
        request, "portal/disclosure/happy_families.html", {**frame(site), "h": sel.happy_families(site)}
    )


@public_page()
def village_list(request: HttpRequest, site: Site) -> HttpResponse:
    villages = sel.village_list(site)
    return render(
        request,
        "portal/disclosure/villages.html",
        {
            **frame(site),
            "villages": villages,
            "results": sel.result_list(site),
            # a result links to its meeting on the village's page, where the village has one (a filed text)
            "linked": {code for code, _name, _titles in villages},
        },
    )


@public_page()
def village(request: HttpRequest, site: Site, code: str) -> HttpResponse:
    return render(
        request, "portal/disclosure/village.html", {**frame(site), "v": sel.village_get(site, code)}
    )


@login_required
def legacy_upload(request: HttpRequest) -> HttpResponse:
    """Import old articles into a column: a dry run first (the default), then the import."""
    scoping.require_anywhere(request.user, PUBLISH)
    columns = sel.legacy_columns(actor=request.user)
    choices = [(str(c.pk), f"{c.site.name} › {c.path} {c.name}") for c in columns]
    form = LegacyUploadForm(post_data(request), request.FILES or None, columns=choices)
    results = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        column = sel.legacy_column_get(actor=request.user, column_id=d["column"])
        with form_errors(form):
            results = legacy_svc.legacy_import(
                actor=request.user,
                column=column,
                files=[(f.name, f.read(legacy_svc.MAX_READ)) for f in d["pages"]],
                dry_run=d["dry_run"],
            )
    return render(
        request,
        "portal/manage/legacy.html",
        {"form": form, "results": results},
    )
