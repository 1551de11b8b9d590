"""Running one query against a local store, as ``scograph query`` does."""

from pathlib import Path
from typing import BinaryIO, Final

import pyoxigraph as ox

from scograph.server.union_store import union_store

RESULT_FORMATS: Final = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: Final = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
FORMAT_NAMES: Final = (*RESULT_FORMATS, *GRAPH_FORMATS)


class LocalQueryError(Exception):
    """A query that cannot run or be written in the format asked for."""


def run_query(query: str, store: Path, format_name: str | None, output: BinaryIO) -> None:
    """Run ``query`` on the store at ``store`` (union default graph) and write its answer.

    Without ``format_name``, results are SPARQL JSON and graphs Turtle. Raises
    :class:`LocalQueryError` for a syntax error (with line and column) or a format
    that does not fit the query.
    """
    if format_name is not None and format_name not in FORMAT_NAMES:
        raise LocalQueryError(
            f"Unknown format {format_name!r}; use one of {', '.join(FORMAT_NAMES)}."
        )
    with union_store(store) as union:
        database = ox.Store.read_only(str(union or store))
        try:
            # The union the endpoint serves: stored in the copy, else Oxigraph's union view.
            results = database.query(query, use_default_graph_as_union=union is None)
        except SyntaxError as error:
            raise LocalQueryError(f"Syntax error: {error}") from error
        if isinstance(results, ox.QueryTriples):
            formats, default, kind = GRAPH_FORMATS, "ttl", "a graph"
        else:
            formats, default, kind = RESULT_FORMATS, "json", "results"
        name = format_name or default
        if name not in formats:
            raise LocalQueryError(
                f"This query gives {kind}: use --format {' | '.join(formats)}, not {name}."
            )
        results.serialize(output, formats[name])
    output.flush()
