"""The ontology as people read it (HTML made by pyLODE) and as machines read it (RDF).

pyLODE takes a second or two, so the HTML is made once (at release time, and once
per server process) and never per request. It runs in a child Python with a fixed
hash seed: pyLODE walks Python sets, whose order otherwise changes from process to
process, and a release must be the same bytes for the same ontology. The child
also keeps pyLODE's logging set-up (it configures the root logger at debug level)
out of the server.
"""

import os
import re
import subprocess
import sys

import pyoxigraph as ox

from scograph.namespaces import ONTOLOGY, ONTOLOGY_GRAPH
from scograph.publish.canonical import canonical_triples
from scograph.publish.rdf import serialise
from scograph.publish.vocab import DCTERMS, RDF_TYPE, RDFS, SKOS

_TIMEOUT_SECONDS = 120
_TEXT_PROPERTIES = frozenset(
    {
        RDFS + "label",
        RDFS + "comment",
        SKOS + "prefLabel",
        SKOS + "altLabel",
        SKOS + "definition",
        DCTERMS + "title",
        DCTERMS + "description",
    }
)
_PYLODE_REFUSED = 3


class OntologyDocsError(Exception):
    """The ontology is missing or pyLODE cannot document it."""


def ontology_triples(store: ox.Store) -> list[ox.Triple]:
    """Return the triples of the ontology graph, blank nodes canonicalised (stable output)."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    return canonical_triples(
        [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)
        ]
    )


def ontology_rdf(store: ox.Store, fmt: ox.RdfFormat) -> bytes:
    """Return the ontology serialised in ``fmt``, in a stable order."""
    return serialise(ontology_triples(store), fmt)


def ontology_html(store: ox.Store) -> str:
    """Return the HTML documentation of the ontology, made by pyLODE.

    Raises :class:`OntologyDocsError` when the store has no ontology or pyLODE
    refuses it (it needs, for instance, a ``dcterms:title`` on the ontology).
    """
    triples = ontology_triples(store)
    if not triples:
        raise OntologyDocsError("the store has no ontology graph")
    child = subprocess.run(
        [sys.executable, "-m", __name__],
        input=serialise(pylode_view(triples), ox.RdfFormat.N_TRIPLES),
        capture_output=True,
        timeout=_TIMEOUT_SECONDS,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    if child.returncode != 0:
        message = child.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OntologyDocsError(message[-1] if message else f"pyLODE exited {child.returncode}")
    return child.stdout.decode("utf-8")


def pylode_view(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The ontology as pyLODE 3.3 can show it: English text, and no concept scheme typed as such.

    pyLODE runs the labels of every language together ("CityГород城市") and takes any
    ``skos:ConceptScheme`` for the ontology itself (its title and IRI replace the
    ontology's), so the page is made from the English texts (others are kept where a
    term has no English one) and the schemes are shown as plain individuals. The
    ontology served as RDF keeps everything.
    """
    english = {
        (t.subject, t.predicate)
        for t in triples
        if t.predicate.value in _TEXT_PROPERTIES and _is_english(t.object)
    }

    def keep(t: ox.Triple) -> bool:
        if t.predicate.value == RDF_TYPE and t.object.value == SKOS + "ConceptScheme":
            return False
        if t.predicate.value in _TEXT_PROPERTIES and isinstance(t.object, ox.Literal):
            return _is_english(t.object) or (t.subject, t.predicate) not in english
        return True

    return [t for t in triples if keep(t)]


def _is_english(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> bool:
    return isinstance(term, ox.Literal) and (term.language or "en").split("-")[0] == "en"


def _document_stdin() -> int:
    """In the child: read N-Triples on stdin, write pyLODE's HTML on stdout."""
    import pylode.utils
    import rdflib
    from pylode import OntPub, PylodeError

    class InsertionOrderedSet(dict[object, None]):
        def add(self, item: object) -> None:
            self[item] = None

    # pyLODE 3.3 collects the members of an owl:unionOf in a set() of HTML elements,
    # which are hashed by memory address: their order changed from run to run. The
    # only set() in pylode.utils is that one; this keeps the list's own order.
    pylode.utils.set = InsertionOrderedSet  # type: ignore[attr-defined]

    class KeepBlankNodeLabels(dict[str, rdflib.BNode]):
        # rdflib gives parsed blank nodes random ids, and pyLODE orders some lists by
        # them; the canonical labels (c14n0, …) keep the page the same from run to run.
        def get(self, key: str, default: object = None) -> rdflib.BNode:
            return self.setdefault(key, rdflib.BNode(key))

    graph = rdflib.Graph()
    graph.parse(data=sys.stdin.buffer.read(), format="nt", bnode_context=KeepBlankNodeLabels())
    try:
        doc = OntPub(ontology=graph, sort_subjects=True)
        html = str(doc.make_html())
    except PylodeError as error:
        print(f"pyLODE: {error}", file=sys.stderr)
        return _PYLODE_REFUSED
    sys.stdout.buffer.write(add_term_anchors(html, doc.fids).encode("utf-8"))
    return 0


def add_term_anchors(html: str, fragment_ids: dict[str, str]) -> str:
    """Give each ontology term an anchor named like its IRI's fragment.

    pyLODE names a term's section after its label ("sister of" → ``#sisterof``), but
    a browser that resolves ``…/ontology#sisterOf`` looks for ``id="sisterOf"``.
    """
    for iri, fid in sorted(fragment_ids.items()):
        if not iri.startswith(ONTOLOGY) or not fid:
            continue
        local = iri.removeprefix(ONTOLOGY)
        if local == fid or not re.fullmatch(r"[A-Za-z0-9_.-]+", local):
            continue
        html = re.sub(
            rf'(<div [^>]*\bid="{re.escape(fid)}"[^>]*>)',
            rf'<span id="{local}"></span>\1',
            html,
            count=1,
        )
    return html


if __name__ == "__main__":
    sys.exit(_document_stdin())
