"""The data of the twinning map: cities with coordinates, and twinnings between them.

A twinning is *established* when its two cities are sisters (``sg:sisterOf``, which
the data states only for established twinnings); otherwise its status is the one a
source gives (``announced``, ``intention``). The map draws established twinnings
by default. Names come in every page language, so one document serves all.
Links are paths from the site's root (``/doc/city/qingdao``): the page adds the
prefix the site is mounted under.
"""

import contextlib
import re
from collections import defaultdict
from typing import Any

from scograph.namespaces import ID, ONTOLOGY
from scograph.publish.vocab import DCTERMS, GEO, LICENCE_TITLES, PROV
from scograph.web.graph import Row
from scograph.web.labels import LabelIndex

STATUSES = ("established", "announced", "intention")

TWINNINGS_QUERY = f"""PREFIX sg: <{ONTOLOGY}>
SELECT ?twinning ?a ?b ?status ?start ?source ?sisters WHERE {{
  ?twinning a sg:Twinning ; sg:twinnedCity ?a, ?b .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL {{ ?twinning sg:twinningStatus ?status }}
  OPTIONAL {{ ?twinning sg:startDate ?start }}
  OPTIONAL {{ ?twinning sg:source ?source }}
  BIND(EXISTS {{ ?a sg:sisterOf ?b }} AS ?sisters)
}}"""

CITIES_QUERY = f"""PREFIX sg: <{ONTOLOGY}>
PREFIX geo: <{GEO}>
SELECT ?city ?lat ?long ?country WHERE {{
  ?city a sg:City .
  OPTIONAL {{ ?city geo:lat ?lat ; geo:long ?long }}
  OPTIONAL {{ ?city sg:country ?country }}
}}"""

# The licence of a source is the one of the graph of facts taken from it.
SOURCE_LICENCES_QUERY = f"""PREFIX sg: <{ONTOLOGY}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCTERMS}>
SELECT DISTINCT ?source ?licence WHERE {{
  ?twinning a sg:Twinning ; sg:source ?source .
  GRAPH ?graph {{ ?graph prov:wasDerivedFrom ?source ; dcterms:license ?licence . }}
}}"""

_YEAR = re.compile(r"^-?\d{4}")


def page_path(iri: str) -> str | None:
    """The path of a thing's page (``/doc/…``), or None for an IRI that has none here."""
    return f"/doc/{iri.removeprefix(ID)}" if iri.startswith(ID) else None


def short_id(iri: str) -> str:
    """``city/qingdao`` for ``…/id/city/qingdao``: the key the map document uses."""
    return iri.removeprefix(ID)


def map_document(
    twinning_rows: list[Row],
    city_rows: list[Row],
    licence_rows: list[Row],
    labels: LabelIndex,
) -> dict[str, Any]:
    """The JSON document of ``/map/data.json``."""
    cities = _cities(city_rows, labels)
    twinnings = _twinnings(twinning_rows)
    sources = sorted({s for t in twinnings.values() for s in t["sources"]})
    licences = {row["source"].value: row["licence"].value for row in licence_rows}
    drawn, missing = [], 0
    for iri, twinning in sorted(twinnings.items()):
        a, b = twinning["cities"]
        if "lat" not in cities.get(a, {}) or "lat" not in cities.get(b, {}):
            missing += 1
            continue
        drawn.append(
            {
                "iri": iri,
                "page": page_path(iri),
                "cities": [short_id(a), short_id(b)],
                "status": twinning["status"],
                "start": twinning["start"],
                "year": _year(twinning["start"]),
                "sources": [sources.index(s) for s in sorted(twinning["sources"])],
            }
        )
    used = {city for t in drawn for city in t["cities"]}
    countries = {
        c["country"] for key, c in cities.items() if short_id(key) in used and c.get("country")
    }
    return {
        "statuses": list(STATUSES),
        "cities": {
            short_id(key): city for key, city in sorted(cities.items()) if short_id(key) in used
        },
        "countries": {
            country: {"iri": ID + country, "names": labels.texts(ID + country)}
            for country in sorted(countries)
        },
        "twinnings": drawn,
        "missing": missing,
        "sources": [
            {
                "iri": s,
                "page": page_path(s),
                "names": labels.texts(s),
                "licence": licences.get(s),
                "licenceTitle": LICENCE_TITLES.get(licences.get(s, ""), licences.get(s)),
            }
            for s in sources
        ],
    }


def _cities(rows: list[Row], labels: LabelIndex) -> dict[str, dict[str, Any]]:
    cities: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["city"].value
        city = cities.setdefault(
            iri, {"iri": iri, "page": page_path(iri), "names": labels.texts(iri)}
        )
        if "lat" not in city and "lat" in row and "long" in row:
            # A malformed coordinate leaves the city off the map rather than break the page.
            with contextlib.suppress(ValueError):
                city["lat"], city["long"] = float(row["lat"].value), float(row["long"].value)
        if "country" not in city and "country" in row and row["country"].is_iri:
            city["country"] = short_id(row["country"].value)
    return cities


def _twinnings(rows: list[Row]) -> dict[str, dict[str, Any]]:
    """One entry per twinning, whatever the number of statuses, dates and sources."""
    found: dict[str, dict[str, Any]] = {}
    statuses: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        iri = row["twinning"].value
        twinning = found.setdefault(
            iri,
            {"cities": (row["a"].value, row["b"].value), "start": None, "sources": set()},
        )
        if row["sisters"].value == "true":
            statuses[iri].add("established")
        if "status" in row and row["status"].value != ONTOLOGY + "Established":
            statuses[iri].add(row["status"].value.removeprefix(ONTOLOGY).lower())
        if "start" in row and (twinning["start"] is None or row["start"].value < twinning["start"]):
            twinning["start"] = row["start"].value
        if "source" in row:
            twinning["sources"].add(row["source"].value)
    for iri, twinning in found.items():
        # Established means sisters (the contract's rule), whatever else a source says;
        # a status "Established" without sisters is a data error and is shown as unknown.
        if "established" in statuses[iri]:
            twinning["status"] = "established"
        else:
            known = [s for s in STATUSES[1:] if s in statuses[iri]]
            twinning["status"] = known[0] if known else "unknown"
    return found


def _year(start: str | None) -> int | None:
    found = _YEAR.match(start or "")
    return int(found.group()) if found else None
