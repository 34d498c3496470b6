"""Fixtures of the orgs tests: tree import files built in memory."""

from __future__ import annotations

import pytest

from guanhuai.core.testing import xlsx_bytes
from guanhuai.orgs.excel import HEADERS


@pytest.fixture
def xlsx():
    """xlsx(rows, headers=the template's) -> the bytes of a tree import file."""

    def _xlsx(rows, headers=HEADERS) -> bytes:
        return xlsx_bytes(rows, headers)

    return _xlsx
