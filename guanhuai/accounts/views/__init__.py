"""Pages for signing in, one's own account, API tokens, and managing users and roles. Thin: reads come from
selectors (scoped), writes go to services, and a DomainError becomes a form error or a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import forms, scoping, selectors, services
from guanhuai.accounts.models import User
from guanhuai.accounts.permissions import MANAGE_USERS, VIEW_USERS
from guanhuai.core.web import form_errors, message_errors

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link or an image cannot sign anyone out."""

    http_method_names = ["post", "options"]


def _user_or_404(request: HttpRequest, user_id: int) -> User:
    return selectors.user_get(actor=request.user, user_id=user_id)


# --- my account -----------------------------------------------------------------------------------------


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "accounts/profile.html",
        {
            "assignments": selectors.own_assignment_list(actor=request.user).order_by(
                "org_unit__path", "role"
            ),
            "today": today,
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, wrong_password="old_password", weak_password="new_password1"):
            services.user_set_password(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                password=form.cleaned_data["new_password1"],
                old_password=form.cleaned_data["old_password"],
            )
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


# --- API tokens -------------------------------------------------------------------------------------------


NEW_TOKEN_KEY = "accounts.new_token"


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """POST creates a token and redirects (POST-redirect-GET, so a reload creates nothing). The plain token
    waits in the server-side session for that one redirected GET, which takes it out: it is shown once,
    with no-store, and a reload or the back button no longer has it."""
    form = forms.TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = None
        if expires_on:
            # "Valid until 31 Dec" means through that whole local day.
            expires_at = timezone.make_aware(
                dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
            )
        with form_errors(form, name_required="name", token_expired="expires_on"):
            token, plain = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
            request.session[NEW_TOKEN_KEY] = plain
            messages.success(request, _("令牌“%(name)s”已创建。") % {"name": token.name})
            return redirect("accounts:tokens")
    shown: str | None = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "plain": shown,
            "tokens": selectors.token_list(actor=request.user),
            "now": timezone.now(),
        },
    )
    if shown:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get(actor=request.user, token_id=token_id)
    with message_errors(request):
        services.token_revoke(actor=request.user, token=token)
        messages.success(
            request, _("令牌“%(name)s”已撤销，使用它的程序将无法再访问。") % {"name": token.name}
        )
    return redirect("accounts:tokens")


# --- users and roles ------------------------------------------------------------------------------------


def _require_view_users(request: HttpRequest) -> None:
    scoping.require_anywhere(request.user, VIEW_USERS)


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    _require_view_users(request)
    form = forms.UserFilterForm(request.GET or None, actor=request.user)
    filters: dict[str, Any] = {}
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        filters = {
            "q": form.cleaned_data["q"],
            "role": form.cleaned_data["role"],
            "unit_id": unit.pk if unit else None,
        }
    page = Paginator(selectors.user_list(actor=request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": scoping.can_anywhere(request.user, MANAGE_USERS),
        },
    )


@login_required
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """htmx: <option>s for a unit picker, searched by name or code within the actor's scope."""
    perm = MANAGE_USERS if request.GET.get("perm") == "manage" else VIEW_USERS
    q = next((str(v) for k, v in request.GET.items() if k.endswith("unit_q")), "")
    units = selectors.unit_choices(actor=request.user, perm=perm, q=q)
    return render(
        request,
        "accounts/_unit_options.html",
        {
            "units": [(u.pk, forms.unit_label(u)) for u in units],
            "blank": request.GET.get("blank", ""),
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_USERS)
    form = forms.UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(
            form, duplicate_username="username", username_required="username", weak_password="new_password1"
        ):
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                email=data["email"],
                home_unit=data["home_unit"],
                password=data["new_password1"],
            )
            messages.success(request, _("用户“%(name)s”已创建，现在可以为其授予角色。") % {"name": user})
            return redirect("accounts:user", user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建用户")})


@login_required
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    can_manage = user.home_unit is not None and scoping.can(request.user, MANAGE_USERS, user.home_unit)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "assignments": selectors.assignment_list(actor=request.user, user=user).order_by(
                "revoked_at", "-valid_from"
            ),
            "can_manage": can_manage and (request.user.is_superuser or not user.is_superuser),  # type: ignore[union-attr]
            "grant_form": forms.GrantForm(actor=request.user) if can_manage else None,
            "today": timezone.localdate(),
        },
    )


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    initial = {"name": user.name, "email": user.email, "home_unit": user.home_unit_id}
    form = forms.UserEditForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
            messages.success(request, _("已保存。"))
            return redirect("accounts:user", user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "subject": user, "title": _("修改用户")})


@login_required
@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    active = request.POST.get("active") == "1"
    with message_errors(request):
        services.user_update(actor=request.user, user=user, is_active=active)
        if active:
            messages.success(request, _("账号“%(name)s”已启用。") % {"name": user})
        else:
            messages.success(
                request, _("账号“%(name)s”已停用，该用户将无法登录，其令牌也随之失效。") % {"name": user}
            )
    return redirect("accounts:user", user.pk)


@login_required
def user_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    if user.pk == request.user.pk:
        return redirect("accounts:password_change")
    form = forms.PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, weak_password="new_password1"):
            services.user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["new_password1"]
            )
            messages.success(
                request,
                _("已为“%(name)s”设置新密码，请当面或电话告知本人并提醒其登录后修改。") % {"name": user},
            )
            return redirect("accounts:user", user.pk)
    return render(request, "accounts/password_reset.html", {"form": form, "subject": user})


@login_required
def assignment_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    form = forms.GrantForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form,
            assignment_dates="valid_until",
            assignment_expired="valid_until",
            unknown_role="role",
            unit_closed="org_unit",
        ):
            assignment = services.assignment_grant(actor=request.user, user=user, **form.cleaned_data)
            messages.success(
                request,
                _("已授予“%(role)s”（%(unit)s）。")
                % {
                    "role": assignment.get_role_display(),
                    "unit": assignment.org_unit.name,
                },
            )
            return redirect("accounts:user", user.pk)
    return render(request, "accounts/grant.html", {"form": form, "subject": user})


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    with message_errors(request):
        services.assignment_revoke(actor=request.user, assignment=assignment)
        messages.success(
            request,
            _("已撤销“%(role)s”（%(unit)s）。")
            % {
                "role": assignment.get_role_display(),
                "unit": assignment.org_unit.name,
            },
        )
    return redirect("accounts:user", assignment.user_id)
