import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

WHEN = datetime.datetime(2026, 12, 7, 14, 30)


def _render(source: str, lang: str) -> str:
    with translation.override(lang):
        return Template(source).render(Context({"when": WHEN}))


@pytest.mark.parametrize("lang", ["en", "hi", "bn"])
def test_it_writes_dates_day_first_in_every_language(lang: str) -> None:
    assert _render('{{ when|date:"SHORT_DATE_FORMAT" }}', lang) == "07/12/2026"
    assert _render('{{ when|date:"SHORT_DATETIME_FORMAT" }}', lang).startswith("07/12/2026")
    assert _render('{{ when|date:"DATETIME_FORMAT" }}', lang).startswith("7 ")


def test_it_tells_hindi_afternoon_from_morning() -> None:
    assert _render('{{ when|date:"SHORT_DATETIME_FORMAT" }}', "hi") == "07/12/2026 14:30"
    assert _render("{{ when|time }}", "hi") == "14:30"
