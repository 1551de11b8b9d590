"""Reading the pairs of Wikipedia's twin-town lists and keeping the SCO ones.

The input (``twin_cities_raw.csv``: city1, country1, city2, country2) prints
each pair as its page does, some pairs twice (once from each side, sometimes
with the country spelt differently). A pair is identified by its two (name,
country code) sides, in either order.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scograph.importers.countries import UnknownCountryError, country_code


@dataclass(frozen=True, order=True)
class Side:
    """One city of a printed pair: the name as printed and its country's ISO code."""

    country: str
    name: str


@dataclass(frozen=True)
class PrintedPair:
    """A pair of cities as the lists print it, with the CSV lines that print it."""

    a: Side
    b: Side
    lines: tuple[int, ...] = field(compare=False)


@dataclass(frozen=True)
class ListPairs:
    """The pairs read, those kept (both cities in SCO countries), and strings not mapped."""

    rows: int
    pairs: int
    kept: tuple[PrintedPair, ...]
    unmapped_countries: Counter[str]


def read_pairs(path: Path, countries: set[str]) -> ListPairs:
    """Read the CSV and keep the pairs whose two cities lie in ``countries`` (ISO codes).

    Each distinct country string goes through :func:`country_code`; a string no
    table knows is counted in ``unmapped_countries`` and its pairs are not kept.
    """
    lines: dict[frozenset[Side], list[int]] = {}
    unmapped: Counter[str] = Counter()
    rows = 0
    with path.open(encoding="utf-8", newline="") as handle:
        # Line numbers as an editor shows them: the header is line 1.
        for line, row in enumerate(csv.DictReader(handle), start=2):
            rows += 1
            sides = []
            for name_column, country_column in (("city1", "country1"), ("city2", "country2")):
                printed_country = row[country_column]
                try:
                    code = country_code(printed_country)
                except UnknownCountryError:
                    code = None
                if code is None:
                    unmapped[printed_country] += 1
                # An unmapped country keeps its printed string, so the pair still counts once.
                sides.append(
                    Side(code or f"?{printed_country}", " ".join(row[name_column].split()))
                )
            lines.setdefault(frozenset(sides), []).append(line)
    kept = []
    for key, found in lines.items():
        a, b = sorted(key) if len(key) == 2 else (next(iter(key)),) * 2
        if a.country in countries and b.country in countries:
            kept.append(PrintedPair(a, b, tuple(found)))
    kept.sort(key=lambda p: (p.a, p.b))
    return ListPairs(rows, len(lines), tuple(kept), unmapped)
