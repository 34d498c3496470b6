"""Import of an existing charter from plain text or .docx: 第一章/第一条 numbering (Chinese or Arabic),
items on their own lines, a preamble kept apart, and the bad inputs refused with a message."""

from __future__ import annotations

import io

import docx
import pytest

from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.governance import services
from guanhuai.governance.parse import chinese_number, parse_docx, parse_text, parse_upload
from guanhuai.governance.states import DocumentKind, VersionStatus

SOURCE = """甲村村民自治章程
（2021年3月5日村民会议通过）
第一章 总  则
第一条　为了保障村民依法办理自己的事情，制定本章程。
第二条 本章程适用于本村全体村民。
第二章　村民会议
第三条 村民会议由本村十八周岁以上的村民组成。
村民会议讨论决定下列事项：
（一）本村规民约的制定和修改；
（二）其他涉及村民利益的事项。
第十一条：本章程自通过之日起施行。
"""


@pytest.mark.parametrize(
    ("text", "n"), [("一", 1), ("十", 10), ("十二", 12), ("二十三", 23), ("一百零五", 105), ("12", 12)]
)
def test_chinese_numerals(text, n):
    assert chinese_number(text) == n


def test_plain_text_is_split_into_chapters_and_clauses():
    parsed = parse_text(SOURCE)
    assert [(c.chapter_number, c.chapter_title, c.number) for c in parsed.clauses] == [
        (1, "总  则", 1),
        (1, "总  则", 2),
        (2, "村民会议", 3),
        (2, "村民会议", 4),
    ]
    assert parsed.clauses[2].text.splitlines()[-1] == "（二）其他涉及村民利益的事项。"
    assert parsed.preamble.startswith("甲村村民自治章程")
    assert parsed.renumbered == [(11, 4)]


def test_a_docx_reads_the_same_as_its_text():
    document = docx.Document()
    for line in SOURCE.splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    assert parse_docx(buf.getvalue()).clauses == parse_text(SOURCE).clauses


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", "村规民约\n大家要遵守。".encode(), "没有识别出条款"),
        ("a.txt", "第一条\n第二条 有内容。".encode(), "第1条没有条文内容"),
        ("a.docx", b"not a zip", "无法读取这个Word文件"),
        ("a.pdf", b"%PDF", "只能导入 .docx 或 .txt 文件"),
    ],
)
def test_bad_sources_are_refused_with_a_reason(name, data, message):
    with pytest.raises(ValidationError, match=message):
        parse_upload(name, data)


def test_a_gbk_text_file_is_read():
    assert len(parse_upload("旧章程.txt", SOURCE.encode("gb18030")).clauses) == 4


def test_importing_a_charter_in_force_then_a_second_in_force_is_refused(tree, people):
    parsed = parse_text(SOURCE)
    version = services.version_import(
        actor=people.clerk_a,
        unit=tree.village_a,
        kind=DocumentKind.CHARTER,
        parsed=parsed,
        adopted_note="2021年3月5日村民会议通过（纸质记录）",
        source="章程.txt",
    )
    assert version.status == VersionStatus.ADOPTED and len(version.fingerprint) == 64
    assert version.document.title == "甲村村民自治章程"
    with pytest.raises(Conflict, match="已有现行版本"):
        services.version_import(
            actor=people.clerk_a,
            unit=tree.village_a,
            kind=DocumentKind.CHARTER,
            parsed=parsed,
            adopted_note="又通过",
        )
    draft = services.version_import(
        actor=people.clerk_a, unit=tree.village_a, kind=DocumentKind.CHARTER, parsed=parsed
    )
    assert (draft.status, draft.number, draft.based_on) == (VersionStatus.DRAFT, 2, version)
