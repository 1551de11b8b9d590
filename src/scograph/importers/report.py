"""The import report: the summary figures and every decision a reviewer may check.

Markdown, sorted, and free of timings and machine paths, so that it changes
only when the input or the importer does.
"""

import hashlib
from collections import Counter
from pathlib import Path

from scograph.importers.model import ImportResult
from scograph.importers.resolve import Resolution
from scograph.importers.reviewed import REVIEWED

# Methods whose answer a reviewer should glance at: not a plain unique name.
_CAREFUL = ("alternate name", "largest of the same name", "reviewed: chosen")


def write_report(result: ImportResult, path: Path, inputs: dict[str, Path] | None = None) -> None:
    """Write the Markdown report of ``result`` to ``path``."""
    path.write_text(render_report(result, inputs or {}), encoding="utf-8")


def render_report(result: ImportResult, inputs: dict[str, Path]) -> str:
    """Return the report as Markdown; ``inputs`` maps a file's name to its path, for checksums."""
    parts = [
        "# Import report: twinnings from Wikipedia's lists of twin towns\n",
        f"Written by `scograph import twinnings`, import date {result.import_date.isoformat()}. "
        "Do not edit: run the import again.\n",
        _inputs(inputs),
        _summary(result),
        _unmapped(result),
        _unresolved(result),
        _resolved_with_care(result),
        _dropped(result),
        _shared(result),
        _wikidata(result),
    ]
    return "\n".join(p for p in parts if p).rstrip() + "\n"


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _inputs(inputs: dict[str, Path]) -> str:
    if not inputs:
        return ""
    rows = [
        (name, hashlib.sha256(path.read_bytes()).hexdigest())
        for name, path in sorted(inputs.items())
    ]
    return "## Inputs\n\n" + _table(("file", "SHA-256"), rows)


def _summary(result: ImportResult) -> str:
    rows = list(result.summary.items())
    return (
        "## Summary\n\n"
        "Pairs are counted once whichever side prints them, after mapping country names to "
        "ISO codes; kept pairs have both cities in SCO member, observer or dialogue-partner "
        "countries; cities are the distinct (country, printed name) of the kept pairs.\n\n"
        + _table(("figure", "count"), rows)
    )


def _unmapped(result: ImportResult) -> str:
    counts = result.pairs.unmapped_countries
    if not counts:
        return ""
    rows = [(repr(name), n) for name, n in sorted(counts.items())]
    return (
        "## Country cells that name no country\n\n"
        "Their pairs count as read but are never kept.\n\n" + _table(("printed", "cells"), rows)
    )


def _lost_pairs(result: ImportResult) -> Counter[tuple[str, str]]:
    lost: Counter[tuple[str, str]] = Counter()
    for dropped in result.dropped:
        for side in (dropped.pair.a, dropped.pair.b):
            lost[side.country, side.name] += 1
    return lost


def _candidates(resolution: Resolution) -> str:
    shown = [f"{p.name} ({p.geonames_id}, pop. {p.population})" for p in resolution.candidates[:4]]
    more = len(resolution.candidates) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _unresolved(result: ImportResult) -> str:
    lost = _lost_pairs(result)
    rows = [
        (country, name, r.method, r.note, _candidates(r), lost[country, name])
        for (country, name), r in sorted(result.resolutions.items())
        if not r.resolved
    ]
    return (
        "## Unresolved cities\n\n"
        "Each is left out, with every pair that needs it. Reasons: *administrative area* (the "
        "name is a district, region or province), *no match* (no place of that name in "
        "GeoNames' cities500 in that country), *ambiguous* (several plausible places), "
        "*no match near qualifier*, *reviewed: left out* (checked by hand, see "
        "`reviewed.py`).\n\n"
        + _table(("country", "printed", "reason", "detail", "candidates", "pairs lost"), rows)
    )


def _resolved_with_care(result: ImportResult) -> str:
    rows = []
    for (country, name), r in sorted(result.resolutions.items()):
        if r.place and (r.method in _CAREFUL or r.note):
            rows.append(
                (country, name, r.method, f"{r.place.name} ({r.place.geonames_id})", r.note)
            )
    return (
        "## Cities resolved other than by a unique name\n\n"
        f"By an alternate name, as the largest of several places of the name, near a qualifier, "
        f"or by hand ({sum(1 for k in REVIEWED if REVIEWED[k].geonames_id)} reviewed choices).\n\n"
        + _table(("country", "printed", "method", "GeoNames place", "note"), rows)
    )


def _dropped(result: ImportResult) -> str:
    rows = [
        (
            ", ".join(map(str, d.pair.lines)),
            f"{d.pair.a.name} ({d.pair.a.country})",
            f"{d.pair.b.name} ({d.pair.b.country})",
            d.reason,
        )
        for d in sorted(result.dropped, key=lambda d: d.pair.lines)
    ]
    return "## Pairs left out\n\nBy CSV line (the header is line 1).\n\n" + _table(
        ("line", "city", "city", "why"), rows
    )


def _shared(result: ImportResult) -> str:
    rows = [
        (
            t.iri.rsplit("/", 1)[-1],
            ", ".join(s.rsplit("#", 1)[-1] for s in sorted(t.existing_statuses)) or "none",
        )
        for t in result.twinnings
        if t.existing_statuses is not None
    ]
    if not rows:
        return ""
    return (
        "## Twinnings the graph already has\n\n"
        "One twinning with both sources. Where another graph gives a status other than "
        "Established, that status is kept and this import asserts neither a status nor "
        "sg:sisterOf for the pair.\n\n" + _table(("twinning", "status elsewhere"), rows)
    )


def _wikidata(result: ImportResult) -> str:
    links = result.links
    kinds = Counter(found[0].label_match for found in links.by_city.values())
    text = (
        "## Wikidata\n\n"
        f"{len(links.by_city)} QIDs added ({kinds['printed']} with the label as printed on "
        f"Wikipedia, {kinds['geonames']} with a label GeoNames knows); "
        f"{len(result.already_linked)} cities were already linked to the same item elsewhere.\n"
    )
    if links.conflicts:
        rows = [(city.rsplit("/", 1)[-1], why) for city, why in sorted(links.conflicts.items())]
        text += "\nLeft without a QID:\n\n" + _table(("city", "why"), rows)
    return text
