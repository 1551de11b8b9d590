"""Reading the project's RDF files: the ontology (Turtle) and the data (TriG).

Every file is parsed completely before anything is used, so a broken file is
reported with its name, line and column and nothing half-read is loaded.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from scograph import resources
from scograph.namespaces import ONTOLOGY_GRAPH

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class RdfFileError(Exception):
    """A file that is not valid RDF, with where the parser stopped."""

    path: Path
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else str(self.path)
        return f"{where}: {self.message}"


def ontology_files(ontology_dir: Path) -> list[Path]:
    """Return the ontology's Turtle files (the shapes are not part of the ontology)."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")


def data_files(data_dir: Path) -> list[Path]:
    """Return every TriG file below ``data_dir``, in a stable order."""
    return sorted(data_dir.rglob("*.trig"))


@dataclass(frozen=True)
class ParsedFile:
    """One parsed file: its quads and the prefixes it declares (name -> namespace IRI)."""

    path: Path
    quads: list[ox.Quad]
    prefixes: dict[str, str]


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Parse one file into quads.

    Turtle triples go to ``graph`` (or the default graph); TriG keeps its own graphs.
    Raises :class:`RdfFileError` with line and column on the first syntax error.
    """
    return read_file(path, graph).quads


def read_file(path: Path, graph: str | None = None) -> ParsedFile:
    """Parse one file like :func:`parse_file`, keeping the prefixes it declares too.

    The prefixes let a validator point at the line where a prefixed name is written.
    Raises :class:`RdfFileError` with line and column on the first syntax error.
    """
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise RdfFileError(path, None, None, f"unknown RDF file type {path.suffix!r}")
    target = ox.NamedNode(graph) if graph else None
    try:
        parser = ox.parse(path=path, format=fmt, base_iri=path.resolve().as_uri())
        quads = list(parser)
    except SyntaxError as error:
        raise RdfFileError(path, error.lineno, error.offset, _parser_message(error)) from error
    except (OSError, ValueError) as error:
        raise RdfFileError(path, None, None, str(error)) from error
    if target is not None:
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    return ParsedFile(path, quads, dict(parser.prefixes))


def _parser_message(error: SyntaxError) -> str:
    return str(error.msg) if error.msg else str(error)


def project_quads(ontology_dir: Path, data_dir: Path) -> Iterator[ox.Quad]:
    """Yield the quads of the ontology (in its own graph) and of every data file.

    All files are parsed before the first quad is yielded.
    """
    parsed: list[Iterable[ox.Quad]] = [
        parse_file(p, ONTOLOGY_GRAPH) for p in ontology_files(ontology_dir)
    ]
    parsed += [parse_file(p) for p in data_files(data_dir)]
    for quads in parsed:
        yield from quads


def source_fingerprint(ontology_dir: Path | None = None, data_dir: Path | None = None) -> str:
    """Return a short hash of every input file, to tell whether a built store is current.

    Kept here, away from the reasoner and rdflib, so that ``scograph serve`` can find
    its cached store without importing them.
    """
    ontology_dir = ontology_dir or resources.ontology_dir()
    data_dir = data_dir or resources.data_dir()
    digest = hashlib.sha256()
    for path in [*ontology_files(ontology_dir), *data_files(data_dir)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
