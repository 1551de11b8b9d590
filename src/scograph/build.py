"""Building the store the server opens: ontology, data and materialised inferences.

The OWL 2 RL consequences users rely on (symmetric ``sg:sisterOf``, inverse
properties, subclass closure) are computed by the ``reasonable`` reasoner and kept
in a named graph of their own, apart from the asserted data.
"""

import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
import reasonable

from scograph import resources
from scograph.namespaces import ID, INFERRED_GRAPH
from scograph.rdf_files import data_files, ontology_files, project_quads

# Links say "same as" a Wikidata item; reasoning over them would copy every fact
# onto Wikidata's IRIs, so owl:sameAs stays out of the reasoner's input.
_SAME_AS = ox.NamedNode(str(rdflib.OWL.sameAs))
_OWL_THING = rdflib.OWL.Thing


@dataclass(frozen=True)
class BuildReport:
    """What a build put into the store."""

    asserted: int
    inferred: int
    graphs: int


def build_store(
    store_dir: Path,
    ontology_dir: Path | None = None,
    data_dir: Path | None = None,
) -> BuildReport:
    """Build a fresh store in ``store_dir`` from the ontology and data files.

    The store is written to a temporary folder beside ``store_dir`` and moved into
    place only when complete, so an interrupted or failed build never leaves a
    half-built store behind. Raises :class:`scograph.rdf_files.RdfFileError` for a
    broken file, before anything is written.
    """
    ontology_dir = ontology_dir or resources.ontology_dir()
    data_dir = data_dir or resources.data_dir()
    asserted = list(project_quads(ontology_dir, data_dir))
    inferred = infer(asserted)

    store_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}-", dir=store_dir.parent))
    try:
        store = ox.Store(str(staging))
        store.bulk_extend(asserted)
        store.bulk_extend(inferred)
        store.flush()
        graphs = sum(1 for _ in store.named_graphs())
        del store
        if store_dir.exists():
            shutil.rmtree(store_dir)
        staging.rename(store_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(asserted=len(asserted), inferred=len(inferred), graphs=graphs)


def infer(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Return the OWL 2 RL consequences about scograph's own things, in the inferred graph.

    Only triples about a scograph entity, with a named (not anonymous) object, and
    not already asserted in any graph are kept; ``rdf:type owl:Thing`` says nothing.
    """
    graph = rdflib.Graph()
    # Compared as rdflib terms on both sides, so literal normalisation cannot make
    # an asserted triple look new.
    asserted = set()
    for quad in quads:
        triple = _to_rdflib(quad)
        asserted.add(triple)
        if quad.predicate != _SAME_AS:
            graph.add(triple)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    target = ox.NamedNode(INFERRED_GRAPH)
    inferred = {
        ox.Quad(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o), target)
        for s, p, o in reasoner.reason()
        if isinstance(s, rdflib.URIRef)
        and str(s).startswith(ID)
        and not isinstance(o, rdflib.BNode)
        and o != _OWL_THING
        and (s, p, o) not in asserted
    }
    return sorted(inferred, key=str)


def source_fingerprint(ontology_dir: Path | None = None, data_dir: Path | None = None) -> str:
    """Return a short hash of every input file, to tell whether a built store is current."""
    ontology_dir = ontology_dir or resources.ontology_dir()
    data_dir = data_dir or resources.data_dir()
    digest = hashlib.sha256()
    for path in [*ontology_files(ontology_dir), *data_files(data_dir)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _to_rdflib(quad: ox.Quad) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    return (
        _term_to_rdflib(quad.subject),
        _term_to_rdflib(quad.predicate),
        _term_to_rdflib(quad.object),
    )


def _term_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _to_oxigraph(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected RDF term {term!r}")
