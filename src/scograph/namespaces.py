"""The IRIs scograph mints, and the vocabularies it reuses."""

from typing import Final

BASE: Final = "https://w3id.org/scograph/"
ONTOLOGY: Final = BASE + "ontology#"
ONTOLOGY_IRI: Final = BASE + "ontology"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"

ONTOLOGY_GRAPH: Final = GRAPH + "ontology"
INFERRED_GRAPH: Final = GRAPH + "inferred"
SHARE_ALIKE_INFERRED_GRAPH: Final = GRAPH + "inferred-share-alike"

WIKIDATA_ENTITY: Final = "http://www.wikidata.org/entity/"


def entity_iri(kind: str, key: str) -> str:
    """Return the IRI of a thing, e.g. ``entity_iri("city", "qingdao")``."""
    return f"{ID}{kind}/{key}"


def graph_iri(name: str) -> str:
    """Return the IRI of a named graph, e.g. ``graph_iri("sco-membership")``."""
    return GRAPH + name
