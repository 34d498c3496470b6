"""The training certificate as a PDF: A4 landscape, the CJK font embedded (core/pdf.py), and the verification code
with the address of the public page that checks it, as text and as a QR code."""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from guanhuai.association.models_training import Certificate
from guanhuai.core import pdf
from guanhuai.core.text import chinese_date


def certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    """An official document: always in Simplified Chinese, whoever prints it."""
    with translation.override("zh-hans"):
        return _certificate_pdf(cert, verify_url=verify_url)


def _certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    enrolment = cert.enrolment
    course = enrolment.course
    st = pdf.styles()
    font = pdf.cjk_font()
    page = landscape(A4)
    big = ParagraphStyle("cert-big", parent=st["body"], fontSize=36, leading=46, alignment=TA_CENTER)
    text = ParagraphStyle("cert-text", parent=st["body"], fontSize=16, leading=30, firstLineIndent=32)
    story: list[Any] = [
        Spacer(0, 12 * mm),
        Paragraph(_("培训证书"), big),
        Spacer(0, 12 * mm),
        Paragraph(
            escape(
                _(
                    "%(name)s同志于%(a)s至%(b)s参加%(org)s举办的“%(course)s”（%(topic)s），"
                    "完成%(hours)s学时，经考核合格，特发此证。"
                )
                % {
                    "name": enrolment.name,
                    "a": chinese_date(course.starts_on),
                    "b": chinese_date(course.ends_on),
                    "org": course.org_unit.name + _("计划生育协会"),
                    "course": course.title,
                    "topic": course.topic.name,
                    "hours": cert.hours,
                }
            ),
            text,
        ),
        Spacer(0, 18 * mm),
    ]
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    foot = Table(
        [
            [
                drawing,
                Paragraph(
                    "<font size=12>"
                    + escape(_("证书验证码：%(c)s") % {"c": cert.code})
                    + "</font>"
                    + "<br/>"
                    + escape(_("查验网址：%(u)s") % {"u": verify_url}),
                    st["small"],
                ),
                Paragraph(
                    escape(course.org_unit.name + _("计划生育协会"))
                    + "<br/>"
                    + escape(chinese_date(cert.issued_on)),
                    st["right"],
                ),
            ]
        ],
        colWidths=[size + 4 * mm, 120 * mm, None],
    )
    foot.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(foot)

    def border(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColorRGB(0.7, 0.13, 0.13)
        canvas.setLineWidth(3)
        canvas.rect(10 * mm, 10 * mm, page[0] - 20 * mm, page[1] - 20 * mm)
        canvas.setLineWidth(0.8)
        canvas.rect(13 * mm, 13 * mm, page[0] - 26 * mm, page[1] - 26 * mm)
        canvas.restoreState()

    return pdf.build(
        story,
        pagesize=page,
        title=_("培训证书 %(c)s") % {"c": cert.code},
        author=course.org_unit.name,
        margins=24 * mm,
        on_page=border,
    )
