"""Bengali as India writes it: day before month (25 Oct 2026, 25/10/2026).

Django's `bn` locale has no SHORT_DATETIME_FORMAT/DATETIME_FORMAT, so those fell back to the
American `m/d/Y` (12/07/2026 for 7 December).
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403
