"""Shared set-up of the projects tests (the builders are in `factories.py`, so another app's tests can use
them too): the built-in types, the project officers of each level, the funds staff, and a Birth Care Fund
holding money with an allocation for projects."""

from __future__ import annotations

import pytest

from guanhuai.projects.tests.factories import project_books, project_staff, project_types


@pytest.fixture
def types(db):
    return project_types()


@pytest.fixture
def staff(tree):
    return project_staff(tree)


@pytest.fixture
def books(tree, staff):
    return project_books(tree, staff)
