"""The benchmark's query mix: one SPARQL query per file in ``queries/``.

Each file starts with a header of ``# key: value`` comment lines, as the project's
example queries do, plus ``accept``: the media type the benchmark asks for.
"""

from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

QUERY_DIR = Path(__file__).parent / "queries"


@dataclass(frozen=True)
class Query:
    """One query of the mix: its name (the file stem), header fields and SPARQL text."""

    name: str
    title: str
    description: str
    accept: str
    sparql: str


def load_queries(folder: Path = QUERY_DIR, only: list[str] | None = None) -> list[Query]:
    """Return the queries in ``folder`` in file-name order, optionally only those named.

    ``only`` holds names or prefixes of names (``"01"`` picks ``01-point-lookup``).
    Raises :class:`ValueError` for a file without a ``title`` or ``accept`` header, or
    for a name in ``only`` that matches no file.
    """
    queries = [parse_query(path) for path in sorted(folder.glob("*.rq"))]
    if only is None:
        return queries
    picked = [q for q in queries if any(q.name.startswith(prefix) for prefix in only)]
    missing = [p for p in only if not any(q.name.startswith(p) for q in queries)]
    if missing:
        raise ValueError(f"no query named {', '.join(missing)} in {folder.name}/")
    return picked


def parse_query(path: Path) -> Query:
    """Read one query file; the header comments are kept out of the SPARQL text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = list(takewhile(lambda line: line.startswith("#"), lines))
    header = {
        key.strip(): value.strip() for key, _, value in (c[1:].partition(":") for c in comments)
    }
    for key in ("title", "accept"):
        if key not in header:
            raise ValueError(f"{path.name}: missing '# {key}:' header")
    return Query(
        name=path.stem,
        title=header["title"],
        description=header.get("description", ""),
        accept=header["accept"],
        sparql="\n".join(lines[len(comments) :]).strip() + "\n",
    )
