"""The data of the network view: organisations, forums, initiatives, cities, countries.

Links: who organised a forum, where it was held, which initiative it adopted,
which organisations an initiative names as partners, an organisation's parent,
headquarters and country. A city's country is linked only for cities already in
the network, so the hundreds of twinned cities do not crowd it.
"""

from typing import Any

from scograph.namespaces import ONTOLOGY
from scograph.web.graph import Row
from scograph.web.labels import LabelIndex, kind_of
from scograph.web.map_data import page_path, short_id

LINKS = (
    ("organised", "Organisation", "Forum"),
    ("heldIn", "Forum", "City"),
    ("adoptedAt", "Initiative", "Forum"),
    ("namesPartner", "Initiative", "Organisation"),
    ("parentOrganisation", "Organisation", "Organisation"),
    ("headquarters", "Organisation", "City"),
    ("country", "Organisation", "Country"),
    ("country", "City", "Country"),
)

NETWORK_QUERY = f"""PREFIX sg: <{ONTOLOGY}>
SELECT DISTINCT ?from ?link ?to ?fromClass WHERE {{
  VALUES (?link ?property ?fromClass ?toClass) {{
    {" ".join(f'("{link}" sg:{link} sg:{a} sg:{b})' for link, a, b in LINKS)}
  }}
  ?from ?property ?to .
  ?from a ?fromClass .
  ?to a ?toClass .
}}"""


def network_document(rows: list[Row], labels: LabelIndex) -> dict[str, Any]:
    """The JSON document of ``/network/data.json``: nodes and links."""
    links: set[tuple[str, str, str]] = set()
    city_countries: set[tuple[str, str, str]] = set()
    for row in rows:
        link = (row["from"].value, row["link"].value, row["to"].value)
        if row["fromClass"].value == ONTOLOGY + "City":
            city_countries.add(link)
        else:
            links.add(link)
    present = {end for a, _, b in links for end in (a, b)}
    links |= {link for link in city_countries if link[0] in present}
    nodes = sorted({end for a, _, b in links for end in (a, b)})
    return {
        "nodes": [
            {
                "id": short_id(iri),
                "iri": iri,
                "kind": kind_of(iri),
                "page": page_path(iri),
                "names": labels.texts(iri),
            }
            for iri in nodes
        ],
        "links": [
            {"source": short_id(a), "link": link, "target": short_id(b)}
            for a, link, b in sorted(links)
        ],
    }
