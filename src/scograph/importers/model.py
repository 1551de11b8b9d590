"""What an import of twin-town lists decided: cities, twinnings, pairs left out."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from scograph.importers.geonames import Place
from scograph.importers.place_names import fold, split_qualifier
from scograph.importers.resolve import Resolution
from scograph.importers.twin_lists import ListPairs, PrintedPair
from scograph.importers.wikidata import CityNames, Links


@dataclass(frozen=True)
class City:
    """A resolved place as it enters the graph: its IRI and the names printed for it."""

    iri: str
    place: Place
    country_iri: str
    printed: tuple[str, ...]
    is_new: bool

    @property
    def label(self) -> str:
        """The English label: the most printed name, qualifier removed."""
        return preferred_label(self.printed, self.place)

    @property
    def alternate_labels(self) -> list[str]:
        """The other printed names, with their qualifiers, for skos:altLabel."""
        return sorted(
            {*self.printed, *(split_qualifier(p).base for p in self.printed)} - {self.label}
        )

    def names(self) -> CityNames:
        """Return the city's names for matching Wikidata labels."""
        return CityNames(
            printed=frozenset(fold(split_qualifier(p).base) for p in self.printed),
            geonames=frozenset(self.place.names()),
        )


@dataclass(frozen=True)
class Twinning:
    """One twinning of two resolved cities, with the printed pairs behind it."""

    iri: str
    cities: tuple[City, City]
    pairs: tuple[PrintedPair, ...]
    existing_statuses: frozenset[str] | None

    @property
    def label(self) -> str:
        """The label "A – B", with the cities in the order of the IRI's keys."""
        return f"{self.cities[0].label} – {self.cities[1].label}"


@dataclass(frozen=True)
class Dropped:
    """A kept pair left out of the graph, and why."""

    pair: PrintedPair
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """Everything an import decided, for the graphs and the report."""

    import_date: date
    pairs: ListPairs
    resolutions: dict[tuple[str, str], Resolution]
    cities: dict[str, City]
    twinnings: list[Twinning]
    dropped: list[Dropped]
    links: Links
    already_linked: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        """The figures of the summary, by name (see :mod:`scograph.importers.report`)."""
        resolved = [r for r in self.resolutions.values() if r.resolved]
        return {
            "rows read": self.pairs.rows,
            "pairs read": self.pairs.pairs,
            "pairs kept": len(self.pairs.kept),
            "cities kept": len(self.resolutions),
            "cities resolved": len(resolved),
            "cities unresolved": len(self.resolutions) - len(resolved),
            "places": len(self.cities),
            "new cities": sum(c.is_new for c in self.cities.values()),
            "pairs left out": len(self.dropped),
            "twinnings": len(self.twinnings),
            "twinnings also in other graphs": sum(
                t.existing_statuses is not None for t in self.twinnings
            ),
            "QIDs added": len(self.links.by_city),
            "QIDs already linked": len(self.already_linked),
            "QID conflicts": len(self.links.conflicts),
        }


def preferred_label(printed: tuple[str, ...], place: Place) -> str:
    """The most printed base name; ties go to GeoNames' spelling, then alphabetical order."""
    counts = Counter(split_qualifier(p).base for p in printed)
    return min(counts, key=lambda n: (-counts[n], fold(n) != fold(place.name), n))
