"""The vocabularies the publishing layer writes, its licences, and the prefixes of its files."""

from typing import Final

from scograph.namespaces import BASE, GRAPH, ID, ONTOLOGY, WIKIDATA_ENTITY

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
SCHEMA: Final = "https://schema.org/"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
ORG: Final = "http://www.w3.org/ns/org#"
GEO: Final = "http://www.w3.org/2003/01/geo/wgs84_pos#"
VOID: Final = "http://rdfs.org/ns/void#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
SPDX: Final = "http://spdx.org/rdf/terms#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
VANN: Final = "http://purl.org/vocab/vann/"
WDT: Final = "http://www.wikidata.org/prop/direct/"
FORMATS: Final = "http://www.w3.org/ns/formats/"
IANA_MEDIA_TYPES: Final = "https://www.iana.org/assignments/media-types/"

RDF_TYPE: Final = RDF + "type"
SG_QUOTE: Final = ONTOLOGY + "quote"
SG_SOURCE_GRAPH: Final = ONTOLOGY + "SourceGraph"

# The metadata of the dataset (VoID, DCAT) is described under one IRI; its parts
# (subsets, partitions, the SPARQL service) are fragments of it, so that nothing
# in the published metadata is a blank node.
DATASET: Final = BASE + "dataset"

CC_BY_4: Final = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_SA_4: Final = "https://creativecommons.org/licenses/by-sa/4.0/"
CC0_1: Final = "https://creativecommons.org/publicdomain/zero/1.0/"

# The licence of scograph's own data, and the licences whose data may be
# redistributed under it (CC0 asks nothing; CC BY 4.0 is the same licence).
DATASET_LICENCE: Final = CC_BY_4
MAIN_LICENCES: Final = frozenset({CC_BY_4, CC0_1})

LICENCE_TITLES: Final = {
    CC_BY_4: "CC BY 4.0",
    CC_BY_SA_4: "CC BY-SA 4.0",
    CC0_1: "CC0 1.0",
}

# The entity types of the contract, each with a prefix of its own in Turtle output.
ENTITY_TYPES: Final = (
    "city",
    "province",
    "country",
    "organisation",
    "person",
    "post",
    "tenure",
    "forum",
    "initiative",
    "proposal",
    "programme",
    "project",
    "observation",
    "source",
    "twinning",
    "membership",
    "concept",
)

PREFIXES: Final = {
    "sg": ONTOLOGY,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "foaf": FOAF,
    "org": ORG,
    "geo": GEO,
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "sd": SD,
    "wd": WIKIDATA_ENTITY,
    "wdt": WDT,
    "graph": GRAPH,
    **{kind: f"{ID}{kind}/" for kind in ENTITY_TYPES},
}


def curie(iri: str) -> str | None:
    """Return ``prefix:local`` for an IRI under a known prefix, or None.

    The longest matching namespace wins, so ``…/id/city/x`` is ``city:x``, not a
    longer name under some shorter namespace.
    """
    best: tuple[str, str] | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best is None:
        return None
    local = iri[len(best[1]) :]
    return f"{best[0]}:{local}" if local else None
