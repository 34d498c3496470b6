import pytest

from guanhuai.programmes.tests.cycle_fixtures import build_staff


@pytest.fixture
def staff(tree, people):
    """The finance officer, approvers and fund of the cycle and payment tests (cycle_fixtures.build_staff)."""
    return build_staff(tree, people)
