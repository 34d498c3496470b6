import pytest
from django.contrib.auth.models import AnonymousUser

from guanhuai.accounts.actor import signed_in
from guanhuai.accounts.models import User
from guanhuai.core.errors import PermissionDenied


@pytest.mark.django_db
def test_a_signed_in_user_is_who_a_row_records_and_system_work_records_nobody():
    user = User.objects.create_user("clerk", password="x")
    assert signed_in(user) is user
    assert signed_in(None) is None


def test_an_anonymous_actor_that_reaches_a_write_is_refused_not_recorded_as_nobody():
    with pytest.raises(PermissionDenied) as exc:
        signed_in(AnonymousUser())
    assert exc.value.code == "not_signed_in" and exc.value.status == 403
