"""The figures on the home page: how many cities, twinnings, forums, organisations, sources."""

from dataclasses import dataclass

from scograph.namespaces import ONTOLOGY
from scograph.web.graph import Row

COUNTED = {
    "cities": "City",
    "twinnings": "Twinning",
    "forums": "Forum",
    "organisations": "Organisation",
    "sources": "Source",
}

COUNTS_QUERY = f"""PREFIX sg: <{ONTOLOGY}>
SELECT ?what (COUNT(DISTINCT ?thing) AS ?n) WHERE {{
  {{
    VALUES (?what ?class) {{ {" ".join(f'("{k}" sg:{c})' for k, c in COUNTED.items())} }}
    ?thing a ?class .
  }} UNION {{
    # Established twinnings: those whose two cities are sisters (sg:sisterOf).
    BIND("established" AS ?what)
    ?thing a sg:Twinning ; sg:twinnedCity ?a, ?b .
    ?a sg:sisterOf ?b .
  }}
}}
GROUP BY ?what"""


@dataclass(frozen=True)
class Counts:
    cities: int = 0
    twinnings: int = 0
    established: int = 0
    forums: int = 0
    organisations: int = 0
    sources: int = 0


def counts_from(rows: list[Row]) -> Counts:
    """The counts from the rows of :data:`COUNTS_QUERY` (a kind with no thing counts 0)."""
    found = {row["what"].value: int(row["n"].value) for row in rows}
    return Counts(**{name: found.get(name, 0) for name in Counts.__dataclass_fields__})
