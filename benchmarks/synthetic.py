"""A seeded, synthetic SCO-like graph written as N-Quads.

The shape follows the curated data: cities in provinces in countries, twinnings as
things of their own with ``sg:sisterOf`` only for established ones, forums held in
cities with organisers and speakers, organisations, people and reported figures.
Facts sit in one named graph per (synthetic) source, reference facts in
``graph/geography`` and ``graph/sco-membership``, and the consequences a reasoner
would add (inverse and symmetric properties, superclasses) in ``graph/inferred``,
so a query over the union default graph sees what it would see on the real store.

The same seed and size always give the same file, byte for byte.
"""

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from benchmarks import vocabulary as v

# Quads one city brings on average, with its share of twinnings, forums, people,
# organisations, figures and sources; measured on generated data, used to pick the
# number of cities for a target size.
QUADS_PER_CITY = 31.2

_GEOGRAPHY = f"<{v.graph('geography')}>"
_MEMBERSHIP = f"<{v.graph('sco-membership')}>"
_ONTOLOGY = f"<{v.graph('ontology')}>"
_INFERRED = f"<{v.graph('inferred')}>"

_A = f"<{v.RDF_TYPE}>"
_LABEL = f"<{v.RDFS}label>"
_PREF = f"<{v.SKOS}prefLabel>"


def iri(value: str) -> str:
    """Return ``value`` as an N-Quads IRI term."""
    return f"<{value}>"


def sg(term: str) -> str:
    """Return an ontology term as an N-Quads IRI term, e.g. ``sg("City")``."""
    return f"<{v.SG}{term}>"


def text(value: str, lang: str = "en") -> str:
    """Return a language-tagged N-Quads literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def typed(value: object, datatype: str) -> str:
    """Return an N-Quads literal of an XSD datatype, e.g. ``typed(3, "integer")``."""
    return f'"{value}"^^<{v.XSD}{datatype}>'


@dataclass
class _City:
    key: str
    name: str
    country: str
    node: str


@dataclass
class GraphStats:
    """What was generated: quads written and things of each kind."""

    quads: int = 0
    things: Counter[str] = field(default_factory=Counter)


class _Writer:
    """Writes quads and counts them."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.stats = GraphStats()

    def quad(self, subject: str, predicate: str, obj: str, graph: str) -> None:
        self._out.write(f"{subject} {predicate} {obj} {graph} .\n")
        self.stats.quads += 1

    def thing(self, kind: str, key: str, graph: str, *classes: str) -> str:
        """Type a new thing of ``kind`` in ``graph`` and return its IRI term."""
        node = iri(v.entity(kind, key))
        for cls in classes:
            self.quad(node, _A, cls, graph)
        self.stats.things[kind] += 1
        return node


class _Keys:
    """Hands out unique keys: the slug, or the slug with a suffix on a clash."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, *candidates: str) -> str:
        for key in candidates:
            if key not in self._taken:
                self._taken.add(key)
                return key
        # At 10M quads the generated names run out: number the last candidate.
        for number in itertools.count(2):
            key = f"{candidates[-1]}-{number}"
            if key not in self._taken:
                self._taken.add(key)
                return key
        raise AssertionError("unreachable")


class SyntheticGraph:
    """Generates the graph for ``cities`` cities with ``rng``; see :func:`write_graph`."""

    def __init__(self, out: TextIO, cities: int, rng: random.Random) -> None:
        self.w = _Writer(out)
        self.rng = rng
        self.n = max(cities, len(v.SEED_CITIES) + 10)
        self.cities: list[_City] = []
        self.provinces: dict[str, list[str]] = {}
        self.sources: list[tuple[str, str]] = []
        self.organisations: list[str] = []
        self.people: list[str] = []
        self.forums: list[str] = []

    def run(self) -> GraphStats:
        self._ontology()
        self._countries()
        self._provinces()
        self._cities()
        self._sources()
        self._twinnings()
        self._organisations()
        self._people()
        self._forums()
        self._observations()
        return self.w.stats

    def _name(self, suffix: bool) -> tuple[str, str]:
        """Return a new (English, Russian) place or person name."""
        parts = self.rng.choices(v.SYLLABLES, k=self.rng.randint(2, 3))
        end = self.rng.choice(v.PLACE_SUFFIXES) if suffix else ("", "")
        latin = "".join(p[0] for p in parts) + end[0]
        cyrillic = "".join(p[1] for p in parts) + end[1]
        return latin.capitalize(), cyrillic.capitalize()

    def _source(self) -> tuple[str, str]:
        """Return (graph, source) terms of a random source the next fact comes from."""
        return self.rng.choice(self.sources)

    def _labels(self, node: str, graph: str, en: str, ru: str | None = None) -> None:
        self.w.quad(node, _PREF, text(en), graph)
        self.w.quad(node, _LABEL, text(en), graph)
        if ru:
            self.w.quad(node, _PREF, text(ru, "ru"), graph)

    def _date(self, first_year: int, last_year: int) -> str:
        year = self.rng.randint(first_year, last_year)
        return f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def _ontology(self) -> None:
        schemes = {
            "TwinningStatusScheme": [s for s, _ in v.TWINNING_STATUSES],
            "UnitScheme": list(v.UNITS),
            "MembershipStatusScheme": list(v.MEMBERSHIP_STATUSES),
        }
        skos = f"<{v.SKOS}"
        for scheme, concepts in schemes.items():
            self.w.quad(sg(scheme), _A, f"{skos}ConceptScheme>", _ONTOLOGY)
            for concept in concepts:
                self.w.quad(sg(concept), _A, f"{skos}Concept>", _ONTOLOGY)
                self.w.quad(sg(concept), f"{skos}inScheme>", sg(scheme), _ONTOLOGY)
                self.w.quad(sg(concept), _PREF, text(concept), _ONTOLOGY)

    def _countries(self) -> None:
        sco = self.w.thing("organisation", "sco", _MEMBERSHIP, sg("Organisation"))
        self._labels(sco, _MEMBERSHIP, "Shanghai Cooperation Organisation")
        for index, (key, name, iso2, _) in enumerate(v.COUNTRIES):
            node = self.w.thing("country", key, _GEOGRAPHY, sg("Country"))
            self._labels(node, _GEOGRAPHY, name)
            self.w.quad(node, sg("iso3166Alpha2"), typed(iso2, "string"), _GEOGRAPHY)
            status = v.MEMBERSHIP_STATUSES[min(index // 10, 2)]
            membership = self.w.thing("membership", f"{key}--sco", _MEMBERSHIP, sg("SCOMembership"))
            self.w.quad(membership, sg("memberCountry"), node, _MEMBERSHIP)
            self.w.quad(membership, sg("organisation"), sco, _MEMBERSHIP)
            self.w.quad(membership, sg("membershipStatus"), sg(status), _MEMBERSHIP)
            self.w.quad(
                membership, sg("startDate"), typed(self._date(2001, 2024), "date"), _MEMBERSHIP
            )

    def _provinces(self) -> None:
        total = sum(c[3] for c in v.COUNTRIES)
        keys = _Keys()
        for country, _, iso2, weight in v.COUNTRIES:
            # About 25 cities a province, so a province query stays small at any size.
            count = max(1, self.n * weight // total // 25)
            named = [("shandong", "Shandong", "Шаньдун"), ("hubei", "Hubei", "Хубэй")]
            seeds = named if country == "china" else []
            generated = [
                (key.lower(), key, ru) for key, ru in (self._name(False) for _ in range(count))
            ]
            self.provinces[country] = []
            for slug, en, ru in seeds + generated:
                key = keys.claim(slug, f"{slug}-{iso2.lower()}", f"{slug}-{country}")
                node = self.w.thing("province", key, _GEOGRAPHY, sg("Province"))
                self._labels(node, _GEOGRAPHY, en, ru)
                self.w.quad(node, sg("country"), iri(v.entity("country", country)), _GEOGRAPHY)
                self.w.quad(node, _A, sg("Place"), _INFERRED)
                self.provinces[country].append(node)

    def _cities(self) -> None:
        keys = _Keys()
        countries = [c[0] for c in v.COUNTRIES]
        weights = [c[3] for c in v.COUNTRIES]
        iso2 = {c[0]: c[2].lower() for c in v.COUNTRIES}
        seed_provinces = {"qingdao": 0, "wuhan": 1}
        for index in range(self.n):
            if index < len(v.SEED_CITIES):
                slug, en, ru, country, _ = v.SEED_CITIES[index]
                province = self.provinces[country][seed_provinces.get(slug, -1)]
            else:
                en, ru = self._name(True)
                slug = en.lower()
                country = self.rng.choices(countries, weights)[0]
                province = self.rng.choice(self.provinces[country])
            geonames_id = str(90_000_000 + index)
            key = keys.claim(slug, f"{slug}-{iso2[country]}", f"{slug}-{geonames_id}")
            node = self.w.thing("city", key, _GEOGRAPHY, sg("City"))
            self._labels(node, _GEOGRAPHY, en, ru)
            self.w.quad(node, sg("geonamesId"), typed(geonames_id, "string"), _GEOGRAPHY)
            lat, long = self.rng.uniform(0, 60), self.rng.uniform(20, 135)
            self.w.quad(node, f"<{v.GEO}lat>", typed(f"{lat:.4f}", "decimal"), _GEOGRAPHY)
            self.w.quad(node, f"<{v.GEO}long>", typed(f"{long:.4f}", "decimal"), _GEOGRAPHY)
            self.w.quad(node, sg("inProvince"), province, _GEOGRAPHY)
            self.w.quad(node, sg("country"), iri(v.entity("country", country)), _GEOGRAPHY)
            self.w.quad(node, _A, sg("Place"), _INFERRED)
            self.w.quad(node, _A, f"<{v.SCHEMA}City>", _INFERRED)
            self.cities.append(_City(key, en, country, node))

    def _sources(self) -> None:
        for index in range(max(5, self.n // 40)):
            key = f"synthetic-{index:05d}"
            graph, source = iri(v.graph(key)), iri(v.entity("source", key))
            self.w.quad(graph, _A, sg("SourceGraph"), graph)
            self.w.quad(graph, f"<{v.PROV}wasDerivedFrom>", source, graph)
            self.w.quad(graph, f"<{v.DCTERMS}license>", iri(v.CC_BY), graph)
            self.w.quad(graph, f"<{v.DCTERMS}title>", text(f"Facts from source {index}"), graph)
            self.w.thing("source", key, graph, sg("Source"), f"<{v.SCHEMA}NewsArticle>")
            self.w.quad(source, f"<{v.DCTERMS}title>", text(f"Synthetic article {index}"), graph)
            self.w.quad(source, f"<{v.DCTERMS}publisher>", text("Synthetic News"), graph)
            self.w.quad(source, f"<{v.DCTERMS}date>", typed(self._date(2015, 2024), "date"), graph)
            self.w.quad(source, sg("fileName"), typed(f"{key}.txt", "string"), graph)
            self.w.quad(source, f"<{v.DCTERMS}language>", typed("en", "string"), graph)
            self.sources.append((graph, source))

    def _twinnings(self) -> None:
        seeds = len(v.SEED_CITIES)
        generated = self.cities[seeds:]
        pairs: set[tuple[int, int]] = set()
        # Seed cities get a fixed number of partners; generated cities about two each.
        wanted = [(i, c[4]) for i, c in enumerate(v.SEED_CITIES)]
        wanted += [(i, self.rng.choice((0, 1, 1, 1, 2))) for i in range(seeds, self.n)]
        for first, count in wanted:
            for _ in range(count):
                second = seeds + self.rng.randrange(len(generated))
                if self.cities[second].country == self.cities[first].country:
                    # Twinnings cross borders; one redraw keeps a few domestic pairs.
                    second = seeds + self.rng.randrange(len(generated))
                pair = (min(first, second), max(first, second))
                if first != second and pair not in pairs:
                    pairs.add(pair)
                    self._twinning(*sorted((self.cities[first], self.cities[second]), key=_key))

    def _twinning(self, a: _City, b: _City) -> None:
        graph, source = self._source()
        statuses = [s for s, _ in v.TWINNING_STATUSES]
        status = self.rng.choices(statuses, [w for _, w in v.TWINNING_STATUSES])[0]
        node = self.w.thing("twinning", f"{a.key}--{b.key}", graph, sg("Twinning"))
        self.w.quad(node, sg("twinnedCity"), a.node, graph)
        self.w.quad(node, sg("twinnedCity"), b.node, graph)
        self.w.quad(node, sg("twinningStatus"), sg(status), graph)
        self.w.quad(node, _LABEL, text(f"{a.name} – {b.name}"), graph)
        self.w.quad(node, sg("source"), source, graph)
        if status == "Established":
            if self.rng.random() < 0.9:
                self.w.quad(node, sg("startDate"), typed(self._date(1980, 2024), "date"), graph)
            self.w.quad(a.node, sg("sisterOf"), b.node, graph)
            # sg:sisterOf is symmetric: the reasoner adds the other direction.
            self.w.quad(b.node, sg("sisterOf"), a.node, _INFERRED)

    def _organisations(self) -> None:
        kinds = (
            "Friendship Association",
            "Chamber of Commerce",
            "Municipal Government",
            "University",
            "Cultural Centre",
        )
        keys = _Keys()
        for _ in range(self.n // 8):
            city = self.rng.choice(self.cities)
            kind = self.rng.choice(kinds)
            slug = f"{city.key}-{_slug(kind)}"
            key = keys.claim(slug, *(f"{slug}-{i}" for i in range(2, 50)))
            graph, _ = self._source()
            node = self.w.thing("organisation", key, graph, sg("Organisation"))
            self._labels(node, graph, f"{city.name} {kind}")
            self.w.quad(node, sg("country"), iri(v.entity("country", city.country)), graph)
            self.w.quad(node, sg("headquarters"), city.node, graph)
            self.w.quad(node, _A, f"<{v.ORG}Organization>", _INFERRED)
            self.w.quad(node, _A, f"<{v.SCHEMA}Organization>", _INFERRED)
            self.organisations.append(node)

    def _people(self) -> None:
        keys = _Keys()
        for _ in range(self.n // 2):
            given, family = self._name(False)[0], self._name(False)[0]
            slug = f"{given}-{family}".lower()
            key = keys.claim(slug, *(f"{slug}-{i}" for i in range(2, 50)))
            graph, _ = self._source()
            node = self.w.thing("person", key, graph, sg("Person"))
            self.w.quad(node, f"<{v.FOAF}name>", text(f"{given} {family}"), graph)
            self._labels(node, graph, f"{given} {family}")
            self.w.quad(node, _A, f"<{v.FOAF}Person>", _INFERRED)
            self.w.quad(node, _A, f"<{v.SCHEMA}Person>", _INFERRED)
            self.people.append(node)

    def _forums(self) -> None:
        keys = _Keys()
        for _ in range(self.n // 4):
            city = self.rng.choice(self.cities)
            theme = self.rng.choice(v.FORUM_THEMES)
            year = self.rng.randint(2005, 2024)
            slug = f"{city.key}-{_slug(theme)}-{year}"
            key = keys.claim(slug, *(f"{slug}-{i}" for i in range(2, 50)))
            graph, source = self._source()
            node = self.w.thing("forum", key, graph, sg("Forum"))
            self._labels(node, graph, f"{city.name} {theme} Forum {year}")
            self.w.quad(node, sg("heldIn"), city.node, graph)
            organiser = self.rng.choice(self.organisations)
            self.w.quad(node, sg("organisedBy"), organiser, graph)
            self.w.quad(organiser, sg("organised"), node, _INFERRED)
            start = f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 25):02d}"
            end = f"{start[:8]}{int(start[8:]) + self.rng.randint(0, 3):02d}"
            self.w.quad(node, sg("startDate"), typed(start, "date"), graph)
            self.w.quad(node, sg("endDate"), typed(end, "date"), graph)
            self.w.quad(node, sg("theme"), text(theme), graph)
            self.w.quad(node, sg("source"), source, graph)
            for speaker in self.rng.sample(self.people, 3):
                self.w.quad(node, sg("speaker"), speaker, graph)
                self.w.quad(speaker, sg("spokeAt"), node, _INFERRED)
            self.w.quad(node, _A, f"<{v.SCHEMA}Event>", _INFERRED)
            self.forums.append(node)

    def _observations(self) -> None:
        for index in range(self.n // 2):
            graph, source = self._source()
            node = self.w.thing("observation", f"synthetic-{index:07d}", graph, sg("Observation"))
            self.w.quad(node, sg("value"), typed(self.rng.randint(1, 5000), "integer"), graph)
            self.w.quad(node, sg("unit"), sg(self.rng.choice(v.UNITS)), graph)
            about = self.rng.choice(self.forums) if index % 2 else self.rng.choice(self.cities).node
            self.w.quad(node, sg("about"), about, graph)
            self.w.quad(node, sg("pointInTime"), typed(self._date(2010, 2024), "date"), graph)
            self.w.quad(node, sg("source"), source, graph)
            if self.rng.random() < 0.3:
                self.w.quad(node, sg("comparator"), typed("over", "string"), graph)


def _key(city: _City) -> str:
    return city.key


def _slug(words: str) -> str:
    return words.lower().replace("'", "").replace(" ", "-")


def write_graph(out: TextIO, target_quads: int, seed: int) -> GraphStats:
    """Write a graph of about ``target_quads`` quads to ``out`` as N-Quads; return its stats.

    >>> import io
    >>> write_graph(io.StringIO(), 5_000, seed=1).quads > 4_000
    True
    """
    cities = round(target_quads / QUADS_PER_CITY)
    return SyntheticGraph(out, cities, random.Random(seed)).run()
