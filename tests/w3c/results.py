"""Parse SPARQL query results in every format the suite uses, and compare them as the W3C
rules say: solution sequences as multisets (sequences under ORDER BY) up to a consistent
renaming of blank nodes, terms by RDF term equality, booleans by value.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.term import Node

from .equality import canonical_term
from .rdf_io import media_type, to_rdflib

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

# Result media types by the extension of an expected-result file.
RESULT_MEDIA_TYPES = {
    "srx": "application/sparql-results+xml",
    "srj": "application/sparql-results+json",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
}
_OXIGRAPH_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}

Row = tuple[Node | None, ...]


@dataclass(frozen=True)
class Table:
    """A solution sequence: variable names and rows of terms (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    def project(self, variables: Sequence[str]) -> tuple[Row, ...]:
        """Return the rows with their columns in the order of `variables`."""
        index = [self.variables.index(v) for v in variables]
        return tuple(tuple(row[i] for i in index) for row in self.rows)


QueryResult = Table | bool


def parse_results(data: bytes, content_type: str) -> QueryResult:
    """Parse a SPARQL results document (XML, JSON, TSV or CSV) into a Table or a boolean.

    Raises ValueError for an unsupported media type and SyntaxError for invalid data.
    """
    kind = media_type(content_type)
    if kind == "text/csv":
        return _parse_csv(data)
    if kind not in _OXIGRAPH_FORMATS:
        raise ValueError(f"not a SPARQL results media type: {content_type!r}")
    parsed = ox.parse_query_results(data, _OXIGRAPH_FORMATS[kind])
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    variables = tuple(v.value for v in parsed.variables)
    rows = tuple(
        tuple(None if s[v] is None else to_rdflib(s[v]) for v in variables) for s in parsed
    )
    return Table(variables, rows)


def _parse_csv(data: bytes) -> Table:
    """Parse CSV results; CSV drops term kinds, so every value is kept as a plain string,
    except `_:` labels, which stay blank nodes for the isomorphism check."""
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, body = records[0], records[1:]
    rows = tuple(tuple(_csv_term(cell) for cell in record) for record in body)
    return Table(tuple(header), rows)


def _csv_term(cell: str) -> Node | None:
    if cell == "":
        return None
    return BNode(cell[2:]) if cell.startswith("_:") else Literal(cell)


def result_set_from_graph(graph: Graph) -> QueryResult | None:
    """Read a DAWG rs:ResultSet (results written as RDF), or None if the graph has none."""
    result_set = graph.value(predicate=RDF.type, object=RS.ResultSet)
    if result_set is None:
        return None
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return str(boolean) == "true"
    variables = tuple(sorted(str(v) for v in graph.objects(result_set, RS.resultVariable)))
    solutions = sorted(
        graph.objects(result_set, RS.solution),
        key=lambda s: int(graph.value(s, RS.index) or 0),
    )
    rows = []
    for solution in solutions:
        bound = {
            str(graph.value(b, RS.variable)): graph.value(b, RS.value)
            for b in graph.objects(solution, RS.binding)
        }
        rows.append(tuple(bound.get(v) for v in variables))
    return Table(variables, tuple(rows))


def compare_results(expected: QueryResult, actual: QueryResult, ordered: bool) -> str | None:
    """Return why `actual` differs from `expected`, or None when they match."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        if expected is actual:
            return None
        return f"expected {_describe(expected)}, got {_describe(actual)}"
    if set(expected.variables) != set(actual.variables):
        return f"variables differ: expected {expected.variables}, got {actual.variables}"
    variables = sorted(expected.variables)
    want, got = (
        _canonical_rows(expected.project(variables)),
        _canonical_rows(actual.project(variables)),
    )
    if len(want) != len(got):
        return _row_diff(f"expected {len(want)} rows, got {len(got)}", want, got)
    if not rows_isomorphic(want, got):
        return _row_diff("solutions differ", want, got)
    if ordered and not rows_isomorphic(want, got, ordered=True):
        return _row_diff("same solutions, but not in the order ORDER BY requires", want, got)
    return None


def _canonical_rows(rows: Iterable[Row]) -> tuple[Row, ...]:
    return tuple(tuple(canonical_term(t) for t in row) for row in rows)


def _describe(result: QueryResult) -> str:
    return f"boolean {result}" if isinstance(result, bool) else f"{len(result.rows)} solutions"


def _row_diff(headline: str, want: Sequence[Row], got: Sequence[Row]) -> str:
    """Show the rows one side has and the other lacks (blank nodes shown as _:)."""

    def shape(rows: Iterable[Row]) -> Counter[str]:
        return Counter(" ".join("_:" if isinstance(t, BNode) else _n3(t) for t in r) for r in rows)

    missing, extra = shape(want) - shape(got), shape(got) - shape(want)
    lines = [headline]
    lines += [f"  missing: {r}" for r in list(missing.elements())[:10]]
    lines += [f"  unexpected: {r}" for r in list(extra.elements())[:10]]
    return "\n".join(lines)


def _n3(term: Node | None) -> str:
    return "UNDEF" if term is None else term.n3()


def rows_isomorphic(want: Sequence[Row], got: Sequence[Row], ordered: bool = False) -> bool:
    """Tell whether two row lists are equal up to a one-to-one renaming of blank nodes that
    is the same in every row (as multisets, or position by position when `ordered`)."""
    if len(want) != len(got):
        return False
    if ordered:
        mapping: _Mapping | None = ({}, {})
        for w, g in zip(want, got, strict=True):
            mapping = _extend(mapping, w, g) if mapping else None
        return mapping is not None
    ground_want = [r for r in want if not _has_bnode(r)]
    ground_got = [r for r in got if not _has_bnode(r)]
    if Counter(ground_want) != Counter(ground_got):
        return False
    return _search([r for r in want if _has_bnode(r)], [r for r in got if _has_bnode(r)])


# A blank-node bijection, as the forward and the backward maps.
_Mapping = tuple[dict[BNode, BNode], dict[BNode, BNode]]


def _has_bnode(row: Row) -> bool:
    return any(isinstance(t, BNode) for t in row)


def _shape(row: Row) -> Row:
    """The row with every blank node replaced by one marker: rows can only match if equal."""
    return tuple(BNode("_") if isinstance(t, BNode) else t for t in row)


def _search(want: list[Row], got: list[Row]) -> bool:
    """Backtracking search for a blank-node bijection matching every row of `want` to a
    distinct row of `got`; candidates are restricted to rows of the same shape."""
    candidates = [[j for j, g in enumerate(got) if _shape(g) == _shape(w)] for w in want]
    order = sorted(range(len(want)), key=lambda i: len(candidates[i]))
    used: set[int] = set()

    def step(k: int, mapping: _Mapping) -> bool:
        if k == len(order):
            return True
        i = order[k]
        for j in candidates[i]:
            if j in used:
                continue
            extended = _extend(mapping, want[i], got[j])
            if extended is None:
                continue
            used.add(j)
            if step(k + 1, extended):
                return True
            used.discard(j)
        return False

    return step(0, ({}, {}))


def _extend(mapping: _Mapping, want: Row, got: Row) -> _Mapping | None:
    """Return `mapping` extended so that `want` maps onto `got`, or None if impossible."""
    forward, backward = dict(mapping[0]), dict(mapping[1])
    for w, g in zip(want, got, strict=True):
        if isinstance(w, BNode) and isinstance(g, BNode):
            if forward.setdefault(w, g) != g or backward.setdefault(g, w) != w:
                return None
        elif w != g:
            return None
    return forward, backward
