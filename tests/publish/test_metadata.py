"""VoID and DCAT of a release: their numbers match the store and the files."""

import hashlib
from collections import Counter

import pyoxigraph as ox
import rdflib
from rdflib.void import generateVoID

from .conftest import Published

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DCTERMS = "http://purl.org/dc/terms/"
DATASET = "https://w3id.org/scograph/dataset"
IANA = "https://www.iana.org/assignments/media-types/"


def _graph(path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


def _value(graph: rdflib.Graph, subject: str, predicate: str) -> rdflib.term.Node:
    values = list(graph.objects(rdflib.URIRef(subject), rdflib.URIRef(predicate)))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_void_statistics_agree_with_rdflibs_own_void(published: Published) -> None:
    void = _graph(published.folder / "void.ttl")
    store = published.store()
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
    ]
    # One parse, so a blank node written twice is one node.
    union = rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    reference, _ = generateVoID(union, dataset=rdflib.URIRef("urn:x-reference"))
    for prop in ("triples", "distinctSubjects", "distinctObjects", "properties", "classes"):
        expected = _value(reference, "urn:x-reference", VOID + prop).toPython()
        assert _value(void, DATASET, VOID + prop).toPython() == expected, prop


def test_void_counts_each_named_graph_class_and_property(published: Published) -> None:
    void = _graph(published.folder / "void.ttl")
    store = published.store()
    per_graph = Counter(q.graph_name.value for q in store.quads_for_pattern(None, None, None, None))
    subsets = set(void.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "subset")))
    for graph, size in per_graph.items():
        assert rdflib.URIRef(graph) in subsets
        if graph not in _linksets(void):
            assert _value(void, graph, VOID + "triples").toPython() == size
    instances: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None
    ):
        if isinstance(q.object, ox.NamedNode):
            instances.setdefault(q.object.value, set()).add(str(q.subject))
    for part in void.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "classPartition")):
        cls = str(_value(void, str(part), VOID + "class"))
        assert _value(void, str(part), VOID + "entities").toPython() == len(instances[cls])
    assert {
        str(_value(void, str(p), VOID + "class"))
        for p in void.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "classPartition"))
    } == set(instances)


def _links_to_wikidata(published: Published, graph: str) -> int:
    store = published.store()
    return sum(
        1
        for q in store.quads_for_pattern(
            None, ox.NamedNode(str(rdflib.OWL.sameAs)), None, ox.NamedNode(graph)
        )
        if q.object.value.startswith("http://www.wikidata.org/entity/")
    )


def _linksets(void: rdflib.Graph) -> set[str]:
    return {str(s) for s in void.subjects(rdflib.RDF.type, rdflib.URIRef(VOID + "Linkset"))}


def test_void_describes_each_wikidata_linkset_with_its_size(published: Published) -> None:
    void = _graph(published.folder / "void.ttl")
    linksets = _linksets(void)
    assert "https://w3id.org/scograph/graph/wikidata-links" in linksets
    for linkset in linksets:
        assert _value(void, linkset, VOID + "linkPredicate") == rdflib.OWL.sameAs
        assert str(_value(void, linkset, VOID + "subjectsTarget")) == DATASET
        assert str(_value(void, linkset, VOID + "objectsTarget")) == "http://www.wikidata.org/"
        links = _links_to_wikidata(published, linkset)
        assert links > 0
        assert _value(void, linkset, VOID + "triples").toPython() == links
    if published.name == "fixture":
        assert (
            _value(
                void, "https://w3id.org/scograph/graph/wikidata-links", VOID + "triples"
            ).toPython()
            == 2
        )


def test_void_links_every_dump_the_endpoint_and_the_licence(published: Published) -> None:
    void = _graph(published.folder / "void.ttl")
    dumps = {str(o) for o in void.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "dataDump"))}
    files = {p.name for p in published.folder.glob("scograph*")}
    assert dumps == {f"http://127.0.0.1:8000/dumps/1.0.0/{name}" for name in files}
    assert str(_value(void, DATASET, VOID + "sparqlEndpoint")) == "http://127.0.0.1:8000/sparql"
    assert (
        str(_value(void, DATASET, DCTERMS + "license"))
        == "https://creativecommons.org/licenses/by/4.0/"
    )


def test_dcat_sizes_and_checksums_match_the_files(published: Published) -> None:
    dcat = _graph(published.folder / "dcat.ttl")
    release = rdflib.URIRef(DATASET + "/1.0.0")
    distributions = list(dcat.objects(release, rdflib.URIRef(DCAT + "distribution")))
    names = set()
    for dist in distributions:
        url = str(_value(dcat, str(dist), DCAT + "downloadURL"))
        name = url.rsplit("/", 1)[-1]
        names.add(name)
        data = (published.folder / name).read_bytes()
        assert _value(dcat, str(dist), DCAT + "byteSize").toPython() == len(data)
        checksum = _value(dcat, str(dist), SPDX + "checksum")
        assert (
            str(_value(dcat, str(checksum), SPDX + "checksumValue"))
            == hashlib.sha256(data).hexdigest()
        )
        assert _value(dcat, str(checksum), SPDX + "algorithm") == rdflib.URIRef(
            SPDX + "checksumAlgorithm_sha256"
        )
        media = str(_value(dcat, str(dist), DCAT + "mediaType"))
        assert media.startswith(IANA)
        if name.endswith(".gz"):
            assert (
                str(_value(dcat, str(dist), DCAT + "compressFormat")) == IANA + "application/gzip"
            )
        assert str(_value(dcat, str(dist), DCAT + "version")) == "1.0.0"
        licence = str(_value(dcat, str(dist), DCTERMS + "license"))
        expected = (
            "https://creativecommons.org/licenses/by-sa/4.0/"
            if "wikipedia" in name or "share-alike" in name
            else "https://creativecommons.org/licenses/by/4.0/"
        )
        assert licence == expected, name
    assert names == {p.name for p in published.folder.glob("scograph*")}


def test_dcat_describes_the_sparql_endpoint_as_a_data_service(published: Published) -> None:
    dcat = _graph(published.folder / "dcat.ttl")
    service = DATASET + "#sparql"
    assert (rdflib.URIRef(service), rdflib.RDF.type, rdflib.URIRef(DCAT + "DataService")) in dcat
    assert str(_value(dcat, service, DCAT + "endpointURL")) == "http://127.0.0.1:8000/sparql"
    assert str(_value(dcat, service, DCAT + "servesDataset")) == DATASET
    assert str(_value(dcat, DATASET + "/1.0.0", DCAT + "version")) == "1.0.0"
