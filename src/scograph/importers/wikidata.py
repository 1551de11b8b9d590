"""Confirming Wikidata items for imported cities against a 2016 crawl of P190.

The crawl (``L3viathan/sister-cities``) lists P190 "twinned administrative body"
statements between Wikidata items, and one label per item (German first, then
English, French, Italian, Spanish). A QID is given to a city only when the crawl
confirms it: the crawl twins that item with an item of the city's partner, and
both items' labels are names of the two cities (as printed on Wikipedia, or as
GeoNames knows them). A city that gets two different items, or an item that
would go to two cities, gets none.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scograph.importers.place_names import fold


@dataclass(frozen=True)
class Crawl:
    """The P190 crawl: labels by item, items by folded label, and unordered twin pairs."""

    labels: dict[str, str]
    items_by_name: dict[str, frozenset[str]]
    pairs: frozenset[frozenset[str]]

    @classmethod
    def load(cls, names_tsv: Path, relations_tsv: Path) -> "Crawl":
        """Read ``names.tsv`` (qid, label) and ``relations.tsv`` (subject, object)."""
        labels = dict(_rows(names_tsv))
        by_name: dict[str, set[str]] = defaultdict(set)
        for qid, label in labels.items():
            by_name[fold(label)].add(qid)
        pairs = frozenset(frozenset(row) for row in _rows(relations_tsv) if row[0] != row[1])
        return cls(labels, {k: frozenset(v) for k, v in by_name.items()}, pairs)

    def items_named(self, names: Iterable[str]) -> frozenset[str]:
        """Return the items whose label folds to one of ``names`` (already folded)."""
        return frozenset().union(*(self.items_by_name.get(n, frozenset()) for n in names))


@dataclass(frozen=True)
class CityNames:
    """The names one city is known by: as printed on Wikipedia, and in GeoNames."""

    printed: frozenset[str]
    geonames: frozenset[str]

    def all(self) -> frozenset[str]:
        """Return every folded name of the city."""
        return self.printed | self.geonames

    def how(self, label: str) -> str:
        """Say how a label that names the city does: "printed" or only "geonames"."""
        return "printed" if fold(label) in self.printed else "geonames"


@dataclass(frozen=True)
class Confirmation:
    """A QID for a city, with the twinning that confirms it and how its label matched."""

    city: str
    qid: str
    label: str
    label_match: str
    partner_qid: str
    partner_label: str
    twinning: str


def confirm(
    crawl: Crawl, twinnings: Iterable[tuple[str, tuple[str, CityNames], tuple[str, CityNames]]]
) -> list[Confirmation]:
    """Return the confirmations the crawl gives for ``(twinning, (city, names), (city, names))``.

    A twinning confirms its two cities' items only when exactly one P190 pair of
    the crawl joins an item named like the one city to an item named like the other.
    """
    found: list[Confirmation] = []
    for twinning, (city_a, names_a), (city_b, names_b) in twinnings:
        items_a, items_b = crawl.items_named(names_a.all()), crawl.items_named(names_b.all())
        pairs = [
            (a, b)
            for a in sorted(items_a)
            for b in sorted(items_b)
            if a != b and frozenset((a, b)) in crawl.pairs
        ]
        if len(pairs) != 1:
            continue
        qa, qb = pairs[0]
        la, lb = crawl.labels[qa], crawl.labels[qb]
        found.append(Confirmation(city_a, qa, la, names_a.how(la), qb, lb, twinning))
        found.append(Confirmation(city_b, qb, lb, names_b.how(lb), qa, la, twinning))
    return found


@dataclass(frozen=True)
class Links:
    """The QIDs kept, one per city, and the cities left without one, with why."""

    by_city: dict[str, list[Confirmation]]
    conflicts: dict[str, str]


def one_item_per_city(confirmations: Iterable[Confirmation]) -> Links:
    """Keep a QID only where a city has one item and the item has one city."""
    by_city: dict[str, list[Confirmation]] = defaultdict(list)
    cities_of_item: dict[str, set[str]] = defaultdict(set)
    for confirmation in confirmations:
        by_city[confirmation.city].append(confirmation)
        cities_of_item[confirmation.qid].add(confirmation.city)
    kept: dict[str, list[Confirmation]] = {}
    conflicts: dict[str, str] = {}
    for city, found in sorted(by_city.items()):
        qids = sorted({c.qid for c in found})
        shared = [q for q in qids if len(cities_of_item[q]) > 1]
        if len(qids) > 1:
            conflicts[city] = f"the crawl confirms several items: {', '.join(qids)}"
        elif shared:
            others = sorted(cities_of_item[shared[0]] - {city})
            conflicts[city] = f"{shared[0]} is confirmed for other cities too: {', '.join(others)}"
        else:
            kept[city] = sorted(found, key=lambda c: c.twinning)
    return Links(kept, conflicts)


def _rows(path: Path) -> Iterable[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as lines:
        for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 2:
                yield row[0].strip(), row[1].strip()
