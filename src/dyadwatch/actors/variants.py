"""Transliteration variants of personal names, so that the tagger finds "Sergei Lavrov" too.

Names from Russian, Persian, Pashto, Arabic and the Turkic languages reach English news in
several spellings. Each set below lists spellings of one name element that the press uses
interchangeably; the loader derives every combination (up to a bound) for each person, so the
fast exact matcher finds them without fuzzy matching. Fuzzy matching (rapidfuzz) is the second
line, in :meth:`Resolver.resolve`, for spellings no set foresees.
"""

from __future__ import annotations

import itertools
from functools import cache

__all__ = ["VARIANT_SETS", "name_variants"]

VARIANT_SETS: tuple[frozenset[str], ...] = tuple(frozenset(s.split()) for s in (
    # Russian given names and endings
    "Sergey Sergei Sergej Serguei",
    "Dmitry Dmitri Dmitriy Dmitrii",
    "Yevgeny Evgeny Yevgeniy Evgeni Yevgeni",
    "Aleksandr Alexander Alexandr Aleksander",
    "Alexei Aleksei Alexey Aleksey Alexej",
    "Nikolai Nikolay",
    "Yuri Yury Yuriy Iurii",
    "Andrei Andrey",
    "Mikhail Michail",
    "Anatoly Anatoliy Anatoli",
    "Vasily Vasiliy Vassily",
    "Grigory Grigoriy Grigori",
    "Valery Valeriy Valeri",
    "Vyacheslav Viacheslav",
    "Maria Mariya",
    "Zakharova Zaharova",
    "Shoigu Shoygu",
    "Patrushev Patrouchev",
    "Kabulov Kabulow",
    "Medvedev Medvedew",
    "Nebenzya Nebenzia",
    "Naryshkin Narishkin",
    "Gerasimov Gerasimow",
    "Bortnikov Bortnikow",
    # Persian, Pashto and Arabic name elements
    "Mohammad Muhammad Mohammed Mohamed Muhammed Mohamad Mohd",
    "Abdul Abdel Abdal",
    "Ahmad Ahmed",
    "Amir Ameer",
    "Mullah Mulla Molla",
    "Akhund Akhond Akhoond",
    "Akhundzada Akhundzadeh Akhunzada Akhundzade",
    "Haibatullah Hibatullah Hebatullah Hibatollah Haibatollah",
    "Zabihullah Zabiullah Zabihollah",
    "Sirajuddin Serajuddin Sirajudin",
    "Yaqoob Yaqub Yakub Yaqoub Yacoob",
    "Abdul-Ghani Abdulghani",
    "Muttaqi Mottaki Muttaqee",
    "Hasan Hassan",
    "Hussain Hussein Husain",
    "Hekmatyar Hikmatyar",
    "Gulbuddin Golbuddin Gulbudin",
    "Rabbani Rabani",
    "Karzai Karzay",
    "Ghani Ghane",
    "Abdullah Abdollah",
    "Dostum Dostam",
    "Massoud Masoud Masood Mas'ud",
    "Amrullah Amrallah",
    "Saleh Salih",
    "Mujahid Mujahed",
    "Shaheen Shahin",
    "Suhail Sohail Suhayl",
    "Baradar Beradar Biradar",
    "Hanafi Hanfi",
    "Haqqani Haqani",
    "Zawahiri Zawahri",
    "Qaeda Qaida Qa'ida",
    "Raisi Raeesi",
    "Khamenei Khamenehi",
    "Araghchi Araqchi",
    "Zarif Zareef",
    "Amir-Abdollahian Amirabdollahian",
    "Pezeshkian Pezeshkiyan",
    # Central Asian names
    "Emomali Imomali",
    "Rahmon Rakhmon Rahmonov Rakhmonov",
    "Shavkat Shavkatjon",
    "Mirziyoyev Mirziyoev Mirziyaev",
    "Kassym-Jomart Kasym-Zhomart Qasym-Jomart",
    "Tokayev Tokaev",
    "Nursultan Nursoultan",
    "Nazarbayev Nazarbaev",
    "Sadyr Sadir",
    "Japarov Zhaparov Dzhaparov",
    "Serdar Serdor",
    "Berdimuhamedov Berdymukhamedov Berdimuhamedow Berdymukhammedov",
    "Gurbanguly Gurbanguli",
    "Islam Islom",
    "Karimov Karimow",
    "Saidov Saidow",
    "Muhriddin Mukhriddin",
    "Lukashenko Lukashenka",
    # South Asian names
    "Shehbaz Shahbaz",
    "Sharif Shareef",
    "Imran Emran",
    "Qureshi Quraishi Qureshy",
    "Jaishankar Jaishanker",
    "Bajwa Bajwah",
    "Munir Muneer",
))

_INDEX: dict[str, frozenset[str]] = {}
for _group in VARIANT_SETS:
    for _word in _group:
        _INDEX.setdefault(_word.lower(), frozenset())
        _INDEX[_word.lower()] = _INDEX[_word.lower()] | _group

_MAX_VARIANTS = 48


@cache
def name_variants(name: str) -> tuple[str, ...]:
    """The spellings of a name with each element swapped for its variants (the name first).

    >>> name_variants("Sergey Lavrov")
    ('Sergey Lavrov', 'Sergei Lavrov', 'Sergej Lavrov', 'Serguei Lavrov')
    """
    words = name.split()
    options = [sorted(_INDEX.get(w.lower(), frozenset({w})) - {w}, key=lambda v: (len(v), v)) for w in words]
    options = [[w, *rest] for w, rest in zip(words, options, strict=True)]
    result = []
    for combo in itertools.islice(itertools.product(*options), _MAX_VARIANTS):
        result.append(" ".join(combo))
    return tuple(dict.fromkeys(result))
