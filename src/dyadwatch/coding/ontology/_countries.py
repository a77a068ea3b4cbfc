"""Country-code crosswalks for dataset readers: FIPS 10-4, ISO 3166-1 and CAMEO codes.

GDELT writes actor countries as CAMEO codes (ISO alpha-3 with a few exceptions, listed in
``coding/data/cameo_countries.csv``) and locations as FIPS 10-4 codes
(``coding/data/fips_countries.csv``). The two look alike and are not: ``RS`` is Russia in FIPS
and Serbia in ISO alpha-2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dyadwatch.coding.ontology._tables import read_table
from dyadwatch.errors import ConfigError, Errors


@dataclass(frozen=True, slots=True)
class FipsCountry:
    """A FIPS 10-4 country code, its ISO alpha-3 equivalent (None: none) and why.

    ``basis`` is ``iso`` (same place), ``part`` (part of the ISO entity), ``withdrawn`` (a
    former ISO code), ``user-assigned`` (XKX, Kosovo) or ``none`` (oceans, disputed islands).
    """

    fips: str
    iso3: str | None
    basis: str
    name: str
    note: str = ""


@cache
def _fips() -> dict[str, FipsCountry]:
    return {
        row["fips"]: FipsCountry(row["fips"], row["iso3"] or None, row["basis"], row["name"], row["note"])
        for row in read_table("fips_countries.csv")
    }


@cache
def _cameo_exceptions() -> dict[str, str | None]:
    return {row["cameo"]: row["iso3"] or None for row in read_table("cameo_countries.csv")}


@cache
def _iso() -> tuple[dict[str, str], frozenset[str]]:
    """ISO alpha-2 -> alpha-3 (current codes, plus XK -> XKX), and every alpha-3 code, old ones too."""
    import pycountry  # a core dependency; imported here so that importing the ontology stays cheap

    alpha2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    alpha2["XK"] = "XKX"
    alpha3 = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    alpha3 |= {c.alpha_3 for c in pycountry.historic_countries if getattr(c, "alpha_3", None)}
    return alpha2, frozenset(alpha3)


def _key(code: object) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


def fips_country(code: str) -> FipsCountry:
    """The crosswalk entry of a FIPS 10-4 country code (GDELT's ``*Geo_CountryCode`` fields).

    >>> from dyadwatch.coding.ontology import fips_country
    >>> entry = fips_country("WE")
    >>> entry.iso3, entry.basis, entry.name
    ('PSE', 'part', 'West Bank')
    """
    entry = _fips().get(_key(code))
    if entry is None:
        raise ConfigError(
            Errors.E424, scheme="FIPS 10-4", code=code,
            advice="GDELT's location fields (*Geo_CountryCode) hold FIPS codes; its actor fields "
            "(Actor*CountryCode) hold CAMEO codes: read those with cameo_country_to_iso3().",
        )
    return entry


def fips_to_iso3(code: str) -> str | None:
    """The ISO alpha-3 code of a FIPS 10-4 country code; None where the place has none (oceans).

    >>> from dyadwatch.coding.ontology import fips_to_iso3
    >>> [fips_to_iso3(c) for c in ("RS", "RI", "TI", "TX", "CH", "SZ", "AF", "OS")]
    ['RUS', 'SRB', 'TJK', 'TKM', 'CHN', 'CHE', 'AFG', None]
    """
    return fips_country(code).iso3


def iso2_to_iso3(code: str) -> str:
    """The ISO 3166-1 alpha-3 code of an alpha-2 code (current codes, and XK for Kosovo).

    >>> from dyadwatch.coding.ontology import iso2_to_iso3
    >>> iso2_to_iso3("RS"), iso2_to_iso3("ru"), iso2_to_iso3("XK")
    ('SRB', 'RUS', 'XKX')
    """
    iso3 = _iso()[0].get(_key(code))
    if iso3 is None:
        raise ConfigError(
            Errors.E424, scheme="ISO 3166-1 alpha-2", code=code,
            advice="Use a current ISO alpha-2 code (RU, AF); FIPS codes from GDELT's location "
            "fields go through fips_to_iso3().",
        )
    return iso3


def cameo_country_to_iso3(code: str) -> str | None:
    """The ISO alpha-3 code of a CAMEO country code; None for CAMEO's world regions.

    Most CAMEO country codes are ISO alpha-3 codes and come back unchanged (old ISO 3166-3
    codes too: SUN, YUG). The exceptions are listed in ``coding/data/cameo_countries.csv``:
    ROM -> ROU, TMP -> TLS, MTN -> MNE, IMY -> IMN, KSV -> XKX, WSB and GZS -> PSE, compound
    codes such as USAGUM -> GUM, and regions (CAS Central Asia) -> None.

    >>> from dyadwatch.coding.ontology import cameo_country_to_iso3
    >>> [cameo_country_to_iso3(c) for c in ("RUS", "ROM", "TMP", "KSV", "WSB", "CAS")]
    ['RUS', 'ROU', 'TLS', 'XKX', 'PSE', None]
    """
    key = _key(code)
    exceptions = _cameo_exceptions()
    if key in exceptions:
        return exceptions[key]
    if key in _iso()[1]:
        return key
    raise ConfigError(
        Errors.E424, scheme="CAMEO", code=code,
        advice="Use an ISO alpha-3 code (RUS, AFG) or a CAMEO code listed in "
        "coding/data/cameo_countries.csv (ROM, KSV, CAS ...).",
    )


@cache
def _iso3_to_fips() -> dict[str, str]:
    # only places that are the same entity both ways; a FIPS "part" of a country is not it
    return {entry.iso3: entry.fips for entry in _fips().values() if entry.iso3 and entry.basis == "iso"}


def iso3_to_fips(code: str) -> str | None:
    """The FIPS 10-4 code of an ISO alpha-3 country code (for GDELT's location layout), or None.

    >>> from dyadwatch.coding.ontology import iso3_to_fips
    >>> [iso3_to_fips(c) for c in ("RUS", "SRB", "TJK", "AFG")]
    ['RS', 'RI', 'TI', 'AF']
    """
    return _iso3_to_fips().get(_key(code))
