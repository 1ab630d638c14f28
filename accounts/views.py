"""Account pages: language choice and the second factor (login and logout are Django's own).

The second-factor pages are thin: the rules live in accounts.two_factor.
"""

from __future__ import annotations

from urllib.parse import urlencode

from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services, step_up, two_factor
from accounts.forms import TokenForm


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in user keeps the choice across devices."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            services.set_preferred_language(user=request.user, language=language)
        except ValueError:
            pass  # Django's view already ignored an unknown language
    return response


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a local `next`, or the dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("home")


def _with_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{resolve_url(name)}?{urlencode({'next': _next_url(request)})}")


def _wait_message(error: two_factor.SecondFactorError) -> str:
    """After a wrong code the next is checked only after a short wait: say how long."""
    if not error.wait_seconds:
        return ""
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then type the newest code.",
        "Too many wrong codes. Wait %(seconds)d seconds, then type the newest code.",
        error.wait_seconds,
    ) % {"seconds": error.wait_seconds}


def _locked_out(request: HttpRequest) -> HttpResponse:
    """End the half-logged-in session and show django-axes' lockout page."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    return get_lockout_response(request, None, credentials)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code and typed secret), or manage backup codes."""
    user = request.user
    verified = two_factor.is_verified(user)
    if two_factor.has_device(user):
        if not verified:
            return _with_next("two_factor_verify", request)
        return render(
            request,
            "accounts/two_factor_manage.html",
            {"codes_left": two_factor.backup_codes_left(user)},
        )
    if two_factor.is_locked_out(request, user):
        return _locked_out(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = two_factor.confirm_enrolment(
                request=request, user=user, token=form.cleaned_data["token"]
            )
        except two_factor.SecondFactorError as error:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error(
                "token",
                _wait_message(error)
                or _(
                    "That code does not match. Check the time on your phone and try the "
                    "newest code."
                ),
            )
        else:
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": enrolment.backup_codes, "next": _resume_url(request), "enrolled": True},
            )
    device = two_factor.pending_totp(user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_base32(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from the app, or a backup code."""
    user = request.user
    if two_factor.is_verified(user):
        return redirect(_next_url(request))
    if not two_factor.has_device(user):
        return _with_next("two_factor_setup", request)
    if two_factor.is_locked_out(request, user):
        return _locked_out(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request=request, user=user, token=form.cleaned_data["token"])
        except two_factor.SecondFactorError as error:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error(
                "token",
                _wait_message(error)
                or _(
                    "That code is not right, or was already used. Type the newest code from "
                    "your app, or one of your backup codes."
                ),
            )
        else:
            return _resume(request)
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def _resume_url(request: HttpRequest) -> str:
    return f"{resolve_url('two_factor_resume')}?{urlencode({'next': _next_url(request)})}"


def _resume(request: HttpRequest) -> HttpResponse:
    """After the second factor: send again what a refused form held, else go on to `next`."""
    next_url = _next_url(request)
    draft = step_up.take(request, next_url)
    if draft is None:
        return redirect(next_url)
    return render(request, "accounts/two_factor_resume.html", {"draft": draft, "next": next_url})


@never_cache
@login_required
def two_factor_resume(request: HttpRequest) -> HttpResponse:
    """Where the enrolment's "continue" leads: the kept form is resent, or `next` opens."""
    return _resume(request)


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes (the old ones stop working) and show the new ones once."""
    if not two_factor.has_device(request.user) or not two_factor.is_verified(request.user):
        messages.error(request, _("Set up and verify your authenticator app first."))
        return redirect("two_factor_setup")
    codes = two_factor.regenerate_backup_codes(user=request.user, by=request.user, request=request)
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {"codes": codes, "next": resolve_url("home"), "enrolled": False},
    )
