"""The public self-application form: no login, no captcha, rate-limited by address and phone.

Whatever happens after a valid submission (screened clean, matched the exclusion register,
already waiting, already a member), the applicant sees the same thank-you page: the register
is never revealed.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts.services import client_ip
from groups import selectors, services, throttle
from groups.forms import ApplicationForm
from groups.models import CommunityGroup, NominationSource
from groups.services import GroupsError
from groups.texts import NO_ID_CARD_NOTICE

TOO_MANY = 429
logger = logging.getLogger(__name__)


def _form_page(
    request: HttpRequest, group: CommunityGroup, form: ApplicationForm, status: int = 200
) -> HttpResponse:
    context = {"group": group, "form": form, "no_id_card_notice": NO_ID_CARD_NOTICE}
    return render(request, "groups/apply.html", context, status=status)


def _limited(request: HttpRequest, group: CommunityGroup, form: ApplicationForm) -> HttpResponse:
    form.add_error(None, _("Too many applications were sent from here. Please try again later."))
    return _form_page(request, group, form, status=TOO_MANY)


@never_cache
@csrf_protect
def apply(request: HttpRequest, token: UUID) -> HttpResponse:
    group = selectors.public_group(token=token)
    form = ApplicationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method != "POST":
        return _form_page(request, group, form)
    if not throttle.allow_ip(client_ip(request)):
        return _limited(request, group, form)
    if not form.is_valid():
        return _form_page(request, group, form, status=400)
    data = form.cleaned_data
    if not throttle.allow_phone(data["phone"]):
        return _limited(request, group, form)
    try:
        services.submit_nomination(
            group=group,
            source=NominationSource.SELF_APPLICATION,
            nominee_name=data["name"],
            nominee_phone=data["phone"],
            nominee_consent=data["consent"],
            nominee_language=data["language"],
            nominee_locality=data["locality"],
            note=data["note"],
            request=request,
        )
    except GroupsError as error:  # already waiting or already a member: same answer
        if error.code not in {"duplicate", "already_member"}:
            logger.warning("Self-application refused: %s", error.code)
    return redirect("groups:apply_done", token=group.public_token)


@never_cache
def apply_done(request: HttpRequest, token: UUID) -> HttpResponse:
    group = selectors.public_group(token=token)
    return render(request, "groups/apply_done.html", {"group": group})
