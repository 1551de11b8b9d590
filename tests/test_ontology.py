"""The ontology file: it parses, carries its metadata, declares and documents every term.

Every term has labels in the SCO's working languages (en, zh-Hans, ru) and an English
definition; alignments to other vocabularies are subsumptions, except where a term is
defined as exactly the other one.
"""

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from scograph.namespaces import ONTOLOGY, ONTOLOGY_IRI
from scograph.ontology_checks import declared_terms, ontology_findings

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "scograph.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
VANN = "http://purl.org/vocab/vann/"
WDT = "http://www.wikidata.org/prop/direct/"
LANGUAGES = ("en", "zh-hans", "ru")

# Wikidata properties the project has verified (shared wikidata_properties.csv).
VERIFIED_WIKIDATA_PROPERTIES = frozenset(
    f"{WDT}P{n}"
    for n in (190, 17, 131, 36, 463, 625, 571, 580, 582, 585, 276, 361, 527, 488, 749, 159, 31)
)

CLASSES = [
    "Place",
    "City",
    "Province",
    "Country",
    "Organisation",
    "Person",
    "Post",
    "Tenure",
    "SCOMembership",
    "Forum",
    "Initiative",
    "Proposal",
    "Programme",
    "Project",
    "Observation",
    "Source",
    "SourceGraph",
    "Twinning",
]
OBJECT_PROPERTIES = [
    "sisterOf",
    "twinnedCity",
    "twinningStatus",
    "heldIn",
    "organised",
    "organisedBy",
    "spokeAt",
    "speaker",
    "adoptedAt",
    "adopted",
    "proposalOf",
    "hasProposal",
    "proposes",
    "proposedBy",
    "proposedAt",
    "namesPartner",
    "inProvince",
    "country",
    "capital",
    "capitalOf",
    "partnerCity",
    "locatedIn",
    "headquarters",
    "parentOrganisation",
    "post",
    "holder",
    "postIn",
    "memberCountry",
    "organisation",
    "membershipStatus",
    "about",
    "unit",
    "source",
    "geonames",
]
DATATYPE_PROPERTIES = [
    "startDate",
    "endDate",
    "pointInTime",
    "periodStart",
    "periodEnd",
    "theme",
    "value",
    "comparator",
    "scope",
    "quote",
    "fileName",
    "geonamesId",
    "iso3166Alpha2",
]
CONCEPT_SCHEMES = {
    "TwinningStatusScheme": ["Established", "Announced", "Intention"],
    "MembershipStatusScheme": ["MemberState", "ObserverState", "DialoguePartner"],
    "UnitScheme": [
        "CityPairUnit",
        "ProjectUnit",
        "USDollar",
        "PersonUnit",
        "CountryUnit",
        "CityUnit",
    ],
}
INVERSES = [
    ("organised", "organisedBy"),
    ("spokeAt", "speaker"),
    ("adoptedAt", "adopted"),
    ("proposalOf", "hasProposal"),
    ("capital", "capitalOf"),
]


def sg(name: str) -> URIRef:
    return URIRef(ONTOLOGY + name)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def test_ontology_and_shapes_parse_with_pyoxigraph() -> None:
    for path in (ONTOLOGY_FILE, SHAPES_FILE):
        quads = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
        assert len(quads) > 100


def test_every_property_shape_says_what_is_wrong() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    property_shapes = {
        shape
        for node_shape in shapes.subjects(RDF.type, SH.NodeShape)
        for shape in shapes.objects(node_shape, SH.property)
    }
    assert len(property_shapes) > 20
    for shape in property_shapes:
        assert shapes.value(shape, SH.message) is not None, shapes.value(shape, SH.path)


def test_ontology_has_its_metadata(ontology: Graph) -> None:
    header = URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert ontology.value(header, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(header, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert ontology.value(header, predicate) is not None, predicate
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert ontology.value(header, predicate).datatype == XSD.date
    assert ontology.value(header, URIRef(VANN + "preferredNamespacePrefix")) == Literal("sg")
    assert ontology.value(header, URIRef(VANN + "preferredNamespaceUri")) == Literal(ONTOLOGY)


def test_every_contract_term_is_declared_as_its_kind(ontology: Graph) -> None:
    for name in CLASSES:
        assert (sg(name), RDF.type, OWL.Class) in ontology, name
    for name in OBJECT_PROPERTIES:
        assert (sg(name), RDF.type, OWL.ObjectProperty) in ontology, name
    for name in DATATYPE_PROPERTIES:
        assert (sg(name), RDF.type, OWL.DatatypeProperty) in ontology, name
    for scheme, concepts in CONCEPT_SCHEMES.items():
        assert (sg(scheme), RDF.type, SKOS.ConceptScheme) in ontology, scheme
        for concept in concepts:
            assert (sg(concept), RDF.type, SKOS.Concept) in ontology, concept
            assert (sg(concept), SKOS.inScheme, sg(scheme)) in ontology, concept


def test_every_term_has_labels_in_english_chinese_and_russian(ontology: Graph) -> None:
    for term in declared_terms(ontology):
        for predicate in (RDFS.label, SKOS.prefLabel):
            tags = sorted(
                (label.language or "").lower() for label in ontology.objects(term, predicate)
            )
            assert tags == sorted(LANGUAGES), (term, predicate, tags)


def test_every_term_has_an_english_definition(ontology: Graph) -> None:
    for term in declared_terms(ontology):
        definitions = [d for d in ontology.objects(term, SKOS.definition) if d.language == "en"]
        assert len(definitions) == 1, term


def test_ontology_has_no_pitfalls(ontology: Graph) -> None:
    assert ontology_findings(ontology) == []


def test_sister_of_is_symmetric_between_cities_and_refines_wikidata_p190(ontology: Graph) -> None:
    sister_of = sg("sisterOf")
    assert (sister_of, RDF.type, OWL.SymmetricProperty) in ontology
    assert ontology.value(sister_of, RDFS.domain) == sg("City")
    assert ontology.value(sister_of, RDFS.range) == sg("City")
    assert (sister_of, RDFS.subPropertyOf, URIRef(WDT + "P190")) in ontology


def test_inverse_properties_are_declared_both_ways(ontology: Graph) -> None:
    for prop, inverse in INVERSES:
        assert (sg(prop), OWL.inverseOf, sg(inverse)) in ontology
        assert (sg(inverse), OWL.inverseOf, sg(prop)) in ontology


def test_only_verified_wikidata_properties_are_used(ontology: Graph) -> None:
    used = {str(o) for o in ontology.objects() if str(o).startswith("http://www.wikidata.org/")}
    assert used
    assert used <= VERIFIED_WIKIDATA_PROPERTIES


def test_equivalence_is_claimed_only_for_post(ontology: Graph) -> None:
    # Elsewhere the alignment is a subsumption: e.g. every sg:City is a schema:City,
    # but not every schema:City is one of scograph's cities.
    assert set(ontology.subject_objects(OWL.equivalentClass)) == {
        (sg("Post"), URIRef("http://www.w3.org/ns/org#Post"))
    }
    assert not list(ontology.subject_objects(OWL.equivalentProperty))


def test_every_class_has_a_label_shape() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    targeted = {
        target
        for shape in (
            URIRef("https://w3id.org/scograph/shapes#MultilingualLabelShape"),
            URIRef("https://w3id.org/scograph/shapes#EnglishLabelShape"),
        )
        for target in shapes.objects(shape, SH.targetClass)
    }
    # sg:Place is only a superclass: its instances are cities, provinces or countries.
    assert {sg(name) for name in CLASSES} - targeted == {sg("Place")}
