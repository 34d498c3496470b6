"""Fixtures of the orgs tests: uploads stored in a temporary folder, and Excel files built in memory."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from guanhuai.orgs.excel import HEADERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def xlsx():
    return make_xlsx
