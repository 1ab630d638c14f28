"""Account pages: language choice (login and logout are Django's own views)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services


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
