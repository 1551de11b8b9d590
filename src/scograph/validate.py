"""Validating the project: the ontology and the data, each problem placed in its file.

The order of work:

1. Every file is parsed (with :mod:`scograph.rdf_files`). A file that is not valid
   RDF gives one problem with its line, and nothing else is checked.
2. The data is checked against ``ontology/shapes.ttl`` with pyshacl, the ontology
   alongside so that targets and ``sh:class`` follow ``rdfs:subClassOf``.
3. Python checks what SHACL cannot see: the ontology's own pitfalls, the data's use
   of ``sg:`` terms, and the named graphs' provenance (see :mod:`scograph.ontology_checks`).

Each problem names the file holding the statements about its subject, and the line
where they start, so it can be fixed without searching.

Example::

    from scograph import resources
    for problem in validate_project(resources.ontology_dir(), resources.data_dir()):
        print(problem)
"""

import logging
import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, SH, XSD
from rdflib.term import Node

from scograph.namespaces import GRAPH, ONTOLOGY, ONTOLOGY_GRAPH, graph_iri
from scograph.ontology_checks import (
    Finding,
    compact,
    declared_terms,
    ontology_findings,
    sister_city_findings,
    undeclared_term_findings,
)
from scograph.rdf_files import ParsedFile, RdfFileError, data_files, ontology_files, read_file

SHAPES_FILE = "shapes.ttl"

# Cities imported from the English Wikipedia's lists of twin towns have English names
# only: there is no open, offline source of their Chinese and Russian names (contract,
# "Additions"). Things labelled only in these graphs need an English label; the other
# languages are welcome but not required.
ENGLISH_ONLY_GRAPHS = frozenset({graph_iri("wikipedia-twinnings")})

_SOURCE_GRAPH = URIRef(ONTOLOGY + "SourceGraph")
_WAS_DERIVED_FROM = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
_WIKIDATA_LINKS = graph_iri("wikidata-links")
_LABELS = frozenset(
    {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"}
)
_VOID_LINKSET = "http://rdfs.org/ns/void#Linkset"
_CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class Problem:
    """One problem, placed in a file (relative to the project) and, when known, a line.

    ``subject`` and ``property`` are IRIs (or ``None`` when the problem is about a
    whole file or graph).
    """

    file: str
    line: int | None
    subject: str | None
    property: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        about = "".join(f" <{term}>" for term in (self.subject, self.property) if term)
        return f"{where}:{about}: {self.message}" if about else f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Return the key problems are reported in: by file, then line."""
        return (self.file, self.line or 0, self.subject or "", self.property or "", self.message)


def validate_project(
    ontology_dir: Path, data_dir: Path, files: Sequence[Path] | None = None
) -> list[Problem]:
    """Return every problem in the ontology and the data, sorted by file and line.

    ``files`` restricts the data to the given TriG files (by default every file
    below ``data_dir``); file names in problems are relative to the folder that
    holds both ``ontology_dir`` and ``data_dir``. An empty list means all is well.
    """
    root = _display_root(ontology_dir, data_dir)
    ontology_paths = ontology_files(ontology_dir)
    data_paths = list(files) if files is not None else data_files(data_dir)
    shapes_path = ontology_dir / SHAPES_FILE
    if not shapes_path.is_file():
        return [Problem(_relative(shapes_path, root), None, None, None, "no SHACL shapes file")]

    parsed, problems = _read_all(
        [(p, ONTOLOGY_GRAPH) for p in ontology_paths]
        + [(p, None) for p in data_paths]
        + [(shapes_path, None)],
        root,
    )
    if problems:
        return _sorted(problems)
    ontology_parsed = parsed[: len(ontology_paths)]
    data_parsed = parsed[len(ontology_paths) : -1]
    locator = _Locator(ontology_parsed + data_parsed, root)
    data_quads = [quad for parsed_file in data_parsed for quad in parsed_file.quads]
    with _quiet_rdflib():
        ontology = _to_graph(ontology_parsed)
        # One graph of data and ontology serves SHACL and the checks of term use.
        union = _to_graph(ontology_parsed + data_parsed)
        shapes = _to_graph(parsed[-1:])
        findings = shacl_findings(union, shapes, english_only_nodes(data_quads))
    findings += ontology_findings(ontology)
    findings += undeclared_term_findings(union, declared_terms(ontology))
    findings += sister_city_findings(union)
    findings += graph_findings(data_quads)
    findings += blank_node_findings(data_quads)
    return _sorted({locator.place(finding) for finding in findings})


def shacl_findings(
    data: Graph, shapes: Graph, english_only: frozenset[str] = frozenset()
) -> list[Finding]:
    """Return one finding per SHACL validation result of ``data`` against ``shapes``.

    ``data`` should hold the ontology too, so that ``sh:targetClass`` and ``sh:class``
    follow its ``rdfs:subClassOf`` and its concept schemes are visible; nothing is
    inferred. (pyshacl's ``ont_graph`` would copy only the RDFS and OWL axioms, not
    the SKOS concepts, into a copy of the data: one graph is simpler and faster.)
    Nodes in ``english_only`` need labels in English only, not in every language.
    """
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        inplace=True,
    )
    # Only the report's own results: nested ones (sh:detail) explain those.
    results = [
        result
        for top in report.subjects(RDF.type, SH.ValidationReport)
        for result in report.objects(top, SH.result)
    ]
    findings = (_result_finding(report, result, data, shapes, english_only) for result in results)
    return [finding for finding in findings if finding is not None]


def _result_finding(
    report: Graph, result: Node, data: Graph, shapes: Graph, english_only: frozenset[str]
) -> Finding | None:
    """Return the finding for one SHACL result, or ``None`` if an exemption lifts it."""
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = _message(report, result)
    languages = _required_languages(report, result, shapes)
    if languages is None:
        detail = _detail(report, result, data)
    else:
        if str(focus) in english_only:
            languages = [tag for tag in languages if tag.lower() == "en"]
        found = _tags(data.objects(focus, path))
        missing = [tag for tag in languages if not _matches_any(tag, found)]
        if not missing:
            return None
        detail = f"missing {', '.join(missing)}"
    if detail:
        message = f"{message} ({detail})"
    return Finding(_iri_or_none(focus), _path_iri(report, path), message)


def _required_languages(report: Graph, result: Node, shapes: Graph) -> list[str] | None:
    """Return the languages a "label in each language" rule asks for, if the result is one.

    Such a rule is a property shape with sh:minCount and sh:languageIn on one property.
    """
    path = report.value(result, SH.resultPath)
    component = report.value(result, SH.sourceConstraintComponent)
    languages = shapes.value(report.value(result, SH.sourceShape), SH.languageIn)
    if not isinstance(path, URIRef) or component != SH.MinCountConstraintComponent:
        return None
    return None if languages is None else [str(tag) for tag in Collection(shapes, languages)]


def _detail(report: Graph, result: Node, data: Graph) -> str | None:
    """Return what the data holds that the shape's message cannot know, to save a look at it."""
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    component = report.value(result, SH.sourceConstraintComponent)
    if isinstance(path, URIRef) and component == SH.UniqueLangConstraintComponent:
        tags = _tags(data.objects(focus, path))
        repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
        return f"more than one in {', '.join(repeated)}"
    value = report.value(result, SH.value)
    # A node-level constraint reports the focus node itself as the value.
    if value is not None and value != focus:
        return f"found {compact(value)}"
    return None


def _tags(values: Iterable[Node]) -> list[str]:
    return [v.language.lower() for v in values if isinstance(v, Literal) and v.language]


def _matches_any(wanted: str, tags: Iterable[str]) -> bool:
    # Language ranges match a tag and its refinements (basic filtering, as sh:languageIn).
    wanted = wanted.lower()
    return any(tag == wanted or tag.startswith(wanted + "-") for tag in tags)


def _message(report: Graph, result: Node) -> str:
    messages = list(report.objects(result, SH.resultMessage))
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    if english or messages:
        return str(sorted(english or messages)[0])
    component = report.value(result, SH.sourceConstraintComponent)
    return f"violates {compact(component) if component else 'a SHACL constraint'}"


def _path_iri(report: Graph, path: Node | None) -> str | None:
    """Return the property of a result path; for alternatives (a|b), the first of them."""
    if isinstance(path, URIRef):
        return str(path)
    if isinstance(path, BNode):
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            return _path_iri(report, report.value(alternatives, RDF.first))
    return None


def _iri_or_none(node: Node | None) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def english_only_nodes(quads: Iterable[ox.Quad]) -> frozenset[str]:
    """Return the nodes all of whose labels come from graphs with English names only."""
    label_graphs: dict[str, set[str]] = {}
    for quad in quads:
        if quad.predicate.value in _LABELS and isinstance(quad.graph_name, ox.NamedNode):
            label_graphs.setdefault(_ox_str(quad.subject), set()).add(quad.graph_name.value)
    return frozenset(node for node, graphs in label_graphs.items() if graphs <= ENGLISH_ONLY_GRAPHS)


def graph_findings(quads: Iterable[ox.Quad]) -> list[Finding]:
    """Return the provenance problems of the data's named graphs.

    Every statement is in a named graph under ``graph/``; every graph G says, in G,
    ``G a sg:SourceGraph ; prov:wasDerivedFrom <source> ; dcterms:license <licence>``;
    owl:sameAs links to Wikidata are only in graphs that declare themselves, in
    themselves, a void:Linkset under CC0 (such as ``graph/wikidata-links``).
    """
    findings: list[Finding] = []
    by_graph: dict[str, set[tuple[str, str, str]]] = {}
    for quad in quads:
        triple = (_ox_str(quad.subject), quad.predicate.value, _ox_str(quad.object))
        if isinstance(quad.graph_name, ox.DefaultGraph):
            findings.append(
                Finding(
                    triple[0],
                    None,
                    "is described outside any named graph; put every statement in the "
                    "GRAPH block of the source it comes from",
                )
            )
        else:
            by_graph.setdefault(quad.graph_name.value, set()).add(triple)
    for graph, triples in sorted(by_graph.items()):
        findings += _source_graph_findings(graph, triples)
        findings += _wikidata_link_findings(graph, triples)
    return list(dict.fromkeys(findings))


def _source_graph_findings(graph: str, triples: set[tuple[str, str, str]]) -> Iterator[Finding]:
    if not graph.startswith(GRAPH):
        yield Finding(graph, None, f"named graph IRIs start with {GRAPH}")
    if (graph, str(RDF.type), str(_SOURCE_GRAPH)) not in triples:
        yield Finding(
            graph,
            str(RDF.type),
            "the named graph does not declare itself a sg:SourceGraph inside itself "
            "(<G> a sg:SourceGraph ; prov:wasDerivedFrom <source> in GRAPH <G>)",
        )
    for predicate, what in ((_WAS_DERIVED_FROM, "its source"), (DCTERMS.license, "its licence")):
        if not any(s == graph and p == str(predicate) for s, p, _o in triples):
            yield Finding(
                graph,
                str(predicate),
                f"the named graph does not state {what} ({compact(predicate)}) inside itself",
            )


def _wikidata_link_findings(graph: str, triples: set[tuple[str, str, str]]) -> Iterator[Finding]:
    # Identity links to Wikidata are CC0 facts kept apart from the data, as VoID linksets.
    if (graph, str(RDF.type), _VOID_LINKSET) in triples and (
        graph,
        str(DCTERMS.license),
        _CC0,
    ) in triples:
        return
    for subject, predicate, obj in sorted(triples):
        if predicate == str(OWL.sameAs) and "wikidata.org" in obj.lower():
            yield Finding(
                subject,
                predicate,
                f"links to Wikidata in <{graph}>, which is not a void:Linkset under CC0; "
                f"owl:sameAs to Wikidata belongs in such a graph, e.g. <{_WIKIDATA_LINKS}>",
            )


def blank_node_findings(quads: Iterable[ox.Quad]) -> list[Finding]:
    """Return a finding for each IRI and property that point at a blank node.

    Published things have IRIs (see CONVENTIONS), so they can be linked to and cited.
    """
    pairs = {
        (quad.subject.value, quad.predicate.value)
        for quad in quads
        if isinstance(quad.object, ox.BlankNode) and isinstance(quad.subject, ox.NamedNode)
    }
    return [
        Finding(
            subject,
            predicate,
            "points at a blank node; give the thing an IRI under https://w3id.org/scograph/id/",
        )
        for subject, predicate in sorted(pairs)
    ]


def _ox_str(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _read_all(
    sources: list[tuple[Path, str | None]], root: Path
) -> tuple[list[ParsedFile], list[Problem]]:
    """Parse every file; return the parsed files, or one problem per file that is broken."""
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    for path, graph in sources:
        try:
            parsed.append(read_file(path, graph))
        except RdfFileError as error:
            problems.append(Problem(_relative(path, root), error.line, None, None, error.message))
    return parsed, problems


def _to_graph(files: Iterable[ParsedFile]) -> Graph:
    """Return the union of the files' statements as one rdflib graph (graph names dropped)."""
    graph = Graph()
    for parsed in files:
        for quad in parsed.quads:
            graph.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    return graph


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    # rdflib writes xsd:string literals without a datatype; keep them comparable.
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's log of ill-typed literals (e.g. a 30 February); SHACL reports them."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _display_root(ontology_dir: Path, data_dir: Path) -> Path:
    """Return the folder file names are shown relative to: the one holding both folders."""
    common = Path(os.path.commonpath([ontology_dir.resolve(), data_dir.resolve()]))
    return common if common != Path(common.anchor) else data_dir.resolve().parent


def _relative(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


class _Locator:
    """Places findings in files: the file holding the statements, and the line they start on."""

    def __init__(self, files: Sequence[ParsedFile], root: Path) -> None:
        self._root = root
        self._files = {parsed.path: parsed for parsed in files}
        self._indexes: dict[Path, _LineIndex] = {}
        self._by_pair: dict[tuple[str, str], Path] = {}
        self._by_node: dict[str, Path] = {}
        for parsed in files:
            for quad in parsed.quads:
                subject = _ox_str(quad.subject)
                self._by_pair.setdefault((subject, quad.predicate.value), parsed.path)
                self._by_node.setdefault(subject, parsed.path)
                if isinstance(quad.graph_name, ox.NamedNode):
                    self._by_node.setdefault(quad.graph_name.value, parsed.path)
        self._fallback = files[-1].path if files else root

    def place(self, finding: Finding) -> Problem:
        """Return the finding as a problem in the file and on the line where it is written."""
        path = self._file_of(finding)
        line = None
        if path in self._files and finding.node is not None:
            line = self._index(path).line_of(finding.node, finding.property)
        return Problem(
            _relative(path, self._root), line, finding.node, finding.property, finding.message
        )

    def _file_of(self, finding: Finding) -> Path:
        node = finding.node or ""
        pair = self._by_pair.get((node, finding.property or ""))
        return pair or self._by_node.get(node) or self._fallback

    def _index(self, path: Path) -> "_LineIndex":
        if path not in self._indexes:
            text = path.read_text(encoding="utf-8")
            self._indexes[path] = _LineIndex(text.splitlines(), self._files[path].prefixes)
        return self._indexes[path]


# An IRI written in full, or a prefixed name (prefix:local), or the keyword "a".
_TOKEN = re.compile(
    r"<([^<>\"\s]*)>|(?<![\w:<\"-])([A-Za-z][\w.-]*)?:((?:[\w-]|\.(?=[\w-]))*)|(?<![\w:<-])(a)(?=\s)"
)
# A statement ends with " ." (or a graph with "}") at the end of a line: a rough but
# sufficient test for the layout of the project's files.
_STATEMENT_END = re.compile(r"(\s\.|\})\s*(#.*)?$")


class _LineIndex:
    """Where each IRI is written in one Turtle or TriG file, to find lines without rescanning."""

    def __init__(self, lines: Sequence[str], prefixes: dict[str, str]) -> None:
        self._lines_of: dict[str, list[int]] = {}
        self._statement_starts: dict[str, list[int]] = {}
        self._ends: list[int] = []
        for number, text in enumerate(lines):
            for match in _TOKEN.finditer(text):
                iri = _expand(match, prefixes)
                if iri is None:
                    continue
                self._lines_of.setdefault(iri, []).append(number)
                if not text[: match.start()].strip():
                    self._statement_starts.setdefault(iri, []).append(number)
            if _STATEMENT_END.search(text):
                self._ends.append(number)

    def line_of(self, node: str, prop: str | None) -> int | None:
        """Return the 1-based line of the statement about ``node`` with ``prop``, if written.

        Otherwise the line where a statement about ``node`` starts, or where ``node``
        is first written at all; ``None`` if it is not written in this file.
        """
        starts = self._statement_starts.get(node, [])
        if not starts:
            anywhere = self._lines_of.get(node)
            return anywhere[0] + 1 if anywhere else None
        uses = self._lines_of.get(prop or "", [])
        for start in starts:
            end = self._end_of(start)
            at = bisect_left(uses, start)
            if at < len(uses) and uses[at] <= end:
                return uses[at] + 1
        return starts[0] + 1

    def _end_of(self, start: int) -> int:
        at = bisect_left(self._ends, start)
        return self._ends[at] if at < len(self._ends) else start


def _expand(match: re.Match[str], prefixes: dict[str, str]) -> str | None:
    full, prefix, local, keyword = match.groups()
    if full is not None:
        return full
    if keyword is not None:
        return str(RDF.type)
    namespace = prefixes.get(prefix or "")
    return None if namespace is None else namespace + (local or "")
