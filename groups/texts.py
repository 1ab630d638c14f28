"""Ready texts: conduct warnings in the member's own language, and the standing notices.

Warnings are written with gettext under translation.override(member's language), so the
Hindi and Bengali catalogues decide what a member reads; the admin copies the text into
WhatsApp (or opens it prefilled through a wa.me link).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from groups.models import IncidentKind

# Shown on every public page and rules block, whatever the group's own rules say.
NO_ID_CARD_NOTICE = _(
    "Members get no police ID card, do not represent the police and may not claim to act "
    "for them. The group is only for safety information and help."
)

DEFAULT_RULES = _(
    "1. Post only about safety: an incident, a suspicious person, a request for help.\n"
    "2. No greetings ('good morning'), forwards, jokes, politics or religion.\n"
    "3. Do not forward rumours; the police will share correct information.\n"
    "4. Members get no police ID card and do not represent the police.\n"
    "5. Never lobby on anyone's case or ask for money: report anyone who does.\n"
    "In an emergency call 112."
)

# Message ids (gettext_noop marks them for extraction); looked up in the member's language.
WARNINGS: dict[str, str] = {
    IncidentKind.GREETING_SPAM: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): please do not '
        "post 'good morning' / 'good night' greetings or forwards. The group is only for "
        "safety matters, and every such message hides a call for help."
    ),
    IncidentKind.RUMOUR: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): you forwarded '
        "a message that is not verified. Rumours cause panic and harm. Please share only "
        "what the police or you yourself have confirmed."
    ),
    IncidentKind.ID_CARD: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): members get no '
        "police ID card and do not represent the police. Please do not ask for an ID card "
        "or tell anyone that you act for the police."
    ),
    IncidentKind.TOUTING: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): the group may '
        "not be used to lobby on anyone's case or to offer help with the police for money "
        "or favours. Doing so leads to removal."
    ),
    IncidentKind.ABUSE: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): abusive or '
        "insulting messages are not allowed. Please be respectful to every member."
    ),
    IncidentKind.OTHER: gettext_noop(
        '%(name)s, a message from the admins of "%(group)s" (%(station)s): your message '
        "broke the group's rules. Please read the rules again."
    ),
}
STRIKES = gettext_noop(
    "This is warning %(strike)s of %(limit)s: after %(limit)s warnings a member is removed."
)


def warning_text(
    *,
    kind: str,
    member_name: str,
    group_name: str,
    station_name: str,
    strike: int,
    limit: int,
    language: str,
) -> str:
    """The warning for one incident, written in `language` (falls back to English)."""
    values = {
        "name": member_name,
        "group": group_name,
        "station": station_name,
        "strike": strike,
        "limit": limit,
    }
    with translation.override(language):
        body = gettext(WARNINGS.get(kind, WARNINGS[IncidentKind.OTHER])) % values
        return body + " " + gettext(STRIKES) % values
