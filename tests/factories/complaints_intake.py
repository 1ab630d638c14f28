"""Complaint intake test data: real complaints through the service, and bulk rows for budgets."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from complaints import services
from complaints.models import Complaint
from stations.models import Station

PLANTED_NAME = "Zaitunnisa Qureshbhai"
PLANTED_PHONE = "+919812345678"


def make_complaint(
    *, station: Station, by: User | None = None, name: str = PLANTED_NAME, **kwargs: Any
) -> Complaint:
    """A complaint registered through register_complaint, with a victim identity."""
    values: dict[str, Any] = {
        "channel": "desk",
        "category": "stalking",
        "description": "Followed from the bus stand to the college gate for a week.",
    }
    values.update(kwargs)
    identity = values.pop(
        "identity",
        services.IdentityData(
            name=name,
            phone=PLANTED_PHONE,
            address="House 12, Lane 4",
            family="Mother: Rukhsana",
            school_or_workplace="Government Girls Inter College",
        ),
    )
    return services.register_complaint(station=station, by=by, identity=identity, **values)
