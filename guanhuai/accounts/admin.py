"""The Django admin is the system operators' tool: superusers only. Staff users who are not superusers get
the admin login page, never a model. Branch administrators manage users through the scoped pages
(accounts:users), which is why nothing here needs scoping: a superuser's scope is everything anyway.

Role assignments and tokens are read-only here, with a "revoke" action that goes through the services
(checked and audited like any other). Grants are made on the user's page; only the owner creates a token,
and its digest is useless to a reader.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import services
from guanhuai.accounts.models import ApiToken, RoleAssignment, User
from guanhuai.audit.services import log


def _superusers_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = _("关怀 · 系统管理")
admin.site.site_title = _("关怀 · 系统管理")
admin.site.index_title = _("系统管理（仅限系统管理员）")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "org_unit", "valid_from", "valid_until", "granted_by", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "home_unit", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "is_staff")
    search_fields = ("username", "name", "email")
    list_select_related = ("home_unit",)
    autocomplete_fields = ()
    raw_id_fields = ("home_unit",)
    inlines = (RoleAssignmentInline,)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "email", "home_unit")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "home_unit", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "accounts.user.updated" if change else "accounts.user.created"
        log(
            obj,
            action,
            actor=request.user,
            org_unit=obj.home_unit,
            data={"via": "admin", "fields": sorted(form.changed_data)},
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit", "valid_from", "valid_until", "revoked_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name", "org_unit__name", "org_unit__code")
    list_select_related = ("user", "org_unit")
    actions = ("revoke",)

    readonly_fields = (
        "user",
        "org_unit",
        "role",
        "valid_from",
        "valid_until",
        "granted_by",
        "granted_at",
        "revoked_at",
        "revoked_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Grants are made on the user's page (accounts:user), where the service checks dates and scope.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept for the record; revoke instead

    @admin.action(description=_("撤销所选授权"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        done = 0
        for assignment in queryset.filter(revoked_at__isnull=True).select_related("user", "org_unit"):
            services.assignment_revoke(actor=request.user, assignment=assignment)
            done += 1
        self.message_user(request, _("已撤销 %(n)d 项授权。") % {"n": done}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            False  # the owner creates a token on their own tokens page; the plain value is shown only there
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.token_revoke(actor=request.user, token=token)
            done += 1
        self.message_user(request, _("已撤销 %(n)d 个令牌。") % {"n": done}, messages.SUCCESS)
