"""English as India writes it: day before month (25 Oct 2026, 25/10/2026), Monday first.

Django's plain `en` formats are American (Oct. 25, 2026; 10/25/2026), which an Indian officer
reads the wrong way round. HTML date inputs still post ISO dates, which Django always accepts.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403
