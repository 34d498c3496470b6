"""Forms translate input only. Which units a picker offers comes from the selectors (the actor's scope);
every rule about users and roles is checked again, and authoritatively, by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping, selectors
from guanhuai.accounts.actor import Actor
from guanhuai.accounts.permissions import MANAGE_USERS, VIEW_USERS
from guanhuai.accounts.registry import Role
from guanhuai.core.forms import style_widgets, with_note
from guanhuai.orgs.models import OrgUnit


def unit_label(unit: OrgUnit) -> str:
    return with_note(unit.name, unit.code)


class UnitField(forms.ModelChoiceField):
    """A unit from the actor's scope for `perm`. The field validates against the whole scope (one indexed
    lookup), but the <select> only lists a handful of options; the picker's search box fetches more."""

    def __init__(self, *, actor: Actor, perm: str, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": _("所选组织不存在，或不在您的管理范围内。")})
        super().__init__(queryset=scoping.units(actor, perm).open(), **kwargs)
        self.actor = actor
        self.perm = perm

    @property
    def picker(self) -> str:
        """Which scope the picker's search asks for (see views.unit_options)."""
        return "manage" if self.perm == MANAGE_USERS else "view"

    def label_from_instance(self, obj: OrgUnit) -> str:
        return unit_label(obj)


def _limit_unit_options(form: forms.BaseForm, name: str) -> None:
    """Render the picker with the top of the scope plus the current value, never all units."""
    field = form.fields[name]
    assert isinstance(field, UnitField)
    units = selectors.unit_choices(actor=field.actor, perm=field.perm)
    value = form[name].value()
    if value and str(value) not in {str(u.pk) for u in units}:
        chosen = field.queryset.filter(pk=value).first() if str(value).isdigit() else None  # type: ignore[union-attr]
        if chosen is not None:
            units.insert(0, chosen)
    blank = [("", field.empty_label or "")] if not field.required or field.empty_label else []
    field.widget.choices = blank + [(u.pk, unit_label(u)) for u in units]
    field.widget.attrs.update({"class": "form-select"})


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "用户名或密码不正确，请重新输入。连续输错 %(limit)s 次后，账号将被锁定 %(minutes)s 分钟。"
        ),
        "inactive": _("该账号已停用，请联系上级管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT, "minutes": round(settings.AXES_COOLOFF_TIME * 60)},
        )


class _Bootstrap:
    """Bootstrap classes on every widget (core.forms.style_widgets), once the form has all its fields."""

    fields: dict[str, Any]

    def _style(self) -> None:
        style_widgets(self.fields)


class _NewPasswordMixin:
    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))  # type: ignore[attr-defined]
        return data


class PasswordChangeForm(_NewPasswordMixin, _Bootstrap, forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 个字符，不能全是数字，不能过于常见或与用户名相似。"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PasswordResetForm(_NewPasswordMixin, _Bootstrap, forms.Form):
    """A manager sets a new password for someone else's account."""

    new_password1 = PasswordChangeForm.base_fields["new_password1"]
    new_password2 = PasswordChangeForm.base_fields["new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class UserFilterForm(_Bootstrap, forms.Form):
    q = forms.CharField(label=_("姓名或用户名"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(
            actor=actor, perm=VIEW_USERS, required=False, label=_("所属组织（含下级）"), empty_label=_("全部")
        )
        self._style()
        _limit_unit_options(self, "unit")


class UserCreateForm(_NewPasswordMixin, _Bootstrap, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    new_password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PasswordChangeForm.base_fields["new_password1"].help_text,
    )
    new_password2 = forms.CharField(
        label=_("再次输入初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"] = UnitField(
            actor=actor, perm=MANAGE_USERS, label=_("所属组织"), empty_label=_("请选择")
        )
        self.order_fields(["username", "name", "home_unit", "email", "new_password1", "new_password2"])
        self._style()
        _limit_unit_options(self, "home_unit")


class UserEditForm(_Bootstrap, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"] = UnitField(
            actor=actor, perm=MANAGE_USERS, label=_("所属组织"), empty_label=_("请选择")
        )
        self._style()
        _limit_unit_options(self, "home_unit")


class GrantForm(_Bootstrap, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("请选择")), *Role.choices])
    valid_from = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示从今天起生效。"),
    )
    valid_until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示长期有效。"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = UnitField(
            actor=actor, perm=MANAGE_USERS, label=_("在哪个组织"), empty_label=_("请选择")
        )
        self.order_fields(["org_unit", "role", "valid_from", "valid_until"])
        self._style()
        _limit_unit_options(self, "org_unit")


class TokenCreateForm(_Bootstrap, forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100, help_text=_("写明用途，例如“县级报表同步”。"))
    expires_on = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示长期有效；建议设置有效期。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
