"""Writing the dump files of a release: one family of files per licence view.

Every file is a pure function of the data: statements in canonical sorted order,
gzip written with a fixed header (no time stamp, no file name), so the same data
always gives the same bytes.
"""

import gzip
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from scograph.publish.canonical import in_line_order, sorted_lines
from scograph.publish.rdf import write_rdf
from scograph.publish.views import View

Shape = Literal["dataset", "union"]


@dataclass(frozen=True)
class DumpFormat:
    """A kind of dump file: its suffix, syntax, compression and what it holds."""

    suffix: str
    rdf_format: ox.RdfFormat
    gzipped: bool
    shape: Shape
    description: str

    @property
    def media_type(self) -> str:
        """The media type of the (uncompressed) content."""
        return self.rdf_format.media_type


DATASET_NQUADS = DumpFormat(
    ".nq.gz", ox.RdfFormat.N_QUADS, True, "dataset", "every named graph, N-Quads, sorted, gzip"
)
DATASET_TRIG = DumpFormat(".trig", ox.RdfFormat.TRIG, False, "dataset", "every named graph, TriG")
UNION_NTRIPLES = DumpFormat(
    ".nt.gz", ox.RdfFormat.N_TRIPLES, True, "union", "union of the graphs, N-Triples, sorted, gzip"
)
UNION_TURTLE = DumpFormat(
    ".ttl", ox.RdfFormat.TURTLE, False, "union", "union of the graphs, Turtle"
)
UNION_JSONLD = DumpFormat(
    ".jsonld", ox.RdfFormat.JSON_LD, False, "union", "union of the graphs, JSON-LD (expanded)"
)

MAIN_FORMATS = (DATASET_NQUADS, DATASET_TRIG, UNION_NTRIPLES, UNION_TURTLE, UNION_JSONLD)
# A graph under another licence is offered once, as N-Quads: the graph name keeps
# its provenance and any store loads it next to the main dump.
OWN_LICENCE_FORMATS = (DATASET_NQUADS,)


@dataclass(frozen=True)
class DumpFile:
    """A written dump file and what the metadata says about it."""

    name: str
    view: View
    format: DumpFormat
    statements: int
    byte_size: int
    sha256: str


def write_view(
    view: View, quads_by_graph: dict[str, list[ox.Quad]], out_dir: Path
) -> list[DumpFile]:
    """Write the files of one view into ``out_dir`` and return them, in a fixed order."""
    quads = [q for graph in view.graph_iris for q in quads_by_graph.get(graph, [])]
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    formats = MAIN_FORMATS if view.is_main else OWN_LICENCE_FORMATS
    return [_write_one(view, fmt, quads, triples, out_dir) for fmt in formats]


def _write_one(
    view: View,
    fmt: DumpFormat,
    quads: list[ox.Quad],
    triples: list[ox.Triple],
    out_dir: Path,
) -> DumpFile:
    data, count = _serialise(fmt, quads, triples)
    if fmt.gzipped:
        data = gzip_bytes(data)
    name = view.key + fmt.suffix
    (out_dir / name).write_bytes(data)
    return DumpFile(
        name=name,
        view=view,
        format=fmt,
        statements=count,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _serialise(
    fmt: DumpFormat, quads: list[ox.Quad], triples: list[ox.Triple]
) -> tuple[bytes, int]:
    """Return the file content (uncompressed) and how many statements it holds."""
    if fmt.rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        statements: Sequence[ox.Quad] | Sequence[ox.Triple] = (
            quads if fmt.shape == "dataset" else triples
        )
        lines = sorted_lines(list(statements), fmt.rdf_format)
        return b"".join(lines), len(lines)
    if fmt.shape == "dataset":
        ordered = in_line_order(quads, ox.RdfFormat.N_QUADS)
        # TriG writes one block per graph, so the graphs must come one after the other.
        ordered.sort(key=lambda q: q.graph_name.value)
        return write_rdf(ordered, fmt.rdf_format), len(ordered)
    ordered_triples = in_line_order(triples, ox.RdfFormat.N_TRIPLES)
    return write_rdf(ordered_triples, fmt.rdf_format), len(ordered_triples)


def gzip_bytes(data: bytes) -> bytes:
    """Compress with gzip, with no time stamp or file name in the header (reproducible bytes)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()
