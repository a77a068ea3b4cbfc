"""The codes an actor dictionary may use, in the terms of :mod:`dyadwatch.coding.ontology`.

The ontology owns the tables: the CAMEO country crosswalk (:func:`cameo_country_to_iso3`) and the
CAMEO and PLOVER sector codes (``CAMEO_SECTORS``, ``PLOVER_SECTORS``). What is left here is what
the actor dictionary decides for itself:

* An entry's country is the code the ontology reads a CAMEO country code as: ISO 3166-1 alpha-3
  (``RUS``; ISO 3166-3 for the historical states pycountry knows, ``SUN`` for the USSR; ``XKX``
  for Kosovo, CAMEO's ``KSV``), a CAMEO world region (``CAS`` Central Asia), or one of the
  CAMEO top-level codes for actors that are not states (:data:`NON_STATE_CODES`). A legacy CAMEO
  spelling (``ROM``) is read as its ISO code (``ROU``), and the dictionary writes the ISO one.
* A sector is any CAMEO or PLOVER sector code. Where the two schemes spell one code for two
  things, the dictionary follows PLOVER: ``MED`` is health and ``JRN`` the media (CAMEO's
  ``MED`` is the media, so :func:`sector_from_cameo` turns an imported CAMEO ``MED`` into
  ``JRN``); CAMEO's ``HLH`` stays a synonym of health.

>>> is_country_code("AFG"), is_country_code("CAS"), is_country_code("IGO"), is_country_code("ROM")
(True, True, True, False)
>>> normalise_country_code("ROM"), normalise_country_code(" ksv"), normalise_country_code("JAP")
('ROU', 'XKX', 'JPN')
"""

from __future__ import annotations

from functools import lru_cache

from dyadwatch.coding.ontology import CAMEO_SECTORS, PLOVER_SECTORS, cameo_country_to_iso3
from dyadwatch.errors import ConfigError

__all__ = [
    "NON_STATE_CODES",
    "TYPOS",
    "is_country_code",
    "is_sector_code",
    "is_state_code",
    "normalise_country_code",
    "sector_from_cameo",
]

# CAMEO's top-level codes for actors that are not states, which an entry may hold as its
# country (the ontology lists them as sectors, with their meanings: ``sector("IMG").label``).
NON_STATE_CODES = frozenset({"IGO", "NGO", "NGM", "IMG", "MNC", "INT", "UIS"})

# Country codes that are no code at all but are found in real coded data (the PLOVER gold
# records write JAP, ITL and VTN), so that imported data and evaluation files can be read.
# The dictionary never writes them.
TYPOS: dict[str, str] = {
    "JAP": "JPN",
    "ITL": "ITA",
    "VTN": "VNM",
    "GER": "DEU",  # the IOC / FIFA code, a common slip
    "UK": "GBR",
}


def _as_iso(code: str) -> str | None:
    """The ontology's reading of a CAMEO country code; the code itself for a region; else None."""
    try:
        iso = cameo_country_to_iso3(code)
    except ConfigError:
        return None
    return code if iso is None else iso


def is_country_code(code: str) -> bool:
    """Whether an entry may hold ``code`` as its country: the code the ontology gives, a CAMEO
    region or a non-state code (legacy spellings such as ``ROM`` are not: write ``ROU``)."""
    return code in NON_STATE_CODES or (len(code) == 3 and _as_iso(code) == code)


@lru_cache(maxsize=1024)
def is_state_code(code: str | None) -> bool:
    """Whether ``code`` names a state (or a historical one): not a region, not a non-state code.

    >>> is_state_code("AFG"), is_state_code("SUN"), is_state_code("CAS"), is_state_code("IGO")
    (True, True, False, False)
    """
    if not code or code in NON_STATE_CODES or len(code) != 3:
        return False
    try:
        return cameo_country_to_iso3(code) == code
    except ConfigError:
        return False


def is_sector_code(code: str) -> bool:
    """Whether ``code`` is a CAMEO or a PLOVER sector code."""
    return code in CAMEO_SECTORS or code in PLOVER_SECTORS


def sector_from_cameo(code: str) -> str:
    """A CAMEO sector code in the dictionary's terms: a code PLOVER spells alike for another
    thing becomes PLOVER's code for what CAMEO meant (``MED`` -> ``JRN``); others are kept.

    >>> sector_from_cameo("MED"), sector_from_cameo("INS"), sector_from_cameo("GOV")
    ('JRN', 'INS', 'GOV')
    """
    known = CAMEO_SECTORS.get(code)
    if known is not None and code in PLOVER_SECTORS and known.plover not in (None, code):
        return known.plover
    return code


def normalise_country_code(code: str | None) -> str | None:
    """A country code as the dictionary writes it: legacy CAMEO codes and known typos mapped to
    ISO (through the ontology's crosswalk); other codes upper-cased and kept.

    >>> normalise_country_code("ROM"), normalise_country_code("rus"), normalise_country_code(None)
    ('ROU', 'RUS', None)
    """
    if not code:
        return None
    upper = code.strip().upper()
    if upper in TYPOS:
        return TYPOS[upper]
    return _as_iso(upper) or upper
