"""Money has one display format everywhere (core.money.yuan, the `yuan` template filter): ¥3,280.00, never
¥3280.00, never −¥0.00, and never ¥ and 元 together."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from guanhuai.core.money import yuan

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("3280"), "¥3,280.00"),
        (Decimal("2074684.455"), "¥2,074,684.46"),
        (3280, "¥3,280.00"),
        ("590", "¥590.00"),
        (Decimal("-12.5"), "−¥12.50"),
        (Decimal("-0.00"), "¥0.00"),
        (Decimal("-0.004"), "¥0.00"),
        (None, "¥0.00"),
    ],
)
def test_one_format_for_money(amount, shown):
    assert yuan(amount) == shown


def test_an_outflow_has_a_minus_sign_except_when_it_is_zero():
    assert yuan(Decimal("500"), outflow=True) == "−¥500.00"
    assert yuan(Decimal("0.00"), outflow=True) == "¥0.00"


def test_a_column_headed_in_yuan_shows_the_figure_alone():
    assert yuan(Decimal("3280"), symbol=False) == "3,280.00"


def test_every_template_has_the_filters_without_loading_them():
    html = Template("{{ a|yuan }} {{ b|yuan_out }} {{ c|yuan_out }}").render(
        Context({"a": Decimal("3280"), "b": Decimal("20"), "c": Decimal("0")})
    )
    assert html == "¥3,280.00 −¥20.00 ¥0.00"


def test_no_template_or_module_formats_money_by_hand():
    """¥ written before a raw value (¥{{ x }}, f"¥{x}", "¥%(a)s") or a sign before the filter (−{{ x|yuan }})
    is how ¥3280.00 and −¥0.00 reached the pages; every amount goes through yuan instead."""
    by_hand = re.compile(r"¥\{\{|¥\{[a-z_]|¥%\(|[−-]\{\{[^}]*\|yuan")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "guanhuai").rglob("*")
        if path.suffix in (".html", ".py")
        and "." not in path.stem
        and "tests" not in path.parts
        and "locale" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_hand.search(line)
    ]
    assert offenders == []
