"""Generate ``data/countries.toml`` from pycountry and this project's own tables.

pycountry (ISO 3166-1) gives the codes and official names; the tables below, written for
dyadwatch, give the names the press uses, the adjectives and demonyms, the capitals used as
metonyms, and the places where CAMEO's codes differ from ISO. Run it after editing a table:

    python -m dyadwatch.actors.tools.make_countries            # rewrite the file
    python -m dyadwatch.actors.tools.make_countries --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from types import SimpleNamespace

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "countries.toml"

# ISO3 -> adjectives (first is the main one); "|" separates the adjective list from extra
# plural demonyms that are not simply the adjective plus "s".
ADJECTIVES: dict[str, str] = {
    "AFG": "Afghan", "ALB": "Albanian", "DZA": "Algerian", "AND": "Andorran",
    "AGO": "Angolan", "ATG": "Antiguan", "ARG": "Argentine, Argentinian", "ARM": "Armenian",
    "AUS": "Australian", "AUT": "Austrian", "AZE": "Azerbaijani, Azeri", "BHS": "Bahamian",
    "BHR": "Bahraini", "BGD": "Bangladeshi", "BRB": "Barbadian", "BLR": "Belarusian, Belarussian, Byelorussian",
    "BEL": "Belgian", "BLZ": "Belizean", "BEN": "Beninese", "BTN": "Bhutanese", "BOL": "Bolivian",
    "BIH": "Bosnian, Herzegovinian", "BWA": "Botswanan | Batswana, Motswana", "BRA": "Brazilian",
    "BRN": "Bruneian", "BGR": "Bulgarian", "BFA": "Burkinabe", "BDI": "Burundian",
    "CPV": "Cape Verdean, Cabo Verdean", "KHM": "Cambodian, Kampuchean", "CMR": "Cameroonian", "CAN": "Canadian",
    "CAF": "Central African", "TCD": "Chadian", "CHL": "Chilean", "CHN": "Chinese",
    "COL": "Colombian", "COM": "Comoran, Comorian", "COG": "Congolese (Brazzaville)",
    "COD": "Congolese, Zairean, Zairian", "CRI": "Costa Rican", "CIV": "Ivorian", "HRV": "Croatian, Croat | Croats",
    "CUB": "Cuban", "CYP": "Cypriot", "CZE": "Czech | Czechs", "DNK": "Danish | Danes", "DJI": "Djiboutian",
    "DMA": "Dominican (Dominica)", "DOM": "Dominican", "ECU": "Ecuadorian", "EGY": "Egyptian",
    "SLV": "Salvadoran, Salvadorian", "GNQ": "Equatorial Guinean, Equatoguinean", "ERI": "Eritrean",
    "EST": "Estonian", "SWZ": "Swazi, Eswatini", "ETH": "Ethiopian", "FJI": "Fijian",
    "FIN": "Finnish | Finns", "FRA": "French | Frenchmen", "GAB": "Gabonese", "GMB": "Gambian",
    "GEO": "Georgian", "DEU": "German", "GHA": "Ghanaian", "GRC": "Greek", "GRD": "Grenadian",
    "GTM": "Guatemalan", "GIN": "Guinean", "GNB": "Bissau-Guinean", "GUY": "Guyanese",
    "HTI": "Haitian", "HND": "Honduran", "HUN": "Hungarian", "ISL": "Icelandic | Icelanders",
    "IND": "Indian", "IDN": "Indonesian", "IRN": "Iranian, Persian", "IRQ": "Iraqi",
    "IRL": "Irish | Irishmen", "ISR": "Israeli", "ITA": "Italian", "JAM": "Jamaican",
    "JPN": "Japanese", "JOR": "Jordanian", "KAZ": "Kazakh, Kazakhstani, Kazak | Kazakhs",
    "KEN": "Kenyan", "KIR": "I-Kiribati", "PRK": "North Korean", "KOR": "South Korean",
    "KWT": "Kuwaiti", "KGZ": "Kyrgyz, Kirghiz, Kyrgyzstani", "LAO": "Lao, Laotian",
    "LVA": "Latvian", "LBN": "Lebanese", "LSO": "Basotho, Mosotho", "LBR": "Liberian",
    "LBY": "Libyan", "LIE": "Liechtensteiner", "LTU": "Lithuanian", "LUX": "Luxembourgish | Luxembourgers",
    "MDG": "Malagasy", "MWI": "Malawian", "MYS": "Malaysian", "MDV": "Maldivian", "MLI": "Malian",
    "MLT": "Maltese", "MHL": "Marshallese", "MRT": "Mauritanian", "MUS": "Mauritian",
    "MEX": "Mexican", "FSM": "Micronesian", "MDA": "Moldovan", "MCO": "Monegasque",
    "MNG": "Mongolian | Mongols", "MNE": "Montenegrin", "MAR": "Moroccan", "MOZ": "Mozambican",
    "MMR": "Burmese, Myanmar", "NAM": "Namibian", "NRU": "Nauruan", "NPL": "Nepalese, Nepali",
    "NLD": "Dutch | Dutchmen", "NZL": "New Zealand | New Zealanders, Kiwis", "NIC": "Nicaraguan",
    "NER": "Nigerien", "NGA": "Nigerian", "MKD": "Macedonian, North Macedonian", "NOR": "Norwegian",
    "OMN": "Omani", "PAK": "Pakistani", "PLW": "Palauan", "PSE": "Palestinian", "PAN": "Panamanian",
    "PNG": "Papua New Guinean", "PRY": "Paraguayan", "PER": "Peruvian", "PHL": "Philippine, Filipino",
    "POL": "Polish | Poles", "PRT": "Portuguese", "QAT": "Qatari", "ROU": "Romanian", "RUS": "Russian",
    "RWA": "Rwandan", "KNA": "Kittitian, Nevisian", "LCA": "Saint Lucian", "VCT": "Vincentian",
    "WSM": "Samoan", "SMR": "Sammarinese", "STP": "Sao Tomean", "SAU": "Saudi, Saudi Arabian",
    "SEN": "Senegalese", "SRB": "Serbian, Serb | Serbs", "SYC": "Seychellois", "SLE": "Sierra Leonean",
    "SGP": "Singaporean", "SVK": "Slovak, Slovakian | Slovaks", "SVN": "Slovenian, Slovene | Slovenes",
    "SLB": "Solomon Islander", "SOM": "Somali", "ZAF": "South African", "SSD": "South Sudanese",
    "ESP": "Spanish | Spaniards", "LKA": "Sri Lankan", "SDN": "Sudanese", "SUR": "Surinamese",
    "SWE": "Swedish | Swedes", "CHE": "Swiss", "SYR": "Syrian", "TWN": "Taiwanese",
    "TJK": "Tajik, Tajikistani, Tadjik | Tajiks", "TZA": "Tanzanian", "THA": "Thai",
    "TLS": "Timorese, East Timorese", "TGO": "Togolese", "TON": "Tongan", "TTO": "Trinidadian, Tobagonian",
    "TUN": "Tunisian", "TUR": "Turkish | Turks", "TKM": "Turkmen, Turkmenistani | Turkmens",
    "TUV": "Tuvaluan", "UGA": "Ugandan", "UKR": "Ukrainian", "ARE": "Emirati",
    "GBR": "British | Britons, Brits", "USA": "American", "URY": "Uruguayan",
    "UZB": "Uzbek, Uzbekistani | Uzbeks", "VUT": "Ni-Vanuatu", "VAT": "Vatican", "VEN": "Venezuelan",
    "VNM": "Vietnamese", "YEM": "Yemeni", "ZMB": "Zambian", "ZWE": "Zimbabwean, Rhodesian",
    "PRI": "Puerto Rican", "GRL": "Greenlandic", "HKG": "Hong Kong", "MAC": "Macanese",
    "ESH": "Sahrawi, Western Saharan", "FRO": "Faroese", "CUW": "Curacaoan", "ABW": "Aruban",
    "XKX": "Kosovar, Kosovan | Kosovars", "BMU": "Bermudian", "CYM": "Caymanian", "GUM": "Guamanian", "NCL": "New Caledonian",
}

# Adjectives written with parentheses above are labels for this file only: they are not aliases.
_LABEL = re.compile(r"\s*\(.*\)$")

# ISO3 -> capitals (and seats of government) that the press uses for the state.
CAPITALS: dict[str, str] = {
    "AFG": "Kabul", "ALB": "Tirana", "DZA": "Algiers", "AND": "Andorra la Vella", "AGO": "Luanda",
    "ARG": "Buenos Aires", "ARM": "Yerevan", "AUS": "Canberra", "AUT": "Vienna", "AZE": "Baku",
    "BHR": "Manama", "BGD": "Dhaka, Dacca", "BLR": "Minsk", "BEL": "Brussels", "BEN": "Porto-Novo, Cotonou",
    "BTN": "Thimphu", "BOL": "La Paz, Sucre", "BIH": "Sarajevo", "BWA": "Gaborone", "BRA": "Brasilia",
    "BRN": "Bandar Seri Begawan", "BGR": "Sofia", "BFA": "Ouagadougou", "BDI": "Bujumbura, Gitega",
    "KHM": "Phnom Penh", "CMR": "Yaounde", "CAN": "Ottawa", "CAF": "Bangui", "TCD": "N'Djamena",
    "CHL": "Santiago", "CHN": "Beijing, Peking", "COL": "Bogota", "COG": "Brazzaville",
    "COD": "Kinshasa", "CRI": "San Jose", "CIV": "Yamoussoukro, Abidjan", "HRV": "Zagreb",
    "CUB": "Havana", "CYP": "Nicosia", "CZE": "Prague", "DNK": "Copenhagen", "DJI": "Djibouti City",
    "DOM": "Santo Domingo", "ECU": "Quito", "EGY": "Cairo", "SLV": "San Salvador", "GNQ": "Malabo",
    "ERI": "Asmara", "EST": "Tallinn", "SWZ": "Mbabane", "ETH": "Addis Ababa", "FJI": "Suva",
    "FIN": "Helsinki", "FRA": "Paris", "GAB": "Libreville", "GMB": "Banjul", "GEO": "Tbilisi",
    "DEU": "Berlin, Bonn", "GHA": "Accra", "GRC": "Athens", "GTM": "Guatemala City", "GIN": "Conakry",
    "GNB": "Bissau", "HTI": "Port-au-Prince", "HND": "Tegucigalpa", "HUN": "Budapest",
    "ISL": "Reykjavik", "IND": "New Delhi", "IDN": "Jakarta", "IRN": "Tehran, Teheran",
    "IRQ": "Baghdad", "IRL": "Dublin", "ISR": "Jerusalem", "ITA": "Rome", "JPN": "Tokyo",
    "JOR": "Amman", "KAZ": "Astana, Nur-Sultan, Akmola", "KEN": "Nairobi", "PRK": "Pyongyang",
    "KOR": "Seoul", "KWT": "Kuwait City", "KGZ": "Bishkek", "LAO": "Vientiane", "LVA": "Riga",
    "LBN": "Beirut", "LSO": "Maseru", "LBR": "Monrovia", "LBY": "Tripoli", "LIE": "Vaduz",
    "LTU": "Vilnius", "MDG": "Antananarivo", "MWI": "Lilongwe", "MYS": "Kuala Lumpur, Putrajaya",
    "MLI": "Bamako", "MLT": "Valletta", "MRT": "Nouakchott", "MUS": "Port Louis", "MEX": "Mexico City",
    "MDA": "Chisinau", "MNG": "Ulaanbaatar, Ulan Bator", "MNE": "Podgorica", "MAR": "Rabat",
    "MOZ": "Maputo", "MMR": "Naypyidaw, Naypyitaw, Rangoon, Yangon", "NAM": "Windhoek",
    "NPL": "Kathmandu, Katmandu, Khatmandu", "NLD": "Amsterdam, The Hague", "NZL": "Wellington", "NIC": "Managua",
    "NER": "Niamey", "NGA": "Abuja", "MKD": "Skopje", "NOR": "Oslo", "OMN": "Muscat",
    "PAK": "Islamabad", "PSE": "Ramallah", "PAN": "Panama City", "PNG": "Port Moresby",
    "PRY": "Asuncion", "PER": "Lima", "PHL": "Manila", "POL": "Warsaw", "PRT": "Lisbon",
    "QAT": "Doha", "ROU": "Bucharest", "RUS": "Moscow", "RWA": "Kigali", "WSM": "Apia",
    "SAU": "Riyadh", "SEN": "Dakar", "SRB": "Belgrade", "SLE": "Freetown", "SGP": "Singapore",
    "SVK": "Bratislava", "SVN": "Ljubljana", "SOM": "Mogadishu", "ZAF": "Pretoria",
    "SSD": "Juba", "ESP": "Madrid", "LKA": "Colombo", "SDN": "Khartoum", "SUR": "Paramaribo",
    "SWE": "Stockholm", "CHE": "Bern, Berne", "SYR": "Damascus", "TWN": "Taipei",
    "TJK": "Dushanbe", "TZA": "Dodoma, Dar es Salaam", "THA": "Bangkok", "TLS": "Dili", "TGO": "Lome",
    "TTO": "Port of Spain", "TUN": "Tunis", "TUR": "Ankara", "TKM": "Ashgabat, Ashkhabad",
    "UGA": "Kampala", "UKR": "Kyiv, Kiev", "ARE": "Abu Dhabi", "GBR": "London",
    "USA": "Washington, Washington D.C.", "URY": "Montevideo", "UZB": "Tashkent",
    "XKX": "Pristina, Prishtina", "VEN": "Caracas", "VNM": "Hanoi", "YEM": "Sanaa, Sana'a", "ZMB": "Lusaka", "ZWE": "Harare",
}

# ISO3 -> names the press uses beyond pycountry's; "-" entries of pycountry names to drop.
NAMES: dict[str, str] = {
    "USA": "United States, U.S., US, USA, U.S.A., America, United States of America",
    "GBR": "United Kingdom, Britain, Great Britain, UK, U.K.",
    "RUS": "Russia, Russian Federation",
    "CHN": "China, People's Republic of China, PRC, mainland China",
    "TWN": "Taiwan, Republic of China",
    "KOR": "South Korea, Republic of Korea, ROK",
    "PRK": "North Korea, DPRK, Democratic People's Republic of Korea",
    "IRN": "Iran, Islamic Republic of Iran, Persia",
    "SYR": "Syria, Syrian Arab Republic",
    "LAO": "Laos",
    "VNM": "Vietnam, Viet Nam",
    "MDA": "Moldova",
    "TZA": "Tanzania",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "COD": "Democratic Republic of the Congo, Democratic Republic of Congo, DR Congo, DRC, Congo-Kinshasa, Zaire, Congo",
    "COG": "Republic of the Congo, Congo-Brazzaville",
    "CIV": "Ivory Coast, Cote d'Ivoire",
    "CZE": "Czech Republic, Czechia",
    "MKD": "North Macedonia, Macedonia, FYROM",
    "SWZ": "Eswatini, Swaziland",
    "TUR": "Turkey, Turkiye",
    "NLD": "Netherlands, Holland",
    "MMR": "Myanmar, Burma",
    "CPV": "Cape Verde, Cabo Verde",
    "TLS": "East Timor, Timor-Leste",
    "PSE": "Palestine, Palestinian territories, occupied Palestinian territories, West Bank, Gaza, Gaza Strip",
    "BIH": "Bosnia, Bosnia and Herzegovina, Bosnia-Herzegovina",
    "ARE": "United Arab Emirates, UAE, Emirates",
    "SAU": "Saudi Arabia",
    "VAT": "Vatican, Holy See, Vatican City",
    "KGZ": "Kyrgyzstan, Kirghizia, Kyrgyz Republic",
    "FSM": "Micronesia",
    "BRN": "Brunei",
    "KNA": "Saint Kitts and Nevis, St Kitts and Nevis",
    "LCA": "Saint Lucia, St Lucia",
    "VCT": "Saint Vincent and the Grenadines",
    "GMB": "Gambia, The Gambia",
    "BHS": "Bahamas, The Bahamas",
    "AFG": "Afghanistan",
    "DEU": "Germany, Federal Republic of Germany",
    "STP": "Sao Tome and Principe",
    "GNB": "Guinea-Bissau",
    "PNG": "Papua New Guinea",
    "FLK": "Falkland Islands, Falklands",
    "HKG": "Hong Kong",
    "MAC": "Macau, Macao",
    "ESH": "Western Sahara",
    "KAZ": "Kazakhstan, Kazakstan",
    "TKM": "Turkmenistan, Turkmenia",
    "TJK": "Tajikistan, Tadjikistan",
    "UZB": "Uzbekistan",
    "UKR": "Ukraine, the Ukraine",
    "BLR": "Belarus, Byelorussia, Belorussia",
    # names of the same state in earlier decades, which CAMEO codes with today's code
    "KHM": "Cambodia, Kampuchea, Democratic Kampuchea, People's Republic of Kampuchea, Khmer Republic",
    "LKA": "Sri Lanka, Ceylon",
    "ZWE": "Zimbabwe, Rhodesia, Southern Rhodesia",
    "BEN": "Benin, Dahomey",
    "BFA": "Burkina Faso, Upper Volta",
    "BWA": "Botswana, Bechuanaland",
    "TTO": "Trinidad and Tobago, Trinidad",
    "THA": "Thailand, Siam",
}

# States whose own existence began within the period news archives cover: the date bounds the
# entry, so that an alias it shares with an earlier entry (Juba, capital of Sudan's south before
# 2011) is settled by the date.
STARTS: dict[str, str] = {
    "SSD": "2011-07-09",
    "XKX": "2008-02-17",
}

# States that ISO 3166-1 (and so pycountry) does not list, with the code dyadwatch gives them
# (the ontology's reading of their CAMEO code: KSV -> XKX).
EXTRA_STATES: dict[str, str] = {
    "XKX": "Kosovo, Republic of Kosovo",
}

# Where CAMEO's code differs from ISO: the state keeps the ISO code, the note says so.
CAMEO_DIFFERS: dict[str, str] = {
    "ROU": "CAMEO's code is ROM (the pre-2002 ISO code); dyadwatch uses ISO ROU and reads ROM as ROU",
    "TLS": "CAMEO's code is TMP (pre-2002 ISO); dyadwatch uses ISO TLS and reads TMP as TLS",
    "MNE": "older CAMEO files use MTN; dyadwatch uses ISO MNE and reads MTN as MNE",
    "IMN": "CAMEO's code is IMY; dyadwatch uses ISO IMN and reads IMY as IMN",
    "PSE": "CAMEO also has WSB (West Bank) and GZS (Gaza Strip); dyadwatch folds both into PSE, as ISO does",
}



def cameo_note(code: str) -> str:
    """Where CAMEO writes another code for this state or a part of it: the note that says so.

    The hand-written note of :data:`CAMEO_DIFFERS` first, then every other CAMEO code the
    ontology's crosswalk (``coding/data/cameo_countries.csv``) reads as this state, so that no
    difference goes unnoted ("CAMEO writes USAGUM for Guam ...").
    """
    from dyadwatch.coding.ontology._tables import read_table

    parts = [CAMEO_DIFFERS[code]] if code in CAMEO_DIFFERS else []
    for row in read_table("cameo_countries.csv"):
        cameo, iso3 = row["cameo"], row["iso3"]
        if iso3 != code or cameo == code or any(cameo in part for part in parts):
            continue
        why = row["note"] or row["kind"]
        parts.append(f"CAMEO writes {cameo} for {row['name']} ({why}); dyadwatch reads it as {code}")
    return "; ".join(parts)


# Names of ISO entries that clash with another entry: "Congo" is kept for the DRC only, and
# pycountry's official name of Afghanistan is the Islamic Republic's (a historical entry here).
_DROP = {"Congo", "Dominican", "Islamic Republic of Afghanistan"}


def _entries() -> list[dict[str, object]]:
    import pycountry

    entries = []
    extra = [SimpleNamespace(alpha_3=code, name=names.split(",")[0]) for code, names in EXTRA_STATES.items()]
    for country in sorted([*pycountry.countries, *extra], key=lambda c: c.alpha_3):
        code = country.alpha_3
        names: list[str] = []
        for attr in ("common_name", "name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and value not in names:
                names.append(value)
        if code in EXTRA_STATES:
            names = [n.strip() for n in EXTRA_STATES[code].split(",")]
        if code in NAMES:
            names = [n.strip() for n in NAMES[code].split(",")] + names
        written = [n.strip() for n in NAMES.get(code, "").split(",")]
        names = [n for n in dict.fromkeys(names) if n not in _DROP or n in written]
        adjectives: list[str] = []
        demonyms: list[str] = []
        if code in ADJECTIVES:
            adjective_part, _, demonym_part = ADJECTIVES[code].partition("|")
            adjectives = [a.strip() for a in adjective_part.split(",") if a.strip() and not _LABEL.search(a)]
            demonyms = [d.strip() for d in demonym_part.split(",") if d.strip()]
            for adjective in adjectives:
                if adjective.endswith(("an", "i")) and " " not in adjective and adjective + "s" not in demonyms:
                    demonyms.append(adjective + "s")
        display = names[0] if names else country.name
        entry: dict[str, object] = {
            "id": code.lower(), "name": display, "kind": "state", "country": code, "iso": code,
            "aliases": [n for n in names if n != display],
        }
        if adjectives:
            entry["adjectives"] = adjectives
        if demonyms:
            entry["demonyms"] = demonyms
        if code in CAPITALS:
            entry["capitals"] = [c.strip() for c in CAPITALS[code].split(",")]
        if code in STARTS:
            entry["start"] = STARTS[code]
        note = cameo_note(code)
        if note:
            entry["note"] = note
        entries.append(entry)
    return entries


def _toml_value(value: object) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value  # a TOML date
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r}")


def render() -> str:
    lines = [
        "# Current states: ISO 3166-1 (via pycountry) with dyadwatch's own names, adjectives,",
        "# demonyms and capitals. GENERATED by dyadwatch/actors/tools/make_countries.py: edit the",
        "# tables there and re-run it, do not edit this file by hand.",
        "# Codes are ISO alpha-3, which CAMEO uses, except where a 'note' says CAMEO differs.",
        "",
    ]
    for entry in _entries():
        lines.append("[[actor]]")
        for key, value in entry.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if countries.toml is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python -m dyadwatch.actors.tools.make_countries")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count('[[actor]]')} states)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
