"""Request middleware for accounts: the user's language and the second-factor gate."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware

from accounts import device_cache, step_up, two_factor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Reachable with a password-only session. Everything else needs a verified second factor
# (for NGO coordinators: everything that writes). A new public page must be added here.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
        "two_factor_setup",
        "two_factor_verify",
        # Public pages and machine endpoints: they never rely on who is logged in.
        "complaints:public_complaint",
        "complaints:status_lookup",
        "groups:apply",
        "groups:apply_done",
        "broadcasts:whatsapp_webhook",
    }
)
OPEN_PATH_PREFIXES = ("/static/", "/media/", "/favicon")


class SessionTouchMiddleware:
    """Restart a session's idle clock at most once a minute, not on every request.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write
    per page view, which on the IC dashboard was a third of its round trips. The idle timeout
    (POLICE_SESSION_IDLE_MINUTES) only needs the clock restarted now and then: a session is
    saved when something in it changed, or when SESSION_TOUCH_SECONDS have passed since it was
    last saved, so the timeout holds to within that many seconds.
    """

    KEY = "_touched_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or session.modified:
            return response
        now = int(time.time())
        touched = session.get(self.KEY, 0)
        if not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class UserLanguageMiddleware:
    """Activate the logged-in user's preferred language (after LocaleMiddleware and auth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware, reading the session's device through accounts.device_cache."""

    def _device_from_persistent_id(self, persistent_id: str):  # type: ignore[no-untyped-def]
        return device_cache.load(self._normalize_persistent_id(persistent_id))


def _url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return match.view_name


def _url_name_of(url: str) -> str:
    path = urlsplit(url).path
    try:
        return resolve(path).view_name if path else ""
    except Resolver404:
        return ""


class SecondFactorMiddleware:
    """Send a user who needs a second factor and has not given one to enrol or verify.

    Pages get a redirect (HTMX requests an HX-Redirect) to the verification step, or to
    enrolment for a user with no authenticator yet; the API gets 403 with a JSON reason.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not two_factor.enforced()
            or not user.is_authenticated
            or two_factor.is_verified(user)
            or request.path_info.startswith(OPEN_PATH_PREFIXES)
            or _url_name(request) in OPEN_URL_NAMES
            or not two_factor.required_for(user, writing=request.method not in SAFE_METHODS)
        ):
            return self.get_response(request)
        return self._refuse(request, user)

    def _refuse(self, request: HttpRequest, user) -> HttpResponse:  # type: ignore[no-untyped-def]
        enrolled = two_factor.has_device(user)
        if request.path_info.startswith("/api/"):
            detail = (
                _("Verify your second factor in the portal before using the API.")
                if enrolled
                else _("Set up a second factor in the portal before using the API.")
            )
            return JsonResponse({"detail": detail, "code": "second_factor_required"}, status=403)
        target = resolve_url("two_factor_verify" if enrolled else "two_factor_setup")
        back = request.get_full_path() if request.method in SAFE_METHODS else request.path
        if request.headers.get("HX-Request"):
            back = request.headers.get("HX-Current-URL", "") or resolve_url("home")
            if _url_name_of(back) in OPEN_URL_NAMES:
                # A fragment of an open page (the bell on the enrolment page itself): no
                # fragment, no redirect (that would reload the page it is on, for ever).
                return HttpResponse(status=204)
        if request.method not in SAFE_METHODS:
            step_up.keep(request, page=back)  # resent once the code is verified
        url = f"{target}?{urlencode({'next': back})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
