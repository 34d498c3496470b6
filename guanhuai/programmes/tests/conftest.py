import pytest

from guanhuai.programmes.tests.cycle_fixtures import build_staff
from guanhuai.programmes.tests.factories import build_apps


@pytest.fixture
def staff(tree, people):
    """The finance officer, approvers and fund of the cycle and payment tests (cycle_fixtures.build_staff)."""
    return build_staff(tree, people)


@pytest.fixture
def apps(tree, people):
    """The review world (factories.build_apps): two programmes, a household in 甲村 and one in 乙村."""
    return build_apps(tree, people)
