"""detect_language(): English, Russian and others; None when too short to say."""

from __future__ import annotations

import pytest

from dyadwatch.library.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia's foreign ministry said on Sunday that its embassy in Kabul would keep working.", "en"),
        ("Министерство иностранных дел России заявило, что посольство в Кабуле продолжит работу.", "ru"),
        ("Le ministère russe des affaires étrangères a déclaré que son ambassade resterait ouverte.", "fr"),
        ("Das russische Außenministerium erklärte, die Botschaft in Kabul bleibe geöffnet.", "de"),
        ("RUSSIA'S FOREIGN MINISTRY SAID ON SUNDAY THAT ITS EMBASSY IN KABUL WOULD KEEP WORKING.", "en"),
    ],
)
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Kabul 2021", "12345 67890 !!! ??? 2021-08-15 12:00", "Talks in Moscow"])
def test_too_short_to_say(text: str) -> None:
    assert detect_language(text) is None


def test_only_the_start_is_looked_at() -> None:
    english = "The foreign ministers met in Geneva on Monday to discuss the ceasefire. " * 40
    russian = "Министры иностранных дел встретились в Женеве в понедельник. " * 400
    assert detect_language(english + russian) == "en"
