"""The sentences of the association app's audit actions (found by `audit.apps`, which imports every app's
`audit.py`). Each part of the app adds its own block below."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "association.member.created": gettext_lazy("登记会员"),
        "association.cadre.created": gettext_lazy("登记干部"),
    }
)
