"""Who may do what with community groups: the one place that says it.

Seeing a group follows accounts.access (anyone whose jurisdiction holds the group's unit).
Acting on it is narrower, following the field practice that "the IC is the group admin, with a
few other officers of the station":

- Create a group, edit it (capacity, admins, invite link), override a register match: the
  *head* of the group's unit: the station IC for a station group, the district head for a
  district coordination group, state HQ for a state one.
- Decide nominations (approve, reject, waitlist), log conduct, remove members, export the
  roster, see the invite link, re-send invites: the head, or an officer the head listed as a
  group admin who is still posted to the unit.
- Nominate: the group's admins; any IC or station officer of the station; the station's
  Mission Shakti in-charge for women's safety groups; the district head of its district.
- See the exclusion register: station ICs and officers (their station's district) and
  district heads (their district). Read its restricted notes, add, edit and withdraw
  entries: station ICs and district heads of that district.

System administrators see everything (accounts.access), the register and its notes included
(the admin site shows them anyway), but decide nothing about members: that is police work and
needs a posting.
"""

from __future__ import annotations

from accounts import access
from accounts.access import AnyUser
from accounts.models import Role
from groups.models import CommunityGroup, GroupKind

REGISTER_VIEW_ROLES = frozenset({Role.STATION_IC, Role.STATION_OFFICER, Role.DISTRICT_HEAD})
REGISTER_EDIT_ROLES = frozenset({Role.STATION_IC, Role.DISTRICT_HEAD})


def _holds(
    user: AnyUser, role: str, *, station: int = 0, district: int = 0, state: int = 0
) -> bool:
    """True when the user holds `role` at exactly this unit (by id)."""
    for posting in access.active_postings(user):
        if posting.role != role:
            continue
        if (station and posting.station_id == station) or (
            district and posting.district_id == district
        ):
            return True
        if state and posting.state_id == state:
            return True
    return False


def _posted_to_unit(user: AnyUser, group: CommunityGroup) -> bool:
    """The user holds any posting at the group's own unit."""
    for posting in access.active_postings(user):
        if group.station_id and posting.station_id == group.station_id:
            return True
        if group.district_id and posting.district_id == group.district_id:
            return True
        if group.state_id and posting.state_id == group.state_id:
            return True
    return False


def is_group_head(user: AnyUser, group: CommunityGroup) -> bool:
    """The station IC (or district head / state HQ for coordination groups above a station)."""
    if group.station_id:
        return _holds(user, Role.STATION_IC, station=group.station_id)
    if group.district_id:
        return _holds(user, Role.DISTRICT_HEAD, district=group.district_id)
    return _holds(user, Role.STATE_HQ, state=group.state_id or 0)


def is_listed_admin(user: AnyUser, group: CommunityGroup) -> bool:
    """Listed as an admin (uses a prefetched `admins` when there is one)."""
    if not user.is_authenticated:
        return False
    return any(admin.pk == user.pk for admin in group.admins.all())


def is_group_admin(user: AnyUser, group: CommunityGroup) -> bool:
    """The head, or a listed admin still posted to the group's unit."""
    if is_group_head(user, group):
        return True
    return is_listed_admin(user, group) and _posted_to_unit(user, group)


def may_decide(user: AnyUser, group: CommunityGroup) -> bool:
    """Approve, reject or waitlist nominations."""
    return is_group_admin(user, group)


def may_override(user: AnyUser, group: CommunityGroup) -> bool:
    """Approve despite an exclusion-register match, with a recorded reason."""
    return is_group_head(user, group)


def may_edit_group(user: AnyUser, group: CommunityGroup) -> bool:
    return is_group_head(user, group)


def may_administer(user: AnyUser, group: CommunityGroup) -> bool:
    """Run the group: conduct, removals, roster export, invite link, invites."""
    return is_group_admin(user, group)


def may_nominate(user: AnyUser, group: CommunityGroup) -> bool:
    """Propose a member on someone's behalf (the public form needs no login)."""
    if is_group_admin(user, group):
        return True
    if group.station is not None:
        station_roles = [Role.STATION_IC, Role.STATION_OFFICER]
        if group.kind == GroupKind.WOMEN_SAFETY:
            station_roles.append(Role.SHAKTI_INCHARGE)
        if any(_holds(user, role, station=group.station.pk) for role in station_roles):
            return True
        return _holds(user, Role.DISTRICT_HEAD, district=group.station.district_id)
    return False


def head_units(user: AnyUser) -> list[tuple[str, int]]:
    """Units where the user may create groups, as ('station'|'district'|'state', id)."""
    units: list[tuple[str, int]] = []
    for posting in access.active_postings(user):
        if posting.role == Role.STATION_IC and posting.station_id:
            units.append(("station", posting.station_id))
        elif posting.role == Role.DISTRICT_HEAD and posting.district_id:
            units.append(("district", posting.district_id))
        elif posting.role == Role.STATE_HQ and posting.state_id:
            units.append(("state", posting.state_id))
    return units


def register_district_ids(user: AnyUser, *, editing: bool = False) -> set[int] | None:
    """Districts whose register the user may see (or edit and read notes of); None = all."""
    if access.is_system_admin(user):
        return None
    roles = REGISTER_EDIT_ROLES if editing else REGISTER_VIEW_ROLES
    ids: set[int] = set()
    for posting in access.active_postings(user):
        if posting.role not in roles:
            continue
        if posting.station_id and posting.station is not None:
            ids.add(posting.station.district_id)
        elif posting.district_id:
            ids.add(posting.district_id)
    return ids


def may_see_register(user: AnyUser, district_id: int) -> bool:
    ids = register_district_ids(user)
    return ids is None or district_id in ids


def may_edit_register(user: AnyUser, district_id: int) -> bool:
    """Add, edit, withdraw entries and read restricted notes."""
    ids = register_district_ids(user, editing=True)
    return ids is None or district_id in ids


def abilities(user: AnyUser, group: CommunityGroup) -> dict[str, bool]:
    """What the user may do with the group, for templates and API output."""
    admin = is_group_admin(user, group)
    head = is_group_head(user, group)
    district_id = group.station.district_id if group.station is not None else group.district_id
    return {
        "register": district_id is not None and may_see_register(user, district_id),
        "decide": admin,
        "override": head,
        "administer": admin,
        "edit": head,
        "nominate": may_nominate(user, group),
    }
