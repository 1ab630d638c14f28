"""The reference list of Bharatiya Nyaya Sanhita, 2023 sections an FIR or an arrest may cite.

Only the section numbers are kept on a complaint (a reference for the review, not a copy of
the FIR). The list covers the offences against women and children that Mission Shakti desks
register, and the general sections that commonly go with them (hurt, intimidation, theft,
cheating...). A section may carry a sub-section and a clause: "64(2)(m)", "351(2)", "3(5)".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# Section number -> short description (the heading of the section in BNS 2023).
BNS_SECTIONS: dict[int, str] = {
    3: _("General explanations (3(5): acts done in furtherance of common intention)"),
    61: _("Criminal conspiracy"),
    62: _("Attempt to commit offences"),
    63: _("Rape (definition)"),
    64: _("Punishment for rape"),
    65: _("Rape of a woman under sixteen / twelve years"),
    66: _("Rape causing death or a persistent vegetative state"),
    67: _("Sexual intercourse by a husband upon his wife during separation"),
    68: _("Sexual intercourse by a person in authority"),
    69: _("Sexual intercourse by deceitful means"),
    70: _("Gang rape"),
    71: _("Repeat offenders"),
    72: _("Disclosure of the identity of the victim"),
    73: _("Printing or publishing court proceedings without permission"),
    74: _("Assault or criminal force to outrage a woman's modesty"),
    75: _("Sexual harassment"),
    76: _("Assault or criminal force with intent to disrobe"),
    77: _("Voyeurism"),
    78: _("Stalking"),
    79: _("Word, gesture or act intended to insult the modesty of a woman"),
    80: _("Dowry death"),
    81: _("Cohabitation caused by deceitfully inducing a belief of lawful marriage"),
    82: _("Marrying again during the lifetime of a spouse"),
    84: _("Enticing or detaining a married woman with criminal intent"),
    85: _("Cruelty by the husband or his relatives"),
    86: _("Cruelty (definition)"),
    87: _("Kidnapping or abducting a woman to compel her marriage"),
    88: _("Causing miscarriage"),
    89: _("Causing miscarriage without the woman's consent"),
    95: _("Hiring, employing or engaging a child to commit an offence"),
    96: _("Procuration of a child"),
    98: _("Selling a child for purposes of prostitution"),
    99: _("Buying a child for purposes of prostitution"),
    103: _("Murder"),
    105: _("Culpable homicide not amounting to murder"),
    108: _("Abetment of suicide"),
    109: _("Attempt to murder"),
    110: _("Attempt to commit culpable homicide"),
    111: _("Organised crime"),
    115: _("Voluntarily causing hurt"),
    117: _("Voluntarily causing grievous hurt"),
    118: _("Causing hurt or grievous hurt by dangerous weapons or means"),
    124: _("Causing grievous hurt by use of acid"),
    126: _("Wrongful restraint"),
    127: _("Wrongful confinement"),
    137: _("Kidnapping"),
    139: _("Kidnapping or maiming a child for begging"),
    140: _("Kidnapping or abducting in order to murder or for ransom"),
    141: _("Importation of a girl or boy from a foreign country"),
    143: _("Trafficking of persons"),
    144: _("Exploitation of a trafficked person"),
    303: _("Theft"),
    304: _("Snatching"),
    305: _("Theft in a dwelling house, means of transport or place of worship"),
    308: _("Extortion"),
    309: _("Robbery"),
    316: _("Criminal breach of trust"),
    318: _("Cheating"),
    319: _("Cheating by personation"),
    324: _("Mischief"),
    329: _("Criminal trespass and house-trespass"),
    331: _("House-trespass or house-breaking"),
    333: _("House-trespass after preparation for hurt, assault or wrongful restraint"),
    351: _("Criminal intimidation"),
    352: _("Intentional insult with intent to provoke breach of peace"),
    356: _("Defamation"),
}

_SECTION_RE = re.compile(r"^(\d{1,3})((?:\(\d{1,2}\))?(?:\([a-z]\))?)$")


class UnknownSection(ValueError):
    """A token that is not a section of the reference list (carries the offending token)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def normalize_section(token: str) -> str:
    """'64 (2)(M)' -> '64(2)(m)'; UnknownSection when the number is not in the list."""
    cleaned = re.sub(r"\s+", "", token).lower()
    match = _SECTION_RE.match(cleaned)
    if not match or int(match.group(1)) not in BNS_SECTIONS:
        raise UnknownSection(token.strip())
    return f"{int(match.group(1))}{match.group(2)}"


def parse_sections(text: str | list[str]) -> list[str]:
    """Comma/semicolon separated sections, normalised and deduplicated in the given order.

    Raises UnknownSection for the first token not in the reference list; [] for empty input."""
    tokens = text if isinstance(text, list) else re.split(r"[,;/]+", text or "")
    seen: list[str] = []
    for token in tokens:
        if not str(token).strip():
            continue
        section = normalize_section(str(token))
        if section not in seen:
            seen.append(section)
    return seen


def describe(section: str) -> str:
    """The heading of a normalised section ('' when unknown)."""
    match = _SECTION_RE.match(section)
    return str(BNS_SECTIONS.get(int(match.group(1)), "")) if match else ""
