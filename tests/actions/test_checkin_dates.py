"""Departure dates typed in Spanish and French (and English words the first reader missed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import pytest
import yaml

from actions.checkin_answers import departure_date
from actions.date_words import date_words
from locales.catalogue import LOCALES_DIR

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    "text, expected",
    [
        # Spanish (Mexico, Central America, Colombia, Peru): accents optional, SMS spelling
        ("mañana", date(2026, 12, 1)),
        ("me voy manana temprano", date(2026, 12, 1)),
        ("pasado mañana", date(2026, 12, 2)),
        ("pasado manana", date(2026, 12, 2)),
        ("hoy en la noche", date(2026, 11, 30)),
        ("el 5 de diciembre", date(2026, 12, 5)),
        ("5 dic", date(2026, 12, 5)),
        ("diciembre 5", date(2026, 12, 5)),
        ("el 1ro de enero", date(2027, 1, 1)),
        ("el 3 de setiembre", date(2027, 9, 3)),
        ("el lunes", date(2026, 12, 7)),
        ("el viernes por la mañana", date(2026, 12, 4)),
        ("el próximo miércoles", date(2026, 12, 2)),
        ("el sabado que viene", date(2026, 12, 5)),
        ("la semana que viene", date(2026, 12, 7)),
        ("la proxima semana", date(2026, 12, 7)),
        ("en 3 días", date(2026, 12, 3)),
        ("dentro de dos semanas", date(2026, 12, 14)),
        ("en un par de dias", date(2026, 12, 2)),
        # French (Senegal, Côte d'Ivoire, Cameroon, Mali, DRC)
        ("demain", date(2026, 12, 1)),
        ("je pars demain matin", date(2026, 12, 1)),
        ("après-demain", date(2026, 12, 2)),
        ("apres demain", date(2026, 12, 2)),
        ("aujourd'hui", date(2026, 11, 30)),
        ("le 5 décembre", date(2026, 12, 5)),
        ("5 dec", date(2026, 12, 5)),
        ("le 1er janvier", date(2027, 1, 1)),
        ("le 15 aout", date(2027, 8, 15)),
        ("lundi prochain", date(2026, 12, 7)),
        ("vendredi", date(2026, 12, 4)),
        ("la semaine prochaine", date(2026, 12, 7)),
        ("dans 3 jours", date(2026, 12, 3)),
        ("dans deux semaines", date(2026, 12, 14)),
        ("dans quinze jours", date(2026, 12, 15)),
        # English the reader read wrongly before ("tomorrow" came first)
        ("the day after tomorrow", date(2026, 12, 2)),
        # not a date, or not an acceptable one
        ("pronto", None),
        ("bientôt", None),
        ("le 31 février", None),
        ("dans 500 jours", None),
    ],
)
def test_departure_dates_in_spanish_and_french(text: str, expected: Optional[date]) -> None:
    assert departure_date(text, MONDAY) == expected


def test_a_new_language_adds_date_words_as_data(tmp_path: Path) -> None:
    directory = tmp_path / "locales"
    directory.mkdir()
    (directory / "languages.yml").write_text(yaml.safe_dump(
        {"default": "en", "languages": {"en": {"name": "English"}, "pt": {"name": "Português"}}}), encoding="utf-8")
    (directory / "pt").mkdir()
    (directory / "pt" / "dates.yml").write_text(
        "months: {12: [dezembro]}\ntomorrow: [amanhã]\nof: [de]\n", encoding="utf-8")
    words = date_words(directory)
    assert words.months["dezembro"] == 12 and words.tomorrow.search("amanha")
    assert words.day_month.search("5 de dezembro")


def test_every_language_names_all_months_and_weekdays() -> None:
    for path in LOCALES_DIR.glob("*/dates.yml"):
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert sorted(table["months"]) == list(range(1, 13)), path
        assert sorted(table["weekdays"]) == list(range(7)), path
