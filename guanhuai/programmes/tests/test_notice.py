"""The village public notice (公示): opening, objections upheld and dismissed, closing only after the last
day, the printable PDF with masked names, and the public portal's selector."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

import pytest
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, PermissionDenied, ValidationError
from guanhuai.programmes import notices
from guanhuai.programmes.models import Objection, ReviewDecision
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import notices as notice_svc
from guanhuai.programmes.states import ApplicationStatus, NoticeStatus, ObjectionStatus
from guanhuai.programmes.tests.factories import at_day

TODAY = timezone.localdate()


def at_notice_step(apps, people, person):
    application, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=person
    )
    svc.application_submit(actor=people.clerk_a, application=application)
    svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    application.refresh_from_db()
    return application


@pytest.fixture
def noticed(apps, people):
    """Two applications of 甲村 in one open notice."""
    first = at_notice_step(apps, people, apps.head)
    second = at_notice_step(apps, people, apps.spouse)
    notice = notice_svc.notice_open(
        actor=people.clerk_a, programme=apps.programme, org_unit=apps.head.org_unit
    )
    first.refresh_from_db()
    second.refresh_from_db()
    return notice, first, second


def test_opening_a_notice_puts_every_waiting_application_in_it(noticed):
    notice, first, second = noticed

    assert notice.status == NoticeStatus.OPEN
    assert notice.opens_on == TODAY
    assert notice.closes_on == TODAY + dt.timedelta(days=6)
    assert {first.notice_id, second.notice_id} == {notice.pk}
    assert {first.status, second.status} == {ApplicationStatus.IN_PUBLIC_NOTICE}
    assert "甲村" in notice.title and "特别扶助" in notice.title


def test_each_application_in_the_notice_has_its_own_audit_entry_in_its_branch(noticed, people):
    """`audit.log_many`: one entry per application, written in one INSERT, scoped to the application's
    village, with the actor and the notice."""
    notice, first, second = noticed

    entries = AuditEntry.objects.filter(action="programmes.application.in_notice").order_by("object_id")

    assert [e.object_id for e in entries] == sorted([str(first.pk), str(second.pk)])
    assert {e.org_unit_id for e in entries} == {first.org_unit_id}
    assert {e.actor_id for e in entries} == {people.clerk_a.pk}
    assert [e.data["notice"] for e in entries] == [notice.pk, notice.pk]
    assert entries[0].data["opens_on"] == TODAY.isoformat()


def test_a_notice_with_nothing_to_show_is_refused(apps, people):
    with pytest.raises(ValidationError) as exc:
        notice_svc.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=apps.head.org_unit)

    assert exc.value.code == "nothing_to_notice"


def test_the_notice_length_follows_the_programme(apps, people):
    apps.programme.notice_days = 10
    apps.programme.save(update_fields=["notice_days"])
    at_notice_step(apps, people, apps.head)

    notice = notice_svc.notice_open(
        actor=people.clerk_a, programme=apps.programme, org_unit=apps.head.org_unit
    )

    assert (notice.closes_on - notice.opens_on).days + 1 == 10


def test_a_notice_cannot_close_before_its_last_day_has_passed(noticed, people, monkeypatch):
    notice, first, _second = noticed
    at_day(monkeypatch, notice.closes_on)

    with pytest.raises(Conflict) as exc:
        notice_svc.notice_close(actor=people.clerk_a, notice=notice)

    assert exc.value.code == "notice_not_over"
    assert str(notice.closes_on + dt.timedelta(days=1)) in str(exc.value)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.IN_PUBLIC_NOTICE


def test_an_upheld_objection_returns_the_application_to_the_village(noticed, people, monkeypatch):
    notice, first, second = noticed
    objection = notice_svc.objection_record(
        actor=people.clerk_a, notice=notice, application=first, content="其子女仍健在", raised_by="村民"
    )

    with pytest.raises(ValidationError):
        notice_svc.objection_resolve(actor=people.reviewer_a, objection=objection, upheld=True, resolution="")
    notice_svc.objection_resolve(
        actor=people.reviewer_a, objection=objection, upheld=True, resolution="核实属实"
    )

    first.refresh_from_db()
    assert (first.status, first.step) == (ApplicationStatus.RETURNED, "")
    # no longer proposed: the printed list shows only the other applicant
    assert [r.name for r in notices.notice_content(notice).rows] == ["李*英"]
    decision = ReviewDecision.objects.get(application=first, step="notice")
    assert (decision.step, decision.decision, decision.comment) == ("notice", "return", "核实属实")
    # the other application is untouched and moves on when the notice closes
    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))
    notice_svc.notice_close(actor=people.clerk_a, notice=notice)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, second.step) == (ApplicationStatus.UNDER_REVIEW, "township")
    assert first.status == ApplicationStatus.RETURNED


def test_an_unresolved_objection_holds_its_application_after_the_notice_closes(noticed, people, monkeypatch):
    notice, first, second = noticed
    objection = notice_svc.objection_record(
        actor=people.clerk_a, notice=notice, application=first, content="收入较高"
    )
    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))

    notice_svc.notice_close(actor=people.clerk_a, notice=notice)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ApplicationStatus.IN_PUBLIC_NOTICE  # waits for the objection
    assert second.step == "township"
    # nobody can pass it meanwhile
    with pytest.raises(Conflict) as exc:
        svc.application_review(actor=people.reviewer_a, application=first, decision="pass")
    assert exc.value.code == "objection_unresolved"

    # dismissed with a reason: it moves on
    notice_svc.objection_resolve(
        actor=people.reviewer_a, objection=objection, upheld=False, resolution="经核实收入不影响资格"
    )
    first.refresh_from_db()
    assert (first.status, first.step) == (ApplicationStatus.UNDER_REVIEW, "township")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert objection.resolved_by == people.reviewer_a


def test_objections_are_only_recorded_while_the_notice_is_open(noticed, people, monkeypatch):
    notice, first, _second = noticed
    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))

    with pytest.raises(Conflict) as exc:
        notice_svc.objection_record(
            actor=people.clerk_a, notice=notice, application=first, content="迟到的异议"
        )

    assert exc.value.code == "notice_closed"
    assert not Objection.objects.exists()


def test_an_objection_needs_content(noticed, people):
    notice, first, _second = noticed

    with pytest.raises(ValidationError):
        notice_svc.objection_record(actor=people.clerk_a, notice=notice, application=first, content=" ")


def test_a_county_approver_cannot_open_a_village_notice(apps, people):
    at_notice_step(apps, people, apps.head)

    with pytest.raises(PermissionDenied):
        notice_svc.notice_open(actor=people.approver, programme=apps.programme, org_unit=apps.head.org_unit)


def test_an_objection_can_be_resolved_only_once(noticed, people):
    notice, first, _second = noticed
    objection = notice_svc.objection_record(
        actor=people.clerk_a, notice=notice, application=first, content="异议"
    )
    notice_svc.objection_resolve(
        actor=people.reviewer_a, objection=objection, upheld=False, resolution="不成立"
    )

    with pytest.raises(Conflict):
        notice_svc.objection_resolve(
            actor=people.reviewer_a, objection=objection, upheld=True, resolution="改判"
        )


# --- the printed notice -------------------------------------------------------------------------------


def _literal(raw: bytes) -> bytes:
    """Decode a PDF literal string body (backslash escapes, octal codes)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C:  # backslash
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                m = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                assert m
                out.append(int(m.group(), 8) & 0xFF)
                i += 1 + len(m.group())
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out)


def pdf_text(content: bytes) -> str:
    """The text a reader would copy out of the PDF: content streams decoded through each font subset's
    ToUnicode map (what pypdf does; pypdf is not installed here)."""
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", content, re.DOTALL)
    }

    def stream(body: bytes) -> bytes:
        m = re.search(rb"/Length (\d+).*?>>\s*stream\r?\n", body, re.DOTALL)
        if not m:
            return b""
        data = body[m.end() : m.end() + int(m.group(1))]
        if b"ASCII85Decode" in body[: m.end()]:
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        return zlib.decompress(data) if b"FlateDecode" in body[: m.end()] else data

    def cmap(body: bytes) -> dict[int, str]:
        mapping: dict[int, str] = {}
        text = stream(body)
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
            for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
            for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                start = int(dst, 16)
                for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    mapping[code] = chr(start + k)
        return mapping

    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        name = re.search(rb"/Name\s*/([^\s/<>\[\]()]+)", body)
        to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if b"/Font" in body and name:
            fonts[name.group(1)] = cmap(objects[int(to_unicode.group(1))]) if to_unicode else {}
    out = []
    for body in objects.values():
        data = stream(body)
        if b"Tf" not in data:
            continue
        current: dict[int, str] = {}
        for m in re.finditer(
            rb"/([^\s/<>\[\]()]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.DOTALL
        ):
            if m.group(1):
                current = fonts.get(m.group(1), {})
            else:
                out.append("".join(current.get(b, chr(b)) for b in _literal(m.group(2))))
    return "".join(out)


def test_the_notice_pdf_shows_masked_names_never_full_names_or_ids(noticed, apps):
    notice, first, _second = noticed

    content = notices.notice_pdf(notice)

    assert content.startswith(b"%PDF")
    assert b"/FontFile2" in content  # the CJK font is embedded
    assert b"/Helvetica" not in content
    text = pdf_text(content)
    # 王建国 and 李秀英 as the village's paper shows them: neighbours recognise them, strangers cannot
    assert "王*国" in text and "李*英" in text
    assert "甲村" in text
    assert "¥590.00/月" in text and "元/月" not in text  # ¥ or 元, never both
    assert "特别扶助" in text
    close = notice.closes_on
    assert f"{close.year}年{close.month}月{close.day}日（含当日）前" in text  # until when to object
    # one way of writing dates: no zero-padded month or day anywhere on the page
    assert not re.search(r"年0\d月|月0\d日", text)
    assert "《《" not in text and "》》" not in text
    assert "按标准核定" not in text
    assert "王建国" not in text and "李秀英" not in text
    for person in (apps.head, apps.spouse):
        assert person.id_number not in text
        assert person.id_number.encode() not in content


def test_the_text_extractor_would_see_a_full_name(apps, people):
    # guard: the check above is meaningful only if full names would be visible to the extractor
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph

    from guanhuai.core import pdf

    content = pdf.build([Paragraph("王建国 440224", pdf.styles()["body"])], pagesize=A4, title="t")

    assert "王建国 440224" in pdf_text(content)


def test_the_notice_content_lists_each_application_once(noticed):
    notice, *_ = noticed

    c = notices.notice_content(notice)

    assert [r.name for r in c.rows] == ["王*国", "李*英"]
    # the couple applied one by one: two rows, one household
    assert "以下 1 户" in c.intro


def test_public_notices_show_only_open_notices_with_masked_rows(noticed, monkeypatch, people):
    notice, *_ = noticed

    listed = sel.public_notices()

    assert len(listed) == 1
    rows = listed[0]["rows"]
    assert {r["name"] for r in rows} == {"王**", "李**"}
    assert set(listed[0]) == {
        "title",
        "village",
        "programme",
        "legal_basis",
        "opens_on",
        "closes_on",
        "how_to_object",
        "rows",
    }
    assert all(set(r) == {"name", "village", "amount", "unit"} for r in rows)
    at_day(monkeypatch, notice.closes_on + dt.timedelta(days=1))
    notice_svc.notice_close(actor=people.clerk_a, notice=notice)
    assert sel.public_notices() == []


def test_the_paper_notice_masks_names_as_the_programme_says_and_online_shows_the_surname_only(noticed, apps):
    notice, *_ = noticed
    apps.programme.notice_names = "surname"
    apps.programme.save(update_fields=["notice_names"])
    notice.refresh_from_db()

    assert [r.name for r in notices.notice_content(notice).rows] == ["王**", "李**"]
    assert {r["name"] for r in sel.public_notices()[0]["rows"]} == {"王**", "李**"}


def test_the_notice_gives_the_programmes_phone_for_objections(noticed, apps):
    notice, *_ = noticed
    assert "电话：" not in notices.notice_content(notice).how_to_object
    apps.programme.objection_phone = "0751-6381234"
    apps.programme.save(update_fields=["objection_phone"])
    notice.refresh_from_db()

    assert "异议受理电话：0751-6381234" in pdf_text(notices.notice_pdf(notice))


@pytest.mark.parametrize(
    ("basis", "cited"),
    [
        ("计划生育家庭特别扶助制度", "根据《计划生育家庭特别扶助制度》，"),
        (
            "《中华人民共和国人口与计划生育法》；农村部分计划生育家庭奖励扶助制度",
            "根据《中华人民共和国人口与计划生育法》；农村部分计划生育家庭奖励扶助制度，",
        ),
    ],
)
def test_the_legal_basis_is_cited_in_one_pair_of_brackets(noticed, apps, basis, cited):
    notice, *_ = noticed
    apps.programme.legal_basis = basis
    apps.programme.save(update_fields=["legal_basis"])
    notice.refresh_from_db()

    assert notices.notice_content(notice).intro.startswith(cited)


def test_a_row_without_an_amount_is_a_visible_gap_not_a_phrase(noticed, apps):
    notice, *_ = noticed
    apps.programme.amount_rules.all().delete()
    notice.refresh_from_db()

    rows = notices.notice_content(notice).rows
    assert [notices.amount_text(r) for r in rows] == ["—", "—"]


def test_the_programme_keeps_a_phone_for_objections_and_refuses_one_that_is_not(apps, people):
    from guanhuai.programmes.services import programmes as programme_svc

    apps.programme.budget_line = "省级计生经费"
    apps.programme.save(update_fields=["budget_line"])

    programme_svc.programme_update(
        actor=people.admin,
        programme=apps.programme,
        objection_phone=" 0751-6381234 转 8 ",
        notice_names="surname",
    )
    apps.programme.refresh_from_db()
    assert (apps.programme.objection_phone, apps.programme.notice_names) == ("0751-6381234 转 8", "surname")

    with pytest.raises(ValidationError, match="不像电话号码") as refused:
        programme_svc.programme_update(
            actor=people.admin, programme=apps.programme, objection_phone="找村主任"
        )
    assert refused.value.code == "bad_objection_phone"
    with pytest.raises(ValidationError):
        programme_svc.programme_update(actor=people.admin, programme=apps.programme, notice_names="full")
    apps.programme.refresh_from_db()
    assert (apps.programme.objection_phone, apps.programme.notice_names) == ("0751-6381234 转 8", "surname")
