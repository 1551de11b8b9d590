"""Building the store the server opens: ontology, data and materialised inferences.

The OWL 2 RL consequences users rely on (symmetric ``sg:sisterOf``, inverse
properties, subclass closure) are computed by the ``reasonable`` reasoner and kept
in a named graph of their own, apart from the asserted data.
"""

import ctypes
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
import reasonable

from scograph import resources
from scograph.namespaces import ID, INFERRED_GRAPH, SHARE_ALIKE_INFERRED_GRAPH
from scograph.rdf_files import project_quads
from scograph.rdf_files import source_fingerprint as source_fingerprint  # its old home
from scograph.server.stores import process_alive

# Links say "same as" a Wikidata item; reasoning over them would copy every fact
# onto Wikidata's IRIs, so owl:sameAs stays out of the reasoner's input.
_SAME_AS = ox.NamedNode(str(rdflib.OWL.sameAs))
_OWL_THING = rdflib.OWL.Thing
_DCTERMS_LICENSE = ox.NamedNode("http://purl.org/dc/terms/license")
_DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
OPEN_LICENCES = frozenset({CC_BY, CC0, None})

_RdflibTriple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]


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
    _remove_abandoned_builds(store_dir)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{store_dir.name}-building-{os.getpid()}-", dir=store_dir.parent)
    )
    try:
        # bulk_extend is not transactional: a killed build leaves a partial store,
        # which is why it is built in a folder of its own.
        store = ox.Store(str(staging))
        store.bulk_extend(asserted)
        store.bulk_extend(inferred)
        store.flush()
        graphs = sum(1 for _ in store.named_graphs())
        del store
        _move_into_place(staging, store_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(asserted=len(asserted), inferred=len(inferred), graphs=graphs)


def _move_into_place(staging: Path, target: Path) -> None:
    """Make the store built in ``staging`` the one at ``target``; the old one ends in ``staging``.

    The two folders are swapped in one step (``renameat2`` with ``RENAME_EXCHANGE``),
    so at every instant ``target`` holds a complete store, the old or the new one.
    Where the system cannot swap, the old store is renamed away first: a crash
    between the two renames leaves no store at ``target`` (a clear error when it is
    served) but never a partial one.
    """
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        return
    old = staging.with_name(staging.name + "-old")
    target.rename(old)
    staging.rename(target)
    old.rename(staging)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_abandoned_builds(store_dir: Path) -> None:
    """Remove the staging folders of builds that were killed (their process is gone)."""
    prefix = f".{store_dir.name}-building-"
    for entry in store_dir.parent.glob(prefix + "*"):
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def infer(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Return the OWL 2 RL consequences about scograph's own things, with their graphs' metadata.

    Consequences of openly licensed graphs (CC BY 4.0, CC0 or none stated) go to
    ``graph/inferred``; those that need a share-alike graph (the Wikipedia-derived
    twinnings, CC BY-SA 4.0) go to ``graph/inferred-share-alike``, under that licence,
    so that the licences of the inputs carry over to what is derived from them.
    """
    licences = _graph_licences(quads)
    open_graphs = {g for g, licence in licences.items() if licence in OPEN_LICENCES}
    to_rdflib = _RdflibTerms()
    triples = [(to_rdflib.triple(q), _graph_name(q)) for q in quads if q.predicate != _SAME_AS]
    asserted = {to_rdflib.triple(q) for q in quads}
    open_triples = [t for t, graph in triples if graph is None or graph in open_graphs]
    from_open = _consequences(open_triples, asserted)
    only_with_share_alike = _consequences([t for t, _ in triples], asserted) - from_open
    inferred = _in_graph(from_open, INFERRED_GRAPH)
    inferred += _graph_metadata(INFERRED_GRAPH, CC_BY, sorted(open_graphs))
    if only_with_share_alike:
        shared = sorted(g for g in licences if g not in open_graphs)
        inferred += _in_graph(only_with_share_alike, SHARE_ALIKE_INFERRED_GRAPH)
        inferred += _graph_metadata(
            SHARE_ALIKE_INFERRED_GRAPH, CC_BY_SA, [*sorted(open_graphs), *shared]
        )
    return inferred


def _consequences(triples: list[_RdflibTriple], asserted: set[_RdflibTriple]) -> set[_RdflibTriple]:
    """Return what the reasoner derives about scograph's own things from ``triples``.

    Only triples about a scograph entity, with a named (not anonymous) object, and
    not already asserted in any graph are kept; ``rdf:type owl:Thing`` says nothing.
    """
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(triples)
    # Compared as rdflib terms on both sides, so literal normalisation cannot make
    # an asserted triple look new.
    return {
        (s, p, o)
        for s, p, o in reasoner.reason()
        if isinstance(s, rdflib.URIRef)
        and str(s).startswith(ID)
        and not isinstance(o, rdflib.BNode)
        and o != _OWL_THING
        and (s, p, o) not in asserted
    }


def _in_graph(triples: set[_RdflibTriple], graph: str) -> list[ox.Quad]:
    target = ox.NamedNode(graph)
    quads = (ox.Quad(*(_to_oxigraph(t) for t in triple), target) for triple in triples)
    return sorted(quads, key=str)


def _graph_metadata(graph: str, licence: str, derived_from: list[str]) -> list[ox.Quad]:
    """Describe an inferred graph: its title, licence and the graphs it was derived from."""
    node = ox.NamedNode(graph)
    title = ox.Literal("OWL 2 RL consequences materialised at build time", language="en")
    quads = [
        ox.Quad(node, _DCTERMS_TITLE, title, node),
        ox.Quad(node, _DCTERMS_LICENSE, ox.NamedNode(licence), node),
    ]
    quads += [ox.Quad(node, _PROV_DERIVED, ox.NamedNode(g), node) for g in derived_from]
    return quads


def _graph_licences(quads: list[ox.Quad]) -> dict[str, str | None]:
    """Map each named graph to the licence it declares about itself (None if it declares none)."""
    licences: dict[str, str | None] = {}
    for quad in quads:
        graph = _graph_name(quad)
        if graph is None:
            continue
        licences.setdefault(graph, None)
        if quad.predicate == _DCTERMS_LICENSE and quad.subject == quad.graph_name:
            licences[graph] = quad.object.value
    return licences


def _graph_name(quad: ox.Quad) -> str | None:
    graph = quad.graph_name
    return graph.value if isinstance(graph, ox.NamedNode) else None


class _RdflibTerms:
    """Converts pyoxigraph terms to rdflib's, once per distinct term (most terms repeat)."""

    def __init__(self) -> None:
        self._cache: dict[ox.NamedNode | ox.BlankNode | ox.Literal, rdflib.term.Node] = {}

    def triple(self, quad: ox.Quad) -> _RdflibTriple:
        return (self.term(quad.subject), self.term(quad.predicate), self.term(quad.object))

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
        converted = self._cache.get(term)
        if converted is None:
            converted = self._cache[term] = _term_to_rdflib(term)
        return converted


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
