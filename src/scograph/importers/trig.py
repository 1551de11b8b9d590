"""Writing named graphs as readable TriG with the same bytes for the same triples.

Subjects, predicates and objects are sorted, prefixes come in a fixed order, and
nothing depends on the order triples were made in or on the clock, so a rerun of
an import over the same input leaves the file byte for byte unchanged.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Names first: what a reader looks for, before the other predicates in alphabetical order.
_LEADING_PREDICATES = ("a", "skos:prefLabel", "rdfs:label", "skos:altLabel")
# A conservative PN_LOCAL: what every Turtle parser reads without escapes.
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class TrigWriter:
    """Serialises triples of named graphs with a fixed set of prefixes."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._prefixes = prefixes
        # Longest namespace first, so "id/city/" wins over "id/".
        self._by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self._used: set[str] = set()

    def term(self, term: ox.NamedNode | ox.Literal) -> str:
        """Return the Turtle form of an IRI or a literal."""
        if isinstance(term, ox.NamedNode):
            return self._iri(term.value)
        text = '"' + "".join(_ESCAPES.get(c, c) for c in term.value) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value == XSD + "string":
            return text
        if term.datatype.value == XSD + "integer" and term.value.isdigit():
            return term.value
        return f"{text}^^{self._iri(term.datatype.value)}"

    def _iri(self, iri: str) -> str:
        if iri == RDF_TYPE:
            return "a"
        for prefix, namespace in self._by_length:
            local = iri.removeprefix(namespace)
            if local != iri and _LOCAL_NAME.match(local):
                self._used.add(prefix)
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def graph(
        self, name: str, triples: Iterable[ox.Triple], first: Iterable[str] = (), comment: str = ""
    ) -> str:
        """Return one GRAPH block; subjects in ``first`` come first, the others sorted."""
        by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        for triple in set(triples):
            by_subject[triple.subject.value].append(triple)
        leading = [s for s in first if s in by_subject]
        order = leading + sorted(s for s in by_subject if s not in leading)
        blocks = [self._subject(s, by_subject[s]) for s in order]
        header = f"    # {comment}\n\n" if comment else ""
        return f"<{name}> {{\n\n{header}" + "\n\n".join(blocks) + "\n}\n"

    def _subject(self, subject: str, triples: list[ox.Triple]) -> str:
        by_predicate: dict[str, list[str]] = defaultdict(list)
        for triple in triples:
            by_predicate[self._iri(triple.predicate.value)].append(self.term(triple.object))
        lead = {p: i for i, p in enumerate(_LEADING_PREDICATES)}
        predicates = sorted(by_predicate, key=lambda p: (lead.get(p, len(lead)), p))
        lines = [f"{p} {' , '.join(sorted(by_predicate[p]))}" for p in predicates]
        return f"    {self._iri(subject)} " + " ;\n        ".join(lines) + " ."

    def document(self, header: str, blocks: Iterable[str]) -> str:
        """Return a whole TriG document: a comment header, the prefixes used and the blocks.

        The blocks must be made by this writer, which notes the prefixes they use.
        """
        body = "\n".join(blocks)
        comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        prefixes = "".join(
            f"@prefix {p}: <{ns}> .\n" for p, ns in self._prefixes.items() if p in self._used
        )
        return f"{comment}\n{prefixes}\n{body}"
