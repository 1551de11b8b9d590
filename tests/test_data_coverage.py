"""The curated data: every source has its graph, and the key facts of each text are in it.

The data is loaded as the build loads it (every TriG file with its own named graphs),
without reasoning, so each check sees only what the files assert, graph by graph.
"""

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from scograph import resources
from scograph.rdf_files import parse_file, project_quads

DATA = resources.data_dir()
CURATED_FILES = sorted((DATA / "sources").glob("*.trig")) + sorted(
    (DATA / "reference").glob("*.trig")
)

BASE = "https://w3id.org/scograph/"
GRAPH = BASE + "graph/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"

# source key -> seed file name, as in the team contract
SOURCES = {
    "tdi-2023-06-16-qingdao-forums": "000_755b2d33644b452e.txt",
    "peoples-daily-2023-06-friendship-cities": "001_f632c1d555667f8b.txt",
    "gnp-2023-06-16-qingdao-initiative": "002_335e20cb0aa5320a.txt",
    "wuhan-initiative-2021-06-03": "003_d30cdb98d3fd804b.txt",
    "china-plus-2018-06-11-cultural-exchanges": "004_136ba648e99dbd5c.txt",
}

PREFIXES = """
PREFIX sg: <https://w3id.org/scograph/ontology#>
PREFIX city: <https://w3id.org/scograph/id/city/>
PREFIX country: <https://w3id.org/scograph/id/country/>
PREFIX forum: <https://w3id.org/scograph/id/forum/>
PREFIX initiative: <https://w3id.org/scograph/id/initiative/>
PREFIX organisation: <https://w3id.org/scograph/id/organisation/>
PREFIX person: <https://w3id.org/scograph/id/person/>
PREFIX post: <https://w3id.org/scograph/id/post/>
PREFIX project: <https://w3id.org/scograph/id/project/>
PREFIX source: <https://w3id.org/scograph/id/source/>
PREFIX twinning: <https://w3id.org/scograph/id/twinning/>
PREFIX g: <https://w3id.org/scograph/graph/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.extend(project_quads(resources.ontology_dir(), DATA))
    return store


def ask(store: ox.Store, where: str) -> bool:
    return bool(store.query(f"{PREFIXES} ASK {{ {where} }}"))


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    results = store.query(PREFIXES + query)
    names = [variable.value for variable in results.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in results]


# ---------------------------------------------------------------------------
# Files and graphs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", CURATED_FILES, ids=lambda p: p.name)
def test_curated_file_puts_everything_in_the_graph_named_after_it(path: Path) -> None:
    quads = parse_file(path)
    assert quads
    assert {q.graph_name for q in quads} == {ox.NamedNode(GRAPH + path.stem)}
    assert not any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object))


@pytest.mark.parametrize("key", SOURCES)
def test_source_graph_declares_licence_and_derivation(store: ox.Store, key: str) -> None:
    assert ask(
        store,
        f"""GRAPH g:{key} {{
              g:{key} a sg:SourceGraph ;
                dcterms:license <{CC_BY}> ;
                dcterms:title ?title ;
                prov:wasDerivedFrom source:{key} .
            }}""",
    )


@pytest.mark.parametrize("key", SOURCES)
def test_source_is_described_in_its_own_graph(store: ox.Store, key: str) -> None:
    rows = select(
        store,
        f"""SELECT ?title ?publisher ?date ?file ?language WHERE {{
              GRAPH g:{key} {{
                source:{key} a sg:Source ;
                  dcterms:title ?title ;
                  dcterms:publisher ?publisher ;
                  dcterms:date ?date ;
                  sg:fileName ?file ;
                  dcterms:language ?language .
              }}
            }}""",
    )
    assert len(rows) == 1
    assert rows[0]["file"] == SOURCES[key]
    assert rows[0]["language"] == "en"


def test_reference_graphs_declare_their_licences_and_sources(store: ox.Store) -> None:
    for name, licence in (("sco-membership", CC_BY), ("geography", CC_BY), ("wikidata-links", CC0)):
        assert ask(
            store,
            f"""GRAPH g:{name} {{
                  g:{name} a sg:SourceGraph ; dcterms:license <{licence}> ;
                    prov:wasDerivedFrom ?src .
                  ?src a sg:Source .
                }}""",
        ), name
    urls = {
        r["url"]
        for r in select(
            store, "SELECT ?url WHERE { GRAPH g:sco-membership { ?s schema:url ?url } }"
        )
    }
    assert "https://en.wikipedia.org/wiki/Shanghai_Cooperation_Organisation" in urls


def test_preferred_labels_do_not_conflict_across_graphs(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?thing ?lang (COUNT(DISTINCT ?label) AS ?labels) WHERE {
             GRAPH ?g { ?thing skos:prefLabel ?label }
             FILTER (STRSTARTS(STR(?thing), "https://w3id.org/scograph/id/"))
             BIND (LANG(?label) AS ?lang)
           } GROUP BY ?thing ?lang HAVING (COUNT(DISTINCT ?label) > 1)""",
    )
    assert rows == []


def test_quotes_are_short(store: ox.Store) -> None:
    rows = select(store, "SELECT ?quote WHERE { GRAPH ?g { ?s sg:quote ?quote } }")
    assert rows
    assert max(len(r["quote"]) for r in rows) <= 400


# ---------------------------------------------------------------------------
# People's Daily, June 2023
# ---------------------------------------------------------------------------


def test_peoples_daily_graph_has_baisalov_post_and_the_bishkek_twinning(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:peoples-daily-2023-06-friendship-cities {
             ?tenure sg:holder person:edil-baisalov ;
               sg:post post:deputy-prime-minister-of-kyrgyzstan ;
               sg:pointInTime "2023-06"^^xsd:gYearMonth .
             twinning:bishkek--qingdao sg:twinnedCity city:bishkek , city:qingdao ;
               sg:twinningStatus sg:Established ;
               sg:startDate "2021"^^xsd:gYear ;
               sg:source source:peoples-daily-2023-06-friendship-cities .
             city:qingdao sg:sisterOf city:bishkek .
           }""",
    )


def test_peoples_daily_graph_has_its_figures(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?value ?unit WHERE { GRAPH g:peoples-daily-2023-06-friendship-cities {
             ?o a sg:Observation ; sg:value ?value ; sg:unit ?unit ;
               sg:source source:peoples-daily-2023-06-friendship-cities } }""",
    )
    sg = "https://w3id.org/scograph/ontology#"
    assert {(r["value"], r["unit"].removeprefix(sg)) for r in rows} == {
        ("450", "CityPairUnit"),
        ("419", "ProjectUnit"),
        ("240000000", "USDollar"),
        ("13", "ProjectUnit"),
        ("380000", "USDollar"),
        ("15", "CityUnit"),
        ("12", "CountryUnit"),
    }
    assert ask(
        store,
        """GRAPH g:peoples-daily-2023-06-friendship-cities {
             ?o sg:value 450 ; sg:comparator "over" ; sg:periodStart "2001"^^xsd:gYear .
             ?p sg:value 419 ; sg:pointInTime "2023-03-31"^^xsd:date ; sg:about city:qingdao .
           }""",
    )


def test_peoples_daily_graph_has_new_sister_cities_without_sister_of(store: ox.Store) -> None:
    for pair in ("dushanbe--qingdao", "qingdao--yerevan"):
        assert ask(
            store,
            f"""GRAPH g:peoples-daily-2023-06-friendship-cities {{
                  twinning:{pair} sg:twinningStatus sg:Announced }}""",
        )
        assert not ask(store, f"GRAPH ?g {{ twinning:{pair} sg:startDate ?date }}")
    assert not ask(
        store,
        """GRAPH g:peoples-daily-2023-06-friendship-cities {
             { city:qingdao sg:sisterOf city:dushanbe }
             UNION { city:dushanbe sg:sisterOf city:qingdao }
             UNION { city:qingdao sg:sisterOf city:yerevan }
             UNION { city:yerevan sg:sisterOf city:qingdao } }""",
    )


def test_peoples_daily_graph_has_the_street_project_and_xi_proposals(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:peoples-daily-2023-06-friendship-cities {
             project:deng-xiaoping-street-upgrade-bishkek a sg:Project ;
               sg:partnerCity city:qingdao , city:bishkek ; dcterms:date "2022"^^xsd:gYear .
             ?first dcterms:creator person:xi-jinping ; dcterms:date "2020-11"^^xsd:gYearMonth .
             ?second dcterms:creator person:xi-jinping ; dcterms:date "2022-09"^^xsd:gYearMonth ;
               sg:proposedAt ?summit .
             ?summit schema:location city:samarkand .
           }""",
    )


# ---------------------------------------------------------------------------
# TDI, 16 June 2023
# ---------------------------------------------------------------------------


def test_tdi_graph_has_the_samarkand_intention_and_no_sister_of(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:tdi-2023-06-16-qingdao-forums {
             twinning:qingdao--samarkand sg:twinnedCity city:qingdao , city:samarkand ;
               sg:twinningStatus sg:Intention ;
               sg:source source:tdi-2023-06-16-qingdao-forums .
           }""",
    )
    assert not ask(
        store,
        """{ city:qingdao sg:sisterOf city:samarkand }
           UNION { city:samarkand sg:sisterOf city:qingdao }""",
    )


def test_tdi_graph_has_attendance_of_400_people_from_16_countries(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:tdi-2023-06-16-qingdao-forums {
             ?people sg:value 400 ; sg:unit sg:PersonUnit ;
               sg:about forum:sco-friendship-forums-2023-qingdao .
             ?countries sg:value 16 ; sg:unit sg:CountryUnit ;
               sg:about forum:sco-friendship-forums-2023-qingdao .
           }""",
    )


def test_tdi_graph_has_its_dates_theme_and_spelling(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:tdi-2023-06-16-qingdao-forums {
             forum:sco-friendship-forums-2023-qingdao sg:startDate "2023-06-15"^^xsd:date ;
               sg:endDate "2023-06-16"^^xsd:date ;
               sg:theme "Expanding Cooperation"@en .
             city:qingdao skos:altLabel "Qingdai"@en .
             organisation:cpaffc
               skos:altLabel "Chinese People’s Society for Friendship with Abroad"@en .
           }""",
    )


def test_tdi_unnamed_chairman_is_not_lin_songtian(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:tdi-2023-06-16-qingdao-forums {
             person:unnamed-chairman-of-cpaffc-2023 a sg:Person }""",
    )
    assert not ask(
        store, "GRAPH g:tdi-2023-06-16-qingdao-forums { ?tenure sg:holder person:lin-songtian }"
    )
    assert not ask(
        store,
        """{ person:unnamed-chairman-of-cpaffc-2023 owl:sameAs ?x }
           UNION { ?x owl:sameAs person:unnamed-chairman-of-cpaffc-2023 }""",
    )


# ---------------------------------------------------------------------------
# GNP, 16 June 2023
# ---------------------------------------------------------------------------


def test_gnp_graph_has_one_day_forum_three_organisers_and_five_proposals(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?position WHERE { GRAPH g:gnp-2023-06-16-qingdao-initiative {
             ?proposal sg:proposalOf initiative:qingdao-initiative-2023 ;
               schema:position ?position } }
           ORDER BY ?position""",
    )
    assert [r["position"] for r in rows] == ["1", "2", "3", "4", "5"]
    organisers = select(
        store,
        """SELECT ?o WHERE { GRAPH g:gnp-2023-06-16-qingdao-initiative {
             forum:sco-friendship-forums-2023-qingdao sg:organisedBy ?o ;
               sg:startDate "2023-06-15"^^xsd:date ; sg:endDate "2023-06-15"^^xsd:date } }""",
    )
    assert {r["o"].rsplit("/", 1)[1] for r in organisers} == {
        "sco-good-neighbourliness-commission",
        "cpaffc",
        "shandong-provincial-peoples-government",
    }


# ---------------------------------------------------------------------------
# Wuhan Initiative, 3 June 2021
# ---------------------------------------------------------------------------


def test_wuhan_graph_names_sixteen_partners_each_with_a_country(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?partner ?country WHERE { GRAPH g:wuhan-initiative-2021-06-03 {
             initiative:wuhan-initiative-2021 sg:namesPartner ?partner .
             OPTIONAL { ?partner sg:country ?country } } }""",
    )
    assert len(rows) == 16
    assert all("country" in r for r in rows)


def test_wuhan_graph_has_organisers_presidency_and_figures(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:wuhan-initiative-2021-06-03 {
             forum:sco-people-to-people-friendship-forum-2021-wuhan sg:heldIn city:wuhan ;
               sg:startDate "2021-06-03"^^xsd:date ;
               sg:organisedBy organisation:sco-good-neighbourliness-commission ,
                 organisation:cpaffc , organisation:hubei-provincial-peoples-government .
             ?tenure sg:post post:sco-rotating-presidency ; org:member country:tajikistan ;
               sg:pointInTime "2021-06-03"^^xsd:date .
             ?countries sg:value 18 ; sg:unit sg:CountryUnit .
             ?population sg:value 3000000000 ; sg:comparator "over" ; sg:unit sg:PersonUnit .
           }""",
    )


# ---------------------------------------------------------------------------
# China Plus, 11 June 2018
# ---------------------------------------------------------------------------


def test_china_plus_graph_has_its_three_people(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:china-plus-2018-06-11-cultural-exchanges {
             ?song sg:holder person:song-jingwu ; sg:post post:vice-president-of-cpaffc ;
               sg:pointInTime "2018-06-11"^^xsd:date .
             ?akram sg:holder person:khalid-taimur-akram ; sg:pointInTime "2018-06-11"^^xsd:date .
             organisation:sco-youth-league schema:founder person:olim-alimov .
           }""",
    )
    assert not ask(
        store, "GRAPH g:china-plus-2018-06-11-cultural-exchanges { ?person sg:spokeAt ?forum }"
    )


# ---------------------------------------------------------------------------
# Reference graphs
# ---------------------------------------------------------------------------


def test_twinnings_have_two_cities_and_sister_of_only_when_established(store: ox.Store) -> None:
    assert not ask(
        store,
        """GRAPH ?g { ?t a sg:Twinning }
           { SELECT ?t (COUNT(DISTINCT ?city) AS ?n) WHERE { ?t sg:twinnedCity ?city } GROUP BY ?t }
           FILTER (?n != 2)""",
    )
    for key in SOURCES:
        assert not ask(
            store,
            f"""GRAPH g:{key} {{ ?a sg:sisterOf ?b }}
                FILTER NOT EXISTS {{ GRAPH g:{key} {{
                  ?t sg:twinnedCity ?a , ?b ; sg:twinningStatus sg:Established }} }}""",
        ), key


def test_geography_matches_the_geonames_file(store: ox.Store) -> None:
    path = DATA / "reference" / "third_party" / "seed_city_coordinates_geonames.csv"
    with path.open(encoding="utf-8") as file:
        rows = {r["entity_key"].removeprefix("city_"): r for r in csv.DictReader(file)}
    graph = {
        r["city"].rsplit("/", 1)[1]: r
        for r in select(
            store,
            """SELECT ?city ?id ?lat ?long WHERE { GRAPH g:geography {
                 ?city a sg:City ; sg:geonamesId ?id ;
                   <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat ;
                   <http://www.w3.org/2003/01/geo/wgs84_pos#long> ?long } }""",
        )
    }
    assert set(graph) == set(rows)
    for key, row in rows.items():
        assert graph[key]["id"] == row["geonameid"]
        assert float(graph[key]["lat"]) == float(row["latitude"])
        assert float(graph[key]["long"]) == float(row["longitude"])
    assert ask(
        store,
        """GRAPH g:geography {
             city:qingdao sg:inProvince <https://w3id.org/scograph/id/province/shandong> .
             city:wuhan sg:inProvince <https://w3id.org/scograph/id/province/hubei> .
             city:bishkek sg:capitalOf country:kyrgyzstan .
             city:dushanbe sg:capitalOf country:tajikistan .
             city:yerevan sg:capitalOf country:armenia . }""",
    )


def test_wikidata_links_come_only_from_the_verified_list(store: ox.Store) -> None:
    path = DATA / "reference" / "third_party" / "wikidata_qids.csv"
    with path.open(encoding="utf-8") as file:
        verified = {row["qid"] for row in csv.DictReader(file)}
    rows = select(
        store, "SELECT ?thing ?item WHERE { GRAPH g:wikidata-links { ?thing owl:sameAs ?item } }"
    )
    linked = [r["item"].removeprefix("http://www.wikidata.org/entity/") for r in rows]
    assert set(linked) <= verified
    assert len(linked) == len(set(linked))
    [declared] = select(
        store, "SELECT ?n WHERE { GRAPH g:wikidata-links { g:wikidata-links void:triples ?n } }"
    )
    assert int(declared["n"]) == len(linked)
    for key in SOURCES:
        assert not ask(store, f"GRAPH g:{key} {{ ?x owl:sameAs ?y }}"), key


def test_sco_membership_graph_has_the_founding_and_the_recent_members(store: ox.Store) -> None:
    assert ask(
        store,
        """GRAPH g:sco-membership {
             organisation:sco schema:foundingDate "2001-06-15"^^xsd:date ;
               skos:prefLabel "上海合作组织"@zh-Hans , "Шанхайская организация сотрудничества"@ru .
             ?iran sg:memberCountry country:iran ; sg:membershipStatus sg:MemberState ;
               sg:startDate "2023-07-04"^^xsd:date .
             ?belarus sg:memberCountry country:belarus ; sg:membershipStatus sg:MemberState ;
               sg:startDate "2024-07-04"^^xsd:date .
           }""",
    )
    codes = select(
        store,
        """SELECT ?code WHERE { GRAPH g:sco-membership {
             ?c a sg:Country ; sg:iso3166Alpha2 ?code } }""",
    )
    assert len({r["code"] for r in codes}) == 27
