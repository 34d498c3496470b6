from __future__ import annotations

from guanhuai.accounts.models import User

SYSTEM_USERNAME = "guanhuai-system"


def system_user() -> User:
    """The superuser that set-up commands (demo, benchmark) act as, so their writes carry an actor.

    Nobody can log in as it: its password is unusable and it is not staff. There is no account service
    for superusers (they are made by `createsuperuser`), hence the direct write here."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(
            username=SYSTEM_USERNAME, name="关怀系统", is_superuser=True, is_staff=False, is_active=True
        )
        user.set_unusable_password()
        user.save()
    return user
