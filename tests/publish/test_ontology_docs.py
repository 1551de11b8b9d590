"""What pyLODE is given: English texts, and no concept scheme mistaken for the ontology."""

import pyoxigraph as ox

from scograph.publish.ontology_docs import pylode_view

SG = "https://w3id.org/scograph/ontology#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _t(s: str, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(SG + s), p, o)


def test_pylode_gets_the_english_label_where_there_is_one() -> None:
    triples = [
        _t("City", LABEL, ox.Literal("City", language="en")),
        _t("City", LABEL, ox.Literal("城市", language="zh-Hans")),
        _t("Forum", LABEL, ox.Literal("论坛", language="zh-Hans")),
    ]
    assert pylode_view(triples) == [triples[0], triples[2]]


def test_pylode_does_not_see_concept_schemes_as_such() -> None:
    scheme = _t(
        "UnitScheme", TYPE, ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")
    )
    kept = _t("UnitScheme", LABEL, ox.Literal("Units", language="en"))
    assert pylode_view([scheme, kept]) == [kept]
