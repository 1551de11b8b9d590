"""Small helpers to write metadata graphs (VoID, DCAT) as pyoxigraph triples."""

import pyoxigraph as ox

from scograph.publish.canonical import in_line_order
from scograph.publish.vocab import PREFIXES, XSD

Term = ox.NamedNode | ox.Literal


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def integer(value: int, datatype: str = XSD + "integer") -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype))


def text(value: str, language: str | None = "en") -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


class TripleList(list[ox.Triple]):
    """A list of triples with a short way to add one."""

    def add(self, subject: str, predicate: str, obj: Term | str) -> None:
        """Add a triple; a plain string object is an IRI."""
        term = ox.NamedNode(obj) if isinstance(obj, str) else obj
        self.append(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), term))


def serialise(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Serialise distinct triples in sorted order: the same triples always give the same bytes."""
    return write_rdf(in_line_order(triples, ox.RdfFormat.N_TRIPLES), fmt)


def write_rdf(statements: list[ox.Triple] | list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialise statements in the order given, with scograph's prefixes where the syntax allows."""
    prefixes = (
        used_prefixes(statements) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    )
    return ox.serialize(statements, format=fmt, prefixes=prefixes)


def used_prefixes(statements: list[ox.Triple] | list[ox.Quad]) -> dict[str, str]:
    """The prefixes some IRI of the statements can be written with (no unused declarations).

    An IRI is abbreviated with the prefix whose namespace is everything up to its
    last ``/`` or ``#``, as every namespace of :data:`PREFIXES` ends with one of them.
    """
    namespaces = set()
    for statement in statements:
        for term in statement:
            value = term.datatype.value if isinstance(term, ox.Literal) else term.value
            namespaces.add(value[: max(value.rfind("/"), value.rfind("#")) + 1])
    return {p: ns for p, ns in PREFIXES.items() if ns in namespaces}
