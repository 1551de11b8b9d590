"""Building the store: asserted data per source graph, inferences in a graph of their own."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from scograph.build import build_store, source_fingerprint
from scograph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, entity_iri, graph_iri
from scograph.rdf_files import RdfFileError

ONTOLOGY = """\
@prefix sg: <https://w3id.org/scograph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
sg:sisterOf a owl:ObjectProperty, owl:SymmetricProperty .
sg:organised a owl:ObjectProperty ; owl:inverseOf sg:organisedBy .
sg:City rdfs:subClassOf sg:Place .
"""

DATA = """\
@prefix sg: <https://w3id.org/scograph/ontology#> .
@prefix city: <https://w3id.org/scograph/id/city/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/scograph/graph/example-source> {
  city:qingdao a sg:City ; sg:sisterOf city:bishkek .
  <https://w3id.org/scograph/id/organisation/cpaffc> sg:organised
      <https://w3id.org/scograph/id/forum/f> .
}
<https://w3id.org/scograph/graph/wikidata-links> {
  city:qingdao owl:sameAs <http://www.wikidata.org/entity/Q170322> .
}
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    ontology_dir, data_dir = tmp_path / "ontology", tmp_path / "data"
    ontology_dir.mkdir()
    data_dir.mkdir()
    (ontology_dir / "scograph.ttl").write_text(ONTOLOGY)
    (data_dir / "example.trig").write_text(DATA)
    return ontology_dir, data_dir


def _objects(store: ox.Store, subject: str, predicate: str, graph: str) -> set[str]:
    quads = store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None, ox.NamedNode(graph)
    )
    return {q.object.value for q in quads}


def test_symmetric_inverse_and_subclass_consequences_go_to_the_inferred_graph(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    report = build_store(store_dir, *project)
    store = ox.Store.read_only(str(store_dir))
    sg = "https://w3id.org/scograph/ontology#"
    qingdao, bishkek = entity_iri("city", "qingdao"), entity_iri("city", "bishkek")
    assert _objects(store, bishkek, sg + "sisterOf", INFERRED_GRAPH) == {qingdao}
    forum = entity_iri("forum", "f")
    assert _objects(store, forum, sg + "organisedBy", INFERRED_GRAPH) == {
        entity_iri("organisation", "cpaffc")
    }
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert sg + "Place" in _objects(store, qingdao, rdf_type, INFERRED_GRAPH)
    # Nothing asserted is repeated in the inferred graph.
    assert _objects(store, qingdao, sg + "sisterOf", INFERRED_GRAPH) == set()
    assert report.inferred == sum(
        1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
    )


def test_wikidata_links_are_not_reasoned_over(project: tuple[Path, Path], tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build_store(store_dir, *project)
    store = ox.Store.read_only(str(store_dir))
    inferred = store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
    assert not [q for q in inferred if "wikidata.org" in str(q)]


def test_ontology_and_each_source_keep_their_own_graph(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    report = build_store(store_dir, *project)
    store = ox.Store.read_only(str(store_dir))
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {
        ONTOLOGY_GRAPH,
        INFERRED_GRAPH,
        graph_iri("example-source"),
        graph_iri("wikidata-links"),
    }
    assert report.graphs == 4


def test_a_broken_file_is_reported_with_its_line_and_nothing_is_built(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    ontology_dir, data_dir = project
    (data_dir / "broken.trig").write_text('<http://a> {\n<http://a> <http://b> "open .\n}\n')
    store_dir = tmp_path / "store"
    with pytest.raises(RdfFileError) as raised:
        build_store(store_dir, ontology_dir, data_dir)
    assert raised.value.path.name == "broken.trig"
    assert raised.value.line == 2
    assert not store_dir.exists()


def test_rebuilding_replaces_the_previous_store(project: tuple[Path, Path], tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = build_store(store_dir, *project)
    second = build_store(store_dir, *project)
    assert first == second


def test_fingerprint_changes_when_a_data_file_changes(project: tuple[Path, Path]) -> None:
    before = source_fingerprint(*project)
    (project[1] / "example.trig").write_text(DATA.replace("bishkek", "osh"))
    assert source_fingerprint(*project) != before


SHARE_ALIKE_DATA = """\
@prefix sg: <https://w3id.org/scograph/ontology#> .
@prefix city: <https://w3id.org/scograph/id/city/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/scograph/graph/wikipedia-twinnings> {
  <https://w3id.org/scograph/graph/wikipedia-twinnings>
      dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> .
  city:osh sg:sisterOf city:samarkand .
}
"""


def test_consequences_of_share_alike_data_keep_that_licence(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    ontology_dir, data_dir = project
    (data_dir / "twinnings.trig").write_text(SHARE_ALIKE_DATA)
    store_dir = tmp_path / "store"
    build_store(store_dir, ontology_dir, data_dir)
    store = ox.Store.read_only(str(store_dir))
    sg = "https://w3id.org/scograph/ontology#"
    samarkand = entity_iri("city", "samarkand")
    share_alike = graph_iri("inferred-share-alike")
    assert _objects(store, samarkand, sg + "sisterOf", share_alike) == {entity_iri("city", "osh")}
    assert _objects(store, samarkand, sg + "sisterOf", INFERRED_GRAPH) == set()
    licence = "http://purl.org/dc/terms/license"
    assert _objects(store, share_alike, licence, share_alike) == {
        "https://creativecommons.org/licenses/by-sa/4.0/"
    }
    assert _objects(store, INFERRED_GRAPH, licence, INFERRED_GRAPH) == {
        "https://creativecommons.org/licenses/by/4.0/"
    }
    # What follows from the open data alone stays in the open inferred graph.
    bishkek = entity_iri("city", "bishkek")
    assert _objects(store, bishkek, sg + "sisterOf", INFERRED_GRAPH) == {
        entity_iri("city", "qingdao")
    }
