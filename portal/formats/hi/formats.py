"""Hindi as India writes it: day before month, times unambiguous (24-hour).

Django's `hi` locale has no SHORT_DATE(TIME)_FORMAT/DATETIME_FORMAT, so those fell back to the
American `m/d/Y` (12/07/2026 for 7 December) and times showed
"बजे" for both morning and afternoon.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# Django's Hindi catalogue translates both "a.m." and "p.m." as "बजे" (o'clock), so 9:30 and 21:30
# would read alike; a 24-hour clock is unambiguous until locale/ carries distinct words.
TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '25 Oct 2006, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/10/2006 14:30'
