"""The event ontology: CAMEO codes, Goldstein scores, quad classes, PLOVER, sectors, countries.

Every stage that writes an :class:`~dyadwatch.records.Event` fills ``cameo_code``,
``cameo_root``, ``goldstein``, ``quad_class``, ``plover_type`` and ``plover_mode`` from here, so
that coded events and the events read from GDELT, ICEWS and POLECAT share one scale.

>>> from dyadwatch.coding import ontology as onto
>>> code = onto.normalise_cameo(43)          # pandas read GDELT's "043" as 43
>>> code, onto.cameo_root(code), onto.goldstein(code), onto.quad_class(code)
('043', '04', 2.8, 1)
>>> onto.cameo_to_plover(code), onto.plover_to_cameo("CONSULT", "visit")
(('CONSULT', 'visit'), '042')
>>> onto.fips_to_iso3("RS"), onto.iso2_to_iso3("RS")    # Russia in FIPS, Serbia in ISO
('RUS', 'SRB')

Codes are strings with their leading zeros ("043", "0331", "04"); PLOVER types are upper case.
Bad input raises :class:`~dyadwatch.errors.ConfigError` with a coded message (``[E402]`` unknown
CAMEO code, ``[E420]`` ambiguous code, ``[E421]`` unknown option, ``[E422]``/``[E423]``
unknown PLOVER type/mode, ``[E424]`` unknown country code, ``[E425]`` unknown sector).

Which Goldstein table, and why
------------------------------
:func:`goldstein` scores a code with the table keyed to the CAMEO 1.1b3 numbering (the one
ICEWS distributes) unless told ``table="gdelt"``. GDELT's table (also Phoenix's) was written
for CAMEO 0.5b1 and not renumbered when CAMEO 1.x moved five codes, while the codes GDELT
emits follow the new numbering; so in GDELT 016 "deny responsibility" scores 3.4 (the score of
"empathetic comment", now 018), 124 "refuse to yield" -5.0 (now 125's), 163 "impose sanctions"
-6.5 (now 164's), 164 "halt negotiations" -7.0 (now 166's) and 166 "expel or withdraw" -8.0
(now 163's). The 1.1b3 table gives -5.0, -4.0, -8.0, -6.5 and -7.0: the scores that fit what
the codes mean. See ``README.md`` beside this file for the full note.

Which quad-class convention
---------------------------
:attr:`CameoCode.quad_class` and :func:`quad_class` use roots 01-05 / 06-08 / 09-13 / 14-20
(``"icews"``). GDELT's own QuadClass column draws the lines at 01-05 / 06-09 / 10-14 / 15-20
(checked on real GDELT rows): ``quad_class(code, "gdelt")`` reproduces it. ``"phoenix"`` and
``"penta"`` give the two five-class schemes in use.
"""

from __future__ import annotations

from dyadwatch.coding.ontology._cameo import (
    GOLDSTEIN_TABLES,
    QUAD_CONVENTIONS,
    CameoCode,
    cameo,
    cameo_codes,
    cameo_root,
    goldstein,
    is_cameo,
    normalise_cameo,
    quad_class,
)
from dyadwatch.coding.ontology._countries import (
    FipsCountry,
    cameo_country_to_iso3,
    fips_country,
    fips_to_iso3,
    iso2_to_iso3,
    iso3_to_fips,
)
from dyadwatch.coding.ontology._plover import (
    PLOVER_MODES,
    PLOVER_TYPES,
    cameo_to_plover,
    plover_to_cameo,
)
from dyadwatch.coding.ontology._sectors import CAMEO_SECTORS, PLOVER_SECTORS, Sector, sector

__all__ = [
    "CAMEO_SECTORS",
    "GOLDSTEIN_TABLES",
    "PLOVER_MODES",
    "PLOVER_SECTORS",
    "PLOVER_TYPES",
    "QUAD_CONVENTIONS",
    "CameoCode",
    "FipsCountry",
    "Sector",
    "cameo",
    "cameo_codes",
    "cameo_country_to_iso3",
    "cameo_root",
    "cameo_to_plover",
    "fips_country",
    "fips_to_iso3",
    "goldstein",
    "is_cameo",
    "iso2_to_iso3",
    "iso3_to_fips",
    "normalise_cameo",
    "plover_to_cameo",
    "quad_class",
    "sector",
]
