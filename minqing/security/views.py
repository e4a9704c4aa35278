"""Sign-in steps (second factor, password change) and the three administrators' pages."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from minqing.core.paging import paginate, query_without_page
from minqing.core.roles import Role
from minqing.core.scope import require_permission
from minqing.org import selectors as org_selectors
from minqing.org import services as org_services

from . import selectors, services
from .forms import AccountCreateForm, AuditFilterForm, CodeForm, GrantForm, PasswordChangeForm
from .passwords import min_length_for, password_change_required
from .twofactor import has_confirmed_device, otp_required, qr_svg, secret_base32


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("web:home")


def _add_errors(form, exc: ValidationError, default_field=None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                account=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            _add_errors(form, exc, default_field="new_password")
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect(_next(request))
    return render(
        request,
        "security/password_change.html",
        {
            "form": form,
            "required": password_change_required(request.user),
            "min_length": min_length_for(request.user),
            "next": _next(request),
        },
    )


def otp_verify(request):
    if request.user.is_verified() or not has_confirmed_device(request.user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_check(account=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code",
            _("The code is wrong, already used, or too many wrong codes were entered; wait and try again."),
        )
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


def otp_enrol(request):
    if has_confirmed_device(request.user):
        if not request.user.is_verified():
            return redirect(reverse("security:otp-verify") + "?next=" + _next(request))
        if request.method == "POST" and request.POST.get("renew"):
            codes = services.recovery_codes_renew(account=request.user)
            return render(request, "security/otp_codes.html", {"codes": codes, "next": _next(request)})
        return render(request, "security/otp_enrolled.html", {"next": _next(request)})
    device = services.otp_enrol_begin(account=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.otp_enrol_confirm(
                account=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            return render(request, "security/otp_codes.html", {"codes": codes, "next": _next(request)})
    return render(
        request,
        "security/otp_enrol.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": secret_base32(device),
            "required": otp_required(request.user),
            "next": _next(request),
        },
    )


# System administrator: accounts.


def account_list(request):
    require_permission(request.user, "accounts.manage")
    q = request.GET.get("q", "")[:60]
    page = paginate(request, selectors.account_list(user=request.user, q=q))
    return render(
        request, "security/account_list.html", {"page": page, "q": q, "query": query_without_page(request)}
    )


def account_create(request):
    require_permission(request.user, "accounts.manage")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = org_services.temporary_password()
        try:
            account = org_services.account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=password,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(
                request,
                "security/account_password.html",
                {"account": account, "password": password, "new": True},
            )
    return render(request, "security/account_create.html", {"form": form})


def account_detail(request, pk: int):
    require_permission(request.user, "accounts.manage")
    account = selectors.account_get(user=request.user, pk=pk)
    tokens = org_selectors.token_list(user=request.user, account=account)
    return render(request, "security/account_detail.html", {"account": account, "tokens": tokens})


@require_POST
def token_revoke(request, pk: int, token_pk: int):
    """Revoke a token, asked first as the accounts page asks: done only when the POST repeats
    the token's prefix, as the confirming button sends; otherwise the question is shown."""
    require_permission(request.user, "accounts.manage")
    account = selectors.account_get(user=request.user, pk=pk)
    token = org_selectors.token_list(user=request.user, account=account).filter(pk=token_pk).first()
    if token is None:
        raise Http404
    if request.POST.get("confirm") != token.prefix:
        return render(request, "security/token_revoke.html", {"account": account, "t": token})
    try:
        org_services.token_revoke(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The API token %(prefix)s… of %(account)s was revoked: it no longer opens the API.")
            % {"prefix": token.prefix, "account": account},
        )
    return redirect("security:account-detail", pk=account.pk)


def _account_action(request, pk: int, action, *, confirm: str | None = None):
    """Act on an account from the accounts page. A destructive act (`confirm` names it) is
    done only when the POST repeats the account's username, as the confirming button of the
    list sends; otherwise the confirmation page is shown and nothing changes."""
    require_permission(request.user, "accounts.manage")
    account = selectors.account_get(user=request.user, pk=pk)
    if confirm and request.POST.get("confirm") != account.username:
        return render(request, "security/account_confirm.html", {"a": account, "action": confirm})
    try:
        result = action(account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("security:account-list")
    return account, result


@require_POST
def account_reset(request, pk: int):
    outcome = _account_action(
        request,
        pk,
        lambda a: org_services.account_password_reset(actor=request.user, account=a),
        confirm="reset",
    )
    if not isinstance(outcome, tuple):
        return outcome
    account, password = outcome
    return render(request, "security/account_password.html", {"account": account, "password": password})


@require_POST
def account_otp_reset(request, pk: int):
    outcome = _account_action(
        request,
        pk,
        lambda a: org_services.account_otp_reset(actor=request.user, account=a),
        confirm="otp-reset",
    )
    if isinstance(outcome, tuple):
        messages.success(
            request, _("The second factor of %(account)s was removed.") % {"account": outcome[0]}
        )
        return redirect("security:account-list")
    return outcome


@require_POST
def account_disable(request, pk: int):
    outcome = _account_action(
        request,
        pk,
        lambda a: org_services.account_set_active(actor=request.user, account=a, active=False),
        confirm="disable",
    )
    if isinstance(outcome, tuple):
        messages.success(request, _("%(account)s was disabled.") % {"account": outcome[0]})
        return redirect("security:account-list")
    return outcome


@require_POST
def account_enable(request, pk: int):
    outcome = _account_action(
        request, pk, lambda a: org_services.account_set_active(actor=request.user, account=a, active=True)
    )
    if isinstance(outcome, tuple):
        messages.success(request, _("%(account)s was enabled.") % {"account": outcome[0]})
        return redirect("security:account-list")
    return outcome


# Security administrator: roles and data scopes.


def security_policy() -> list[tuple[str, str]]:
    """The policy in force (set by MINQING_* variables on the server), shown to the
    security administrator."""
    from django.conf import settings as s

    return [
        (
            _("Passwords"),
            _(
                "at least %(n)d characters (%(admin)d for administrators), 3 of 4 classes, last %(h)d not reused"
            )
            % {"n": s.PASSWORD_MIN_LENGTH, "admin": s.PASSWORD_ADMIN_MIN_LENGTH, "h": s.PASSWORD_HISTORY},
        ),
        (
            _("Administrators' passwords expire after"),
            _("%(n)d days") % {"n": s.PASSWORD_ADMIN_MAX_AGE_DAYS},
        ),
        (
            _("Sign-in lock"),
            _("%(n)d failures within %(w)d minutes lock for %(l)d minutes")
            % {"n": s.LOGIN_FAILURE_LIMIT, "w": s.LOGIN_FAILURE_WINDOW_MINUTES, "l": s.LOGIN_LOCK_MINUTES},
        ),
        (
            _("Sessions end after"),
            _("%(a)d idle minutes (administrators), %(o)d idle minutes (others), %(h)d hours in all")
            % {"a": s.SESSION_IDLE_ADMIN_MINUTES, "o": s.SESSION_IDLE_MINUTES, "h": s.SESSION_ABSOLUTE_HOURS},
        ),
        (
            _("Second factor required for"),
            ", ".join(str(Role(r).label) for r in s.OTP_REQUIRED_ROLES if r in Role.values),
        ),
        (
            _("Demo accounts"),
            _("must enrol a second factor too (MINQING_DEMO_REQUIRE_2FA=1)")
            if s.DEMO_REQUIRE_2FA
            else _(
                "are not made to enrol a second factor, by design, so that the demo can be tried at "
                "once, whatever their role (MINQING_DEMO_REQUIRE_2FA=1 makes them enrol too)"
            ),
        ),
        (_("Idle accounts disabled after"), _("%(n)d days") % {"n": s.ACCOUNT_IDLE_DISABLE_DAYS}),
        (
            _("Full exports"),
            _("at most %(n)d rows, approved by a second person") % {"n": s.EXPORT_MAX_ROWS},
        ),
    ]


def grant_list(request):
    require_permission(request.user, "roles.manage")
    q = request.GET.get("q", "")[:60]
    page = paginate(request, selectors.account_list(user=request.user, q=q))
    return render(
        request,
        "security/grant_list.html",
        {"page": page, "q": q, "query": query_without_page(request), "policy": security_policy()},
    )


def grant_edit(request, pk: int):
    require_permission(request.user, "roles.manage")
    account = selectors.account_get(user=request.user, pk=pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.grant_set(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The role was granted."))
            return redirect("security:grant-edit", pk=account.pk)
    return render(
        request,
        "security/grant_edit.html",
        {"account": account, "form": form, "grants": account.grants.all(), "roles": Role},
    )


@require_POST
def grant_revoke(request, pk: int):
    require_permission(request.user, "roles.manage")
    account = selectors.account_get(user=request.user, pk=pk)
    role = request.POST.get("role", "")
    grant = account.grants.filter(role=role).first()
    if grant is not None and request.POST.get("confirm") != role:
        # Asked first, as the accounts page asks: nothing changes until the POST repeats the role.
        return render(request, "security/grant_revoke.html", {"account": account, "g": grant})
    try:
        org_services.grant_revoke(actor=request.user, account=account, role=role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("security:grant-edit", pk=account.pk)


# Audit administrator: the audit trail.


def audit_list(request):
    require_permission(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {
            "username": form.cleaned_data["user"].strip(),
            "action": form.cleaned_data["action"].strip(),
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    events = selectors.audit_event_list(user=request.user, **filters)
    if form.is_bound and not form.is_valid():
        events = events.none()
    page = paginate(request, events, per_page=50)
    return render(
        request,
        "security/audit_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )
