"""The codes an actor dictionary may use: countries, top-level non-state codes, sectors.

Country codes are CAMEO-style: ISO 3166-1 alpha-3 for current states (CAMEO's own base), ISO
3166-3 codes for the historical states pycountry knows (``SUN`` for the USSR, ``YUG``), plus the
CAMEO codes that are not ISO (``KSV`` Kosovo, regional codes such as ``CAS`` Central Asia) and the
top-level non-state codes (``IGO``, ``NGO``, ``IMG``, ``MNC``). Legacy CAMEO spellings that differ
from ISO (``ROM`` for Romania, ``TMP`` for Timor-Leste) are mapped to ISO by :data:`CAMEO_LEGACY`.

Sector codes merge CAMEO's agent types and PLOVER's sectors. Where the two disagree, the
dictionary follows PLOVER: ``JRN`` is the media and journalists, ``MED`` (PLOVER) is health;
CAMEO used ``MED`` for media and ``HLH`` for health, so ``HLH`` is kept as a synonym of health.
"""

from __future__ import annotations

from functools import cache

__all__ = [
    "CAMEO_LEGACY",
    "NON_STATE_CODES",
    "REGION_CODES",
    "SECTOR_CODES",
    "country_codes",
    "is_country_code",
    "is_sector_code",
    "normalise_country_code",
]

# Top-level codes for actors that are not states (CAMEO).
NON_STATE_CODES: dict[str, str] = {
    "IGO": "inter-governmental organisation",
    "NGO": "non-governmental organisation",
    "NGM": "non-governmental movement",
    "IMG": "international militarised group",
    "MNC": "multinational corporation",
    "INT": "international or transnational, generic",
    "UIS": "unidentified state actor",
}

# CAMEO regional codes (GDELT's CAMEO country lookup).
REGION_CODES: dict[str, str] = {
    "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans", "CRB": "Caribbean", "CAU": "Caucasus",
    "CFR": "Central Africa", "CAS": "Central Asia", "CEU": "Central Europe", "EIN": "East Indies",
    "EAF": "Eastern Africa", "EEU": "Eastern Europe", "EUR": "Europe", "LAM": "Latin America",
    "MEA": "Middle East", "MDT": "Mediterranean", "NAF": "North Africa", "NMR": "North America",
    "PGS": "Persian Gulf", "SCN": "Scandinavia", "SAM": "South America", "SAS": "South Asia",
    "SEA": "Southeast Asia", "SAF": "Southern Africa", "WAF": "West Africa", "WST": "The West",
}

# CAMEO codes with no ISO 3166 equivalent.
CAMEO_ONLY: dict[str, str] = {
    "KSV": "Kosovo",
    "WSB": "West Bank (CAMEO; ISO folds it into PSE)",
    "GZS": "Gaza Strip (CAMEO; ISO folds it into PSE)",
}

# Legacy CAMEO codes that differ from ISO 3166-1 alpha-3, and the ISO code this dictionary uses.
# Typos found in the wild (JAP, ITL in the PLOVER gold records) are listed too, so that imported
# data and evaluation files can be read; they are never written by this dictionary.
CAMEO_LEGACY: dict[str, str] = {
    "ROM": "ROU",  # Romania: CAMEO kept the pre-2002 ISO code
    "TMP": "TLS",  # Timor-Leste: CAMEO kept the pre-2002 ISO code
    "MTN": "MNE",  # Montenegro (CAMEO, before ISO assigned MNE in 2006)
    "IMY": "IMN",  # Isle of Man
    "JAP": "JPN",  # not a CAMEO code: a typo in real coded data
    "ITL": "ITA",  # not a CAMEO code: a typo in real coded data
    "GER": "DEU",  # not a CAMEO code: a common slip (IOC / FIFA code)
    "UK": "GBR",  # not a code at all, common in hand-made files
}

# Sector / agent codes: CAMEO agent types and PLOVER sectors, with what they mean.
SECTOR_CODES: dict[str, str] = {
    # state
    "GOV": "government: the executive, ministries, officials, diplomats",
    "MIL": "military: armed forces, troops, border guards of a state",
    "COP": "police and internal security forces",
    "JUD": "judiciary: courts, judges, prosecutors",
    "LEG": "legislature: parliament, lawmakers",
    "SPY": "state intelligence services",
    "PRM": "paramilitary forces not opposed to the government (PLOVER)",
    # armed non-state
    "INS": "insurgents: armed groups seeking to overthrow the government",
    "REB": "rebels: armed opposition",
    "SEP": "separatist rebels",
    "UAF": "unidentified or unaligned armed forces ('gunmen')",
    "CRM": "criminals, traffickers, gangs",
    # political
    "OPP": "political opposition",
    "PTY": "political parties",
    "ELI": "elites: former officials, leaders out of office",
    "PRE": "partially recognised entities (PLOVER)",
    "MOD": "moderates",
    "RAD": "radicals, extremists",
    # society
    "CVL": "civilians, the public, protesters, activists",
    "REF": "refugees and displaced people",
    "BUS": "business: companies, firms, traders",
    "LAB": "labour: workers, unions",
    "AGR": "agriculture: farmers, peasants",
    "EDU": "education: students, teachers, universities",
    "JRN": "journalists and the media (PLOVER; CAMEO's MED)",
    "MED": "health: doctors, hospitals (PLOVER)",
    "HLH": "health (CAMEO)",
    "REL": "religious leaders and organisations",
    "HRI": "human-rights groups",
    "ENV": "environmental groups",
    "DEV": "development and aid organisations",
    "SOC": "civil society organisations",
    "SET": "settlers",
    "UNK": "unidentified actors",
    # international
    "PKO": "peacekeepers",
    "UNO": "United Nations bodies",
    "IGO": "inter-governmental organisation (as an agent: its officials)",
    "NGO": "non-governmental organisation",
}


@cache
def country_codes() -> frozenset[str]:
    """Every country-level code the dictionary accepts (computed once)."""
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    codes |= {c.alpha_3 for c in pycountry.historic_countries if getattr(c, "alpha_3", None)}
    codes |= set(NON_STATE_CODES) | set(REGION_CODES) | set(CAMEO_ONLY)
    return frozenset(codes)


def is_country_code(code: str) -> bool:
    return code in country_codes()


def is_sector_code(code: str) -> bool:
    return code in SECTOR_CODES


def normalise_country_code(code: str | None) -> str | None:
    """Map a legacy CAMEO code or a known typo to the code this dictionary uses.

    >>> normalise_country_code("ROM"), normalise_country_code("rus"), normalise_country_code(None)
    ('ROU', 'RUS', None)
    """
    if not code:
        return None
    upper = code.strip().upper()
    return CAMEO_LEGACY.get(upper, upper)
