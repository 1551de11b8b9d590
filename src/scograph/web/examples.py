"""The example queries of ``queries/*.rq``, read with their header.

A file starts with comment lines ``# title:``, ``# description:`` and
``# keywords:`` (comma-separated), then the query. The query shown in the editor
is the whole file, header included: the comments are valid SPARQL and tell the
reader what the query is for.
"""

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(title|description|keywords)\s*:\s*(.*?)\s*$")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


@dataclass(frozen=True)
class Example:
    """One example query."""

    name: str
    title: str
    description: str
    keywords: tuple[str, ...]
    text: str


def read_example(path: Path) -> Example:
    """Read one ``.rq`` file; its name (the file name without ``.rq``) is its key."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    for line in text.splitlines():
        found = _HEADER.match(line)
        if found is None:
            if line.strip() and not line.startswith("#"):
                break
            continue
        fields.setdefault(found.group(1), found.group(2))
    keywords = tuple(k.strip() for k in fields.get("keywords", "").split(",") if k.strip())
    return Example(
        name=path.stem,
        title=fields.get("title") or path.stem,
        description=fields.get("description", ""),
        keywords=keywords,
        text=text,
    )


def read_examples(folder: Path) -> list[Example]:
    """Every example in ``folder``, in file-name order (their numbers give the order)."""
    if not folder.is_dir():
        return []
    return [read_example(path) for path in sorted(folder.glob("*.rq"))]


def find_example(examples: list[Example], name: str) -> Example | None:
    """The example called ``name`` (None for an unknown or malformed name)."""
    if not _NAME.fullmatch(name):
        return None
    return next((e for e in examples if e.name == name), None)
