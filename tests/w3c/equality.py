"""When two RDF terms, or two graphs, count as the same result.

Terms are compared by RDF term equality, datatypes always exactly, with one exception:
xsd:decimal, xsd:double and xsd:float literals are compared by value. Their canonical
lexical forms changed between XSD 1.0, which the expected files use ("1.0", "3.0E4"), and
XSD 1.1 ("1", "30000"), and SPARQL leaves the lexical form of a computed number to the
implementation; a strict comparison would fail correct answers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

_FLOATING = {XSD.double, XSD.float}


def canonical_term(term: Node | None) -> Node | None:
    """Return `term` with a decimal, double or float value written in one fixed form."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    lexical = str(term)
    try:
        if term.datatype == XSD.decimal:
            value = Decimal(lexical)
            if not value.is_finite():
                return term  # "NaN" is not a valid xsd:decimal; keep it as written
            written = format(value.normalize(), "f")
        elif term.datatype in _FLOATING:
            written = repr(float(lexical))
        else:
            return term
    except (InvalidOperation, ValueError):
        return term  # ill-typed literals keep their lexical form
    return Literal(written, datatype=URIRef(term.datatype), normalize=False)


def canonical_graph(graph: Graph) -> Graph:
    """Return a copy of `graph` with every term passed through `canonical_term`."""
    result = Graph()
    for triple in graph:
        result.add(tuple(canonical_term(t) for t in triple))  # type: ignore[arg-type]
    return result


def graphs_match(expected: Graph, actual: Graph) -> bool:
    """Tell whether two graphs are isomorphic once numbers are compared by value."""
    return isomorphic(canonical_graph(expected), canonical_graph(actual))


def graph_difference(label: str, expected: Graph, actual: Graph) -> str:
    """Say how two graphs differ, with a few triples each side lacks (blank nodes included)."""
    want, got = canonical_graph(expected), canonical_graph(actual)
    lines = [f"{label} differs: expected {len(want)} triples, got {len(got)}"]
    lines += [f"  missing: {_n3(t)}" for t in sorted(want - got, key=_n3)[:8]]
    lines += [f"  unexpected: {_n3(t)}" for t in sorted(got - want, key=_n3)[:8]]
    return "\n".join(lines)


def _n3(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(term.n3() for term in triple)
