"""Checks of the ontology and of the data's use of its terms, after the OOPS! pitfall catalogue.

SHACL checks the data against the shapes; these checks look at what SHACL cannot
easily see: the ontology itself (metadata, labels, definitions, domains and ranges,
inverse and symmetric properties, subclass cycles) and whether the data uses only
``sg:`` terms the ontology declares, each as the kind of term it is.

Every check takes rdflib graphs and returns :class:`Finding` objects, which say
which node is wrong but not where it is written; the caller places them in files.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from scograph.namespaces import ONTOLOGY, ONTOLOGY_IRI

VANN = "http://purl.org/vocab/vann/"
LANGUAGES = ("en", "zh-Hans", "ru")

# Prefixes used to write terms compactly in messages.
_PREFIXES = {
    "sg": ONTOLOGY,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "vann": VANN,
}

_CLASS_TYPES = frozenset({OWL.Class, RDFS.Class})
_PROPERTY_TYPES = frozenset({OWL.ObjectProperty, OWL.DatatypeProperty})
_TERM_TYPES = (
    _CLASS_TYPES
    | _PROPERTY_TYPES
    | {
        OWL.AnnotationProperty,
        RDF.Property,
        SKOS.Concept,
        SKOS.ConceptScheme,
    }
)
_LITERAL_RANGES = frozenset({RDFS.Literal, RDF.langString, RDF.PlainLiteral})

_SISTER_OF = URIRef(ONTOLOGY + "sisterOf")
_TWINNED_CITY = URIRef(ONTOLOGY + "twinnedCity")
_TWINNING_STATUS = URIRef(ONTOLOGY + "twinningStatus")
_ESTABLISHED = URIRef(ONTOLOGY + "Established")

# Metadata every release of the ontology carries (see CONVENTIONS, "Ontology metadata").
_REQUIRED_METADATA = (
    OWL.versionIRI,
    OWL.versionInfo,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.license,
    DCTERMS.created,
    DCTERMS.modified,
    DCTERMS.creator,
    URIRef(VANN + "preferredNamespacePrefix"),
    URIRef(VANN + "preferredNamespaceUri"),
)

# A label in a language should be written in its script: this catches an English
# label copied under a zh-Hans or ru tag.
_SCRIPT_RANGES = {
    "zh-hans": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)),
    "ru": ((0x0400, 0x04FF),),
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with ``node`` (an IRI), about ``property`` (an IRI) if one is involved."""

    node: str | None
    property: str | None
    message: str


def compact(term: Node | str) -> str:
    """Return a term as written in Turtle with scograph's usual prefixes, e.g. ``sg:City``."""
    if isinstance(term, Literal):
        return _compact_literal(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    iri = str(term)
    for prefix, namespace in _PREFIXES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and local.replace("-", "_").isidentifier():
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _compact_literal(literal: Literal) -> str:
    text = '"' + str(literal).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if literal.language:
        return f"{text}@{literal.language}"
    if literal.datatype and literal.datatype != XSD.string:
        return f"{text}^^{compact(literal.datatype)}"
    return text


def is_scograph_term(term: Node) -> bool:
    """Return whether ``term`` is an IRI in the ontology's namespace."""
    return isinstance(term, URIRef) and str(term).startswith(ONTOLOGY)


def declared_terms(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Return every ``sg:`` term the ontology declares, with the types it declares it as."""
    terms: dict[URIRef, set[URIRef]] = {}
    for term, kind in ontology.subject_objects(RDF.type):
        if is_scograph_term(term):
            terms.setdefault(term, set()).add(kind)
    return terms


def ontology_findings(ontology: Graph) -> list[Finding]:
    """Return the pitfalls found in the ontology graph (an empty list if there are none)."""
    terms = declared_terms(ontology)
    return [
        *metadata_findings(ontology),
        *term_type_findings(terms),
        *annotation_findings(ontology, terms),
        *domain_range_findings(ontology, terms),
        *inverse_findings(ontology, terms),
        *symmetric_findings(ontology, terms),
        *cycle_findings(ontology),
        *undeclared_term_findings(ontology, terms),
    ]


def metadata_findings(ontology: Graph) -> Iterator[Finding]:
    """Yield a finding for each piece of ontology metadata that is missing."""
    header = URIRef(ONTOLOGY_IRI)
    if (header, RDF.type, OWL.Ontology) not in ontology:
        yield Finding(ONTOLOGY_IRI, str(RDF.type), "is not declared an owl:Ontology")
        return
    for predicate in _REQUIRED_METADATA:
        if ontology.value(header, predicate) is None:
            yield Finding(ONTOLOGY_IRI, str(predicate), f"the ontology has no {compact(predicate)}")


def term_type_findings(terms: dict[URIRef, set[URIRef]]) -> Iterator[Finding]:
    """Yield a finding for each ``sg:`` term that is not a class, property or SKOS concept."""
    for term, kinds in sorted(terms.items()):
        if not kinds & _TERM_TYPES:
            yield Finding(
                str(term),
                str(RDF.type),
                f"{compact(term)} is neither a class, a property, a concept nor a concept scheme",
            )
        if OWL.ObjectProperty in kinds and OWL.DatatypeProperty in kinds:
            yield Finding(
                str(term),
                str(RDF.type),
                f"{compact(term)} is declared both an object and a datatype property",
            )


def annotation_findings(ontology: Graph, terms: Iterable[URIRef]) -> Iterator[Finding]:
    """Yield a finding for each missing label (en, zh-Hans, ru), misscripted label or definition."""
    for term in sorted(terms):
        for predicate in (RDFS.label, SKOS.prefLabel):
            yield from _label_findings(ontology, term, predicate)
        if not _in_language(ontology.objects(term, SKOS.definition), "en"):
            yield Finding(
                str(term), str(SKOS.definition), f"{compact(term)} has no skos:definition in en"
            )


def _label_findings(ontology: Graph, term: URIRef, predicate: URIRef) -> Iterator[Finding]:
    labels = list(ontology.objects(term, predicate))
    for language in LANGUAGES:
        written = _in_language(labels, language)
        if not written:
            yield Finding(
                str(term),
                str(predicate),
                f"{compact(term)} has no {compact(predicate)} in {language}",
            )
        for label in written:
            if not _in_script(str(label), language):
                yield Finding(
                    str(term),
                    str(predicate),
                    f"{compact(term)} has {compact(predicate)} {compact(label)}, which is not "
                    f"written in the script of {language}",
                )


def _in_language(values: Iterable[Node], language: str) -> list[Literal]:
    # Language tags are case-insensitive (BCP 47), and parsers may lower-case them.
    return [
        value
        for value in values
        if isinstance(value, Literal) and (value.language or "").lower() == language.lower()
    ]


def _in_script(text: str, language: str) -> bool:
    ranges = _SCRIPT_RANGES.get(language.lower())
    if ranges is None:
        return True
    return any(low <= ord(char) <= high for char in text for low, high in ranges)


def domain_range_findings(ontology: Graph, terms: dict[URIRef, set[URIRef]]) -> Iterator[Finding]:
    """Yield a finding for each property without exactly one domain and one range of its kind."""
    for term, kinds in sorted(terms.items()):
        if not kinds & _PROPERTY_TYPES:
            continue
        for predicate in (RDFS.domain, RDFS.range):
            yield from _single_value_findings(ontology, term, predicate)
        datatype_property = OWL.DatatypeProperty in kinds
        for value in ontology.objects(term, RDFS.range):
            if _is_datatype(ontology, value) != datatype_property:
                expected = "a datatype" if datatype_property else "a class"
                yield Finding(
                    str(term),
                    str(RDFS.range),
                    f"{compact(term)} has rdfs:range {compact(value)}, but its range must be "
                    f"{expected}",
                )


def _single_value_findings(ontology: Graph, term: URIRef, predicate: URIRef) -> Iterator[Finding]:
    count = len(list(ontology.objects(term, predicate)))
    if count == 0:
        yield Finding(str(term), str(predicate), f"{compact(term)} has no {compact(predicate)}")
    elif count > 1:
        # Several domains (or ranges) mean their intersection, rarely what was meant.
        yield Finding(
            str(term),
            str(predicate),
            f"{compact(term)} has {count} values of {compact(predicate)}, which OWL reads as "
            "their intersection; use one class, or owl:unionOf for alternatives",
        )


def _is_datatype(ontology: Graph, node: Node) -> bool:
    if isinstance(node, BNode):
        return (node, RDF.type, RDFS.Datatype) in ontology
    return str(node).startswith(str(XSD)) or node in _LITERAL_RANGES


def inverse_findings(ontology: Graph, terms: dict[URIRef, set[URIRef]]) -> Iterator[Finding]:
    """Yield a finding for each owl:inverseOf that is one-sided, reflexive or mismatched."""
    for prop, inverse in sorted(ontology.subject_objects(OWL.inverseOf)):
        if not is_scograph_term(prop):
            continue
        if prop == inverse:
            yield Finding(
                str(prop),
                str(OWL.inverseOf),
                f"{compact(prop)} is declared its own inverse; declare it owl:SymmetricProperty",
            )
            continue
        for term in (prop, inverse):
            if is_scograph_term(term) and OWL.ObjectProperty not in terms.get(term, set()):
                yield Finding(
                    str(prop),
                    str(OWL.inverseOf),
                    f"{compact(term)} has an inverse but is not an owl:ObjectProperty",
                )
        if is_scograph_term(inverse) and (inverse, OWL.inverseOf, prop) not in ontology:
            yield Finding(
                str(prop),
                str(OWL.inverseOf),
                f"{compact(prop)} declares owl:inverseOf {compact(inverse)}, but "
                f"{compact(inverse)} does not declare owl:inverseOf {compact(prop)}",
            )
        yield from _swapped_findings(ontology, prop, inverse)


def _swapped_findings(ontology: Graph, prop: URIRef, inverse: URIRef) -> Iterator[Finding]:
    # The domain of a property is the range of its inverse, and the other way round.
    pairs = ((RDFS.domain, RDFS.range), (RDFS.range, RDFS.domain))
    for mine, theirs in pairs:
        own = _class_set(ontology, ontology.value(prop, mine))
        other = _class_set(ontology, ontology.value(inverse, theirs))
        if own and other and own != other:
            yield Finding(
                str(prop),
                str(mine),
                f"the {compact(mine)} of {compact(prop)} ({_show_set(own)}) differs from the "
                f"{compact(theirs)} of its inverse {compact(inverse)} ({_show_set(other)})",
            )


def symmetric_findings(ontology: Graph, terms: dict[URIRef, set[URIRef]]) -> Iterator[Finding]:
    """Yield a finding for each symmetric property whose declaration contradicts symmetry."""
    for prop in sorted(ontology.subjects(RDF.type, OWL.SymmetricProperty)):
        if not is_scograph_term(prop):
            continue
        if OWL.DatatypeProperty in terms.get(prop, set()):
            yield Finding(
                str(prop),
                str(RDF.type),
                f"{compact(prop)} is a datatype property and cannot be symmetric",
            )
        domain = _class_set(ontology, ontology.value(prop, RDFS.domain))
        range_ = _class_set(ontology, ontology.value(prop, RDFS.range))
        if domain != range_:
            yield Finding(
                str(prop),
                str(RDFS.range),
                f"{compact(prop)} is symmetric, so its rdfs:domain ({_show_set(domain)}) and "
                f"rdfs:range ({_show_set(range_)}) must be the same",
            )
        for inverse in ontology.objects(prop, OWL.inverseOf):
            if inverse != prop:
                yield Finding(
                    str(prop),
                    str(OWL.inverseOf),
                    f"{compact(prop)} is symmetric, so it is its own inverse, not "
                    f"{compact(inverse)}'s",
                )


def _class_set(ontology: Graph, node: Node | None) -> frozenset[Node]:
    """Return the classes a domain or range names: one class, or the members of a union."""
    if node is None:
        return frozenset()
    union = ontology.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    if union is None:
        return frozenset({node})
    return frozenset(Collection(ontology, union))


def _show_set(classes: frozenset[Node]) -> str:
    return " or ".join(sorted(compact(c) for c in classes)) or "none"


def cycle_findings(ontology: Graph) -> Iterator[Finding]:
    """Yield a finding for each cycle of rdfs:subClassOf or rdfs:subPropertyOf between IRIs."""
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        edges: dict[URIRef, set[URIRef]] = {}
        for child, parent in ontology.subject_objects(predicate):
            if isinstance(child, URIRef) and isinstance(parent, URIRef):
                edges.setdefault(child, set()).add(parent)
        for cycle in _cycles(edges):
            first = min(cycle)
            path = " ⊑ ".join(compact(node) for node in [*cycle, cycle[0]])
            yield Finding(
                str(first),
                str(predicate),
                f"{compact(predicate)} cycle: {path}; use owl:equivalentClass or "
                "owl:equivalentProperty if the terms mean the same",
            )


def _cycles(edges: dict[URIRef, set[URIRef]]) -> list[list[URIRef]]:
    """Return one cycle (as a list of nodes) per strongly connected group, by depth-first search."""
    found: list[list[URIRef]] = []
    seen: set[URIRef] = set()
    for start in sorted(edges):
        if start in seen:
            continue
        # Iterative depth-first search keeping the current path, so a back edge gives the cycle.
        path: list[URIRef] = [start]
        on_path = {start}
        stack = [iter(sorted(edges.get(start, ())))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                seen.add(path[-1])
                on_path.discard(path.pop())
            elif nxt in on_path:
                found.append(path[path.index(nxt) :])
            elif nxt not in seen:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return found


def undeclared_term_findings(graph: Graph, terms: dict[URIRef, set[URIRef]]) -> Iterator[Finding]:
    """Yield a finding for each use of an ``sg:`` term that is undeclared or used as the wrong kind.

    ``graph`` is the ontology or the data; each finding names the IRI whose
    statement uses the term, and the predicate of that statement.
    """
    reported: set[tuple[str | None, str, URIRef]] = set()
    for subject, predicate, obj in graph:
        for term, problem in _term_uses(subject, predicate, obj, terms):
            owner = _owner(graph, subject)
            key = (owner, str(predicate), term)
            if key not in reported:
                reported.add(key)
                yield Finding(owner, str(predicate), problem)


def _term_uses(
    subject: Node, predicate: Node, obj: Node, terms: dict[URIRef, set[URIRef]]
) -> Iterator[tuple[URIRef, str]]:
    for term, role in ((subject, "subject"), (predicate, "property"), (obj, "object")):
        if not is_scograph_term(term):
            continue
        kinds = terms.get(term)
        if kinds is None:
            yield term, f"uses {compact(term)}, which the ontology does not declare"
        elif role == "property" and not kinds & (_PROPERTY_TYPES | {OWL.AnnotationProperty}):
            yield term, f"uses {compact(term)} as a property, but it is not one"
        elif role == "object" and predicate == RDF.type and not kinds & _CLASS_TYPES:
            yield term, f"is typed {compact(term)}, but the ontology does not declare it a class"


def sister_city_findings(data: Graph) -> Iterator[Finding]:
    """Yield a finding for each sg:sisterOf between cities without an established sg:Twinning.

    The contract keeps sg:sisterOf for established twinnings only; announced or
    intended ones are sg:Twinning nodes with their status and no sg:sisterOf.
    """
    established = {
        frozenset(data.objects(twinning, _TWINNED_CITY))
        for twinning in data.subjects(_TWINNING_STATUS, _ESTABLISHED)
    }
    for city, other in sorted(data.subject_objects(_SISTER_OF)):
        if frozenset({city, other}) not in established:
            yield Finding(
                str(city),
                str(_SISTER_OF),
                f"sg:sisterOf {compact(other)}, but no sg:Twinning of the two cities has "
                "sg:twinningStatus sg:Established; sister-city links are only for established "
                "twinnings",
            )


def _owner(graph: Graph, node: Node) -> str | None:
    """Return the IRI a blank node hangs from (through lists and nested nodes), or the IRI."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(graph.subjects(None, node), None)
        if parent is None:
            return None
        node = parent
    return str(node) if isinstance(node, URIRef) else None
