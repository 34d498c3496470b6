"""Signal receivers: side effects of registry events on programmes (death stops entitlements).

Receivers only translate the signal into a service call; the rules live in services/enrolments.py."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.registry.services.persons import person_died


@receiver(person_died, dispatch_uid="programmes.enrolments_end_for_death")
def end_enrolments_of_the_dead(sender: Any, person: Any, died_on: Any, **kwargs: Any) -> None:
    """Sent by registry `death_record` after its transaction commits."""
    from guanhuai.programmes.services.enrolments import enrolments_end_for_death

    enrolments_end_for_death(person=person, died_on=died_on, actor=kwargs.get("actor"))
