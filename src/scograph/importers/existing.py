"""What the project's graph already holds that an import must agree with.

Imported places and twinnings join the curated ones rather than duplicate them:
a city the graph knows by its GeoNames id keeps its IRI, a twinning the texts
name keeps its status, and a key already taken is not minted twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from scograph.namespaces import ID, ONTOLOGY, entity_iri
from scograph.rdf_files import data_files, parse_file

# The seed cities and their GeoNames ids are fixed by the team contract; they
# are used when the geography graph is not there (a partial checkout, a test).
SEED_CITIES: dict[str, str] = {
    "1797929": "qingdao",
    "1791247": "wuhan",
    "1528675": "bishkek",
    "1527534": "osh",
    "1221874": "dushanbe",
    "616052": "yerevan",
    "1216265": "samarkand",
}

_CITY = ONTOLOGY + "City"
_GEONAMES_ID = ONTOLOGY + "geonamesId"
_TWINNING = ONTOLOGY + "Twinning"
_STATUS = ONTOLOGY + "twinningStatus"
_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_CITY_NAMESPACE = ID + "city/"


@dataclass(frozen=True)
class ExistingGraph:
    """Cities, twinnings and Wikidata links found in the project's other data files."""

    city_by_geonames_id: dict[str, str]
    city_keys: frozenset[str]
    twinning_statuses: dict[str, frozenset[str]]
    same_as: dict[str, frozenset[str]]


def read_existing(data_dir: Path, exclude_graphs: Iterable[str] = ()) -> ExistingGraph:
    """Read the data files below ``data_dir``, leaving out the named graphs ``exclude_graphs``.

    An import leaves out the graphs it writes, wherever they are, so that what it
    wrote last time never counts as what the graph already had.
    """
    skip = {ox.NamedNode(g) for g in exclude_graphs}
    store = ox.Store()
    for path in data_files(data_dir):
        store.bulk_extend(q for q in parse_file(path) if q.graph_name not in skip)
    city_by_id = {gid: entity_iri("city", key) for gid, key in SEED_CITIES.items()}
    for row in store.query(
        f"SELECT ?city ?id WHERE {{ GRAPH ?g {{ ?city <{_GEONAMES_ID}> ?id }} }}"
    ):
        if row["city"].value.startswith(_CITY_NAMESPACE):
            city_by_id[row["id"].value] = row["city"].value
    keys = {iri.removeprefix(_CITY_NAMESPACE) for iri in city_by_id.values()}
    keys |= {
        quad.subject.value.removeprefix(_CITY_NAMESPACE)
        for quad in store.quads_for_pattern(None, None, None)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(_CITY_NAMESPACE)
    }
    statuses: dict[str, set[str]] = {}
    for row in store.query(
        f"""SELECT ?t ?status WHERE {{ GRAPH ?g {{ ?t a <{_TWINNING}> }}
              OPTIONAL {{ GRAPH ?h {{ ?t <{_STATUS}> ?status }} }} }}"""
    ):
        found = statuses.setdefault(row["t"].value, set())
        if row["status"] is not None:
            found.add(row["status"].value)
    same_as: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode(_SAME_AS), None):
        same_as[quad.subject.value].add(quad.object.value)
    return ExistingGraph(
        city_by_geonames_id=city_by_id,
        city_keys=frozenset(keys),
        twinning_statuses={t: frozenset(s) for t, s in statuses.items()},
        same_as={s: frozenset(o) for s, o in same_as.items()},
    )
