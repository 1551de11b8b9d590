"""The example queries: each one runs on the built graph and answers what the sources say.

The store is built the way ``scograph build`` builds it (ontology, every data file, the
inferred graph) and queried the way the server queries it (the default graph is the
union of the named graphs). Expected answers are written from the source texts and
the reference data, not copied from the query results.
"""

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from scograph import resources
from scograph.build import build_store

QUERY_FILES = sorted(resources.queries_dir().glob("*.rq"))

GRAPH = "https://w3id.org/scograph/graph/"
TDI = GRAPH + "tdi-2023-06-16-qingdao-forums"
PEOPLES_DAILY = GRAPH + "peoples-daily-2023-06-friendship-cities"
GNP = GRAPH + "gnp-2023-06-16-qingdao-initiative"
WUHAN = GRAPH + "wuhan-initiative-2021-06-03"
CHINA_PLUS = GRAPH + "china-plus-2018-06-11-cultural-exchanges"
TEXT_GRAPHS = {TDI, PEOPLES_DAILY, GNP, WUHAN, CHINA_PLUS}
ID = "https://w3id.org/scograph/id/"
COMMISSION = (
    "Good-Neighborliness, Friendship and Cooperation Commission"
    " of the Shanghai Cooperation Organization"
)
TDI_LABEL = "TDI, 16 June 2023: SCO People's Diplomacy Forum and Sister Cities Forum in Qingdao"

HEADER = re.compile(
    r"\A# title: (?P<title>.+)\n# description: (?P<description>.+)\n# keywords: (?P<keywords>.+)\n"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    store_dir = tmp_path_factory.mktemp("queries") / "store"
    build_store(store_dir)
    return ox.Store.read_only(str(store_dir))


def run(store: ox.Store, number: str) -> list[dict[str, str]]:
    """Run the example query ``queries/{number}-*.rq``; one dict of lexical values per row."""
    [path] = resources.queries_dir().glob(f"{number}-*.rq")
    results = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    names = [variable.value for variable in results.variables]
    return [
        {n: solution[n].value for n in names if solution[n] is not None} for solution in results
    ]


def column(rows: list[dict[str, str]], name: str) -> list[str]:
    return [row.get(name, "") for row in rows]


# ---------------------------------------------------------------------------
# Every query file
# ---------------------------------------------------------------------------


def test_there_are_at_least_25_example_queries() -> None:
    assert len(QUERY_FILES) >= 25


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_file_starts_with_title_description_and_keywords(path: Path) -> None:
    assert re.fullmatch(r"\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.rq", path.name)
    header = HEADER.match(path.read_text(encoding="utf-8"))
    assert header, f"{path.name} must start with # title:, # description: and # keywords: lines"
    assert header["title"].strip().endswith("?")
    assert len(header["description"].strip()) > 40
    assert all(keyword.strip() for keyword in header["keywords"].split(","))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_runs_on_the_built_graph_and_finds_something(store: ox.Store, path: Path) -> None:
    number = path.name[:3]
    assert run(store, number), f"{path.name} returned no rows"


# ---------------------------------------------------------------------------
# Twinnings
# ---------------------------------------------------------------------------


def test_qingdao_twinnings_carry_each_source_status_and_date(store: ox.Store) -> None:
    rows = run(store, "001")
    from_texts = {
        (r["partnerName"], r.get("status"), r.get("since"), r["graph"])
        for r in rows
        if r["graph"] in TEXT_GRAPHS
    }
    assert from_texts == {
        ("Bishkek", "established", "2021", PEOPLES_DAILY),
        ("Dushanbe", "announced", None, PEOPLES_DAILY),
        ("Yerevan", "announced", None, PEOPLES_DAILY),
        ("Samarkand", "intention", None, TDI),
    }
    assert "Qingdao" not in column(rows, "partnerName")


def test_twinnings_are_counted_per_source_and_status(store: ox.Store) -> None:
    counts = {(r["graph"], r["status"]): int(r["twinnings"]) for r in run(store, "002")}
    from_texts = {key: n for key, n in counts.items() if key[0] in TEXT_GRAPHS}
    assert from_texts == {
        (PEOPLES_DAILY, "established"): 1,
        (PEOPLES_DAILY, "announced"): 2,
        (TDI, "intention"): 1,
    }


def test_capitals_twinned_with_qingdao_are_bishkek_dushanbe_and_yerevan(store: ox.Store) -> None:
    rows = run(store, "024")
    assert {(r["capitalName"], r["countryName"], r["status"]) for r in rows} >= {
        ("Bishkek", "Kyrgyzstan", "established"),
        ("Dushanbe", "Tajikistan", "announced"),
        ("Yerevan", "Armenia", "announced"),
    }
    assert "Samarkand" not in column(rows, "capitalName")


def test_deng_xiaoping_street_is_a_qingdao_bishkek_project_of_2022(store: ox.Store) -> None:
    [row] = [r for r in run(store, "025") if "Deng Xiaoping Street" in r["name"]]
    assert set(row["partners"].split(" | ")) == {"Qingdao", "Bishkek"}
    assert row["location"] == "Bishkek"
    assert row["when"] == "2022"
    assert "list of deliverables" in row["description"]


# ---------------------------------------------------------------------------
# Forums
# ---------------------------------------------------------------------------


def test_wuhan_forum_had_three_co_organisers_all_chinese(store: ox.Store) -> None:
    rows = run(store, "003")
    assert {r["name"] for r in rows} == {
        COMMISSION,
        "Chinese People's Association for Friendship with Foreign Countries",
        "Hubei Provincial People's Government",
    }
    assert set(column(rows, "countryName")) == {"China"}


def test_sources_disagree_on_dates_theme_and_organisers_of_the_2023_forum(store: ox.Store) -> None:
    rows = {r["source"].split(",")[0]: r for r in run(store, "004")}
    assert set(rows) == {"TDI", "GNP", "People's Daily"}
    tdi, gnp, peoples_daily = rows["TDI"], rows["GNP"], rows["People's Daily"]
    assert (tdi["start"], tdi["end"]) == ("2023-06-15", "2023-06-16")
    assert (gnp["start"], gnp["end"]) == ("2023-06-15", "2023-06-15")
    assert tdi["theme"] == "Expanding Cooperation"
    assert (
        gnp["theme"] == "Promoting the ‘Shanghai Spirit’ and Promoting Friendship and Cooperation"
    )
    assert tdi["organisers"] == "Qingdao Municipal People's Government"
    assert set(gnp["organisers"].split(" | ")) == {
        COMMISSION,
        "Chinese People's Association for Friendship with Foreign Countries",
        "People's Government of Shandong Province",
    }
    assert "start" not in peoples_daily
    assert "theme" not in peoples_daily


def test_each_source_names_the_2023_forum_its_own_way(store: ox.Store) -> None:
    names = {(r["source"].split(",")[0], r["nameInSource"]) for r in run(store, "005")}
    assert ("TDI", "SCO People’s Diplomacy Forum and the Sister Cities Forum") in names
    assert (
        "People's Daily",
        "Shanghai Cooperation Organization (SCO) Forum on People-to-People Friendship"
        " and the Forum on Friendship Cities",
    ) in names
    assert (
        "GNP",
        "Shanghai Cooperation Organization Non-governmental Friendship Forum and Sister City Forum",
    ) in names


def test_forums_by_year_are_wuhan_2021_and_qingdao_2023(store: ox.Store) -> None:
    rows = {r["year"]: r for r in run(store, "015")}
    assert {year: (r["forums"], r["cities"]) for year, r in rows.items()} == {
        "2021": ("1", "Wuhan"),
        "2023": ("1", "Qingdao"),
    }


def test_speakers_of_the_2023_forum_come_from_tdi_and_peoples_daily(store: ox.Store) -> None:
    rows = run(store, "017")
    by_source = {(r["source"].split(",")[0], r["speakerName"]) for r in rows}
    assert ("People's Daily", "Edil Baisalov") in by_source
    assert ("People's Daily", "Lin Songtian") in by_source
    tdi_speakers = {name for source, name in by_source if source == "TDI"}
    assert len(tdi_speakers) == 3
    assert all("unnamed" in name for name in tdi_speakers)
    [baisalov] = [r for r in rows if r["speakerName"] == "Edil Baisalov"]
    assert baisalov["postName"] == "Deputy Prime Minister of Kyrgyzstan"


def test_three_sources_describe_the_2023_forum(store: ox.Store) -> None:
    graphs = {r["graph"] for r in run(store, "018")}
    assert graphs == {TDI, PEOPLES_DAILY, GNP}


def test_attendance_of_the_2023_forum_is_400_people_from_16_countries(store: ox.Store) -> None:
    rows = run(store, "030")
    assert {(r["value"], r["unit"]) for r in rows} == {
        ("400", "person (counting unit)"),
        ("16", "country (counting unit)"),
    }
    assert all(r["source"].startswith("TDI") for r in rows)


def test_cpaffc_and_the_commission_organised_both_forums(store: ox.Store) -> None:
    rows = run(store, "033")
    assert {r["organisation"].removeprefix(ID) for r in rows} == {
        "organisation/cpaffc",
        "organisation/sco-good-neighbourliness-commission",
    }
    assert set(column(rows, "forums")) == {"2"}


# ---------------------------------------------------------------------------
# SCO membership
# ---------------------------------------------------------------------------


def test_observers_in_june_2023_are_iran_belarus_mongolia_afghanistan(store: ox.Store) -> None:
    assert {r["iso"] for r in run(store, "006")} == {"IR", "BY", "MN", "AF"}


def test_status_counts_match_tdi_in_2023_and_wuhan_in_2021(store: ox.Store) -> None:
    counts = {(r["on"], r["status"]): int(r["countries"]) for r in run(store, "007")}
    assert counts == {
        ("2023-06-16", "member state"): 8,
        ("2023-06-16", "observer state"): 4,
        ("2023-06-16", "dialogue partner"): 14,
        ("2021-06-03", "member state"): 8,
        ("2021-06-03", "observer state"): 4,
        ("2021-06-03", "dialogue partner"): 6,
    }
    assert sum(n for (on, _), n in counts.items() if on == "2021-06-03") == 18


def test_belarus_went_from_dialogue_partner_to_observer_to_member(store: ox.Store) -> None:
    rows = run(store, "008")
    belarus = [(r["status"], r["since"], r.get("until")) for r in rows if r["iso"] == "BY"]
    assert belarus == [
        ("dialogue partner", "2009", "2015"),
        ("observer state", "2015", "2024-07-04"),
        ("member state", "2024-07-04", None),
    ]
    founders = {r["iso"] for r in rows if r["since"] == "2001-06-15"}
    assert founders == {"CN", "KZ", "KG", "RU", "TJ", "UZ"}
    assert len(rows) == 32


def test_current_member_states_are_ten_with_names_in_three_languages(store: ox.Store) -> None:
    rows = {r["iso"]: r for r in run(store, "032")}
    assert set(rows) == {"CN", "RU", "IN", "PK", "KZ", "KG", "TJ", "UZ", "IR", "BY"}
    assert (rows["CN"]["chinese"], rows["CN"]["russian"]) == ("中国", "Китай")
    assert rows["IR"]["since"] == "2023-07-04"
    assert rows["BY"]["since"] == "2024-07-04"


def test_sco_sizes_in_the_texts_agree_with_the_reference_data(store: ox.Store) -> None:
    rows = {r["observation"].removeprefix(ID + "observation/"): r for r in run(store, "036")}
    assert rows["wuhan-2021-sco-countries"]["value"] == "18"
    assert rows["wuhan-2021-sco-countries"]["allCountries"] == "18"
    assert (
        rows["tdi-2023-sco-member-states"]["members"]
        == rows["tdi-2023-sco-member-states"]["value"]
        == "8"
    )
    assert rows["tdi-2023-sco-observer-states"]["observers"] == "4"
    assert rows["tdi-2023-sco-dialogue-partners"]["dialoguePartners"] == "14"


def test_tajikistan_held_the_rotating_presidency_in_june_2021(store: ox.Store) -> None:
    [row] = run(store, "028")
    assert (row["holderName"], row["asOf"]) == ("Tajikistan", "2021-06-03")


# ---------------------------------------------------------------------------
# Initiatives and proposals
# ---------------------------------------------------------------------------


def test_qingdao_initiative_education_is_in_the_fourth_proposal(store: ox.Store) -> None:
    [row] = run(store, "009")
    assert row["position"] == "4"
    assert "international friendly school relations" in row["quotes"]
    assert "mathematics, surveying and mapping, mining" in row["quotes"]


def test_qingdao_initiative_has_five_proposals_in_order(store: ox.Store) -> None:
    rows = run(store, "010")
    assert column(rows, "position") == ["1", "2", "3", "4", "5"]
    fourth = set(rows[3]["proposes"].split(" | "))
    assert {
        "SCO Children's Art Exhibition",
        "SCO Youth Summer Camp",
        "SCO International Marathon",
        "SCO Chess Team Competition",
        '"Far East Cup" International Sailing Rally',
        'Lifeline Express "International Bright Journey"',
    } <= fourth
    assert rows[1]["proposedCount"] == "0"


def test_wuhan_initiative_names_sixteen_partners_with_their_countries(store: ox.Store) -> None:
    rows = run(store, "011")
    assert len(rows) == 16
    by_country: dict[str, int] = {}
    for row in rows:
        by_country[row["countryName"]] = by_country.get(row["countryName"], 0) + 1
    assert by_country == {
        "India": 1, "Kazakhstan": 1, "Kyrgyzstan": 1, "Pakistan": 2, "Russia": 2,
        "Tajikistan": 2, "Uzbekistan": 1, "Afghanistan": 1, "Belarus": 1, "Iran": 1,
        "Mongolia": 1, "Azerbaijan": 1, "Armenia": 1,
    }  # fmt: skip
    statuses = {r["countryName"]: r["status"] for r in rows}
    assert statuses["Iran"] == "observer state"
    assert statuses["Armenia"] == "dialogue partner"
    assert "Indian Council of World Affairs" in column(rows, "name")


def test_initiatives_propose_the_programmes_and_projects_of_the_texts(store: ox.Store) -> None:
    rows = run(store, "016")
    wuhan = {r["name"] for r in rows if r["initiativeName"].startswith("Wuhan")}
    qingdao = {r["name"] for r in rows if r["initiativeName"].startswith("Qingdao")}
    assert {
        "China-SCO Health Cooperation Demonstration Area",
        "China-SCO Friendship Expo Park",
        "House of Friendship for SCO non-governmental activities, Wuhan",
        "SCO Women's Forum",
    } <= wuhan
    assert len(qingdao) == 15
    assert "SCO Traditional Medicine Forum" in qingdao


def test_xi_jinping_proposed_two_forums(store: ox.Store) -> None:
    rows = run(store, "022")
    assert [(r["when"], r["proposes"]) for r in rows] == [
        ("2020-11", "SCO Forum on People-to-People Friendship"),
        ("2022-09", "SCO Forum on Friendship Cities"),
    ]
    assert (rows[1]["madeAt"], rows[1]["city"]) == ("SCO Samarkand Summit (2022)", "Samarkand")


def test_each_initiative_was_adopted_at_its_forum(store: ox.Store) -> None:
    rows = {r["cityName"]: r for r in run(store, "035")}
    assert rows["Wuhan"]["date"] == "2021-06-03"
    assert rows["Qingdao"]["date"] == "2023-06-15"
    assert rows["Qingdao"]["proposals"] == "5"


def test_programmes_mentioned_by_several_sources(store: ox.Store) -> None:
    counts = {r["name"]: int(r["sources"]) for r in run(store, "029")}
    assert counts["SCO Women's Forum"] == 3
    assert counts["SCO Children's Art Exhibition"] == 2


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def test_reported_figures_carry_units_periods_and_sources(store: ox.Store) -> None:
    rows = {r["observation"].removeprefix(ID + "observation/"): r for r in run(store, "012")}
    assert len(rows) == 14
    pairs = rows["peoples-daily-2023-sco-friendship-city-pairs"]
    assert (pairs["value"], pairs["comparator"], pairs["unit"]) == (
        "450",
        "over",
        "pair of friendship cities",
    )
    assert (pairs["periodStart"], pairs["periodEnd"]) == ("2001", "2023-06")
    cities = rows["peoples-daily-2023-qingdao-sco-partner-cities"]
    countries = rows["peoples-daily-2023-qingdao-sco-partner-countries"]
    assert (cities["value"], countries["value"]) == ("15", "12")
    assert rows["wuhan-2021-sco-population"]["value"] == "3000000000"


def test_qingdao_investment_figures_are_those_of_peoples_daily(store: ox.Store) -> None:
    rows = {(r["value"], r["unit"]): r for r in run(store, "013")}
    assert set(rows) == {
        ("419", "project (counting unit)"),
        ("240000000", "US dollar"),
        ("13", "project (counting unit)"),
        ("380000", "US dollar"),
    }
    assert rows[("419", "project (counting unit)")]["asOf"] == "2023-03-31"
    first_quarter = rows[("13", "project (counting unit)")]
    assert (first_quarter["from"], first_quarter["to"]) == ("2023-01-01", "2023-03-31")


# ---------------------------------------------------------------------------
# People, organisations, provenance
# ---------------------------------------------------------------------------


def test_people_and_posts_are_dated_as_of_their_source(store: ox.Store) -> None:
    rows = {(r["personName"], r["postName"], r["asOf"]) for r in run(store, "014")}
    assert ("Edil Baisalov", "Deputy Prime Minister of Kyrgyzstan", "2023-06") in rows
    assert (
        "Song Jingwu",
        "Vice President of the Chinese People's Association for Friendship with Foreign Countries",
        "2018-06-11",
    ) in rows
    assert (
        "Khalid Taimur Akram",
        "Executive Director of the Center for Global and Strategic Studies (Pakistan)",
        "2018-06-11",
    ) in rows
    assert len(rows) == 9


def test_cpaffc_officials_keep_the_unnamed_chairman_apart(store: ox.Store) -> None:
    rows = run(store, "034")
    assert [r["personName"].split(" (")[0] for r in rows] == [
        "Song Jingwu",
        "Lin Songtian",
        "Chairman of the Chinese People's Society for Friendship with Abroad",
    ]
    assert len({r["person"] for r in rows}) == 3


def test_organisation_variants_include_tdi_name_for_cpaffc(store: ox.Store) -> None:
    rows = run(store, "023")
    assert {
        "name": "Chinese People's Association for Friendship with Foreign Countries",
        "variant": "Chinese People’s Society for Friendship with Abroad",
        "source": TDI_LABEL,
    } in rows
    variants = {
        r["variant"] for r in rows if r["name"].startswith("SCO Friendship and Cooperation")
    }
    assert "Tajikistan's SCO Center for Friendship and Cooperation" in variants
    assert "SCO Friendship and Cooperation Center in Tajikistan" in variants


def test_organisations_by_country(store: ox.Store) -> None:
    counts = {r["countryName"]: int(r["organisations"]) for r in run(store, "031")}
    assert counts["China"] == 5
    assert counts["Pakistan"] == 4
    assert counts["Tajikistan"] == 2


def test_source_catalogue_lists_the_five_texts_with_licences(store: ox.Store) -> None:
    rows = run(store, "026")
    texts = {r["graph"]: r for r in rows if r["graph"] in TEXT_GRAPHS}
    assert set(texts) == TEXT_GRAPHS
    assert {r["licence"] for r in texts.values()} == {
        "https://creativecommons.org/licenses/by/4.0/"
    }
    assert set(texts[PEOPLES_DAILY]["authors"].split(" | ")) == {"Qiang Wei", "Qu Song"}
    assert texts[CHINA_PLUS]["date"] == "2018-06-11"
    [links] = [r for r in rows if r["graph"] == GRAPH + "wikidata-links"]
    assert links["licence"] == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_every_text_speaks_of_the_shanghai_spirit(store: ox.Store) -> None:
    rows = run(store, "027")
    assert {r["source"].split(",")[0].split(" of ")[0] for r in rows} >= {
        "TDI", "People's Daily", "GNP", "China Plus", "Wuhan Initiative",
    }  # fmt: skip
    definitions = {r["definition"] for r in rows if "definition" in r}
    assert any("mutual trust, mutual benefit, equality" in d for d in definitions)


# ---------------------------------------------------------------------------
# Places, languages, Wikidata
# ---------------------------------------------------------------------------


def test_chinese_and_russian_names_are_the_official_ones(store: ox.Store) -> None:
    names = {r["english"]: (r["chinese"], r["russian"]) for r in run(store, "019")}
    assert names["Qingdao"] == ("青岛", "Циндао")
    assert names["Bishkek"] == ("比什凯克", "Бишкек")
    assert names["Wuhan"] == ("武汉", "Ухань")
    assert names["Shanghai Cooperation Organisation"] == (
        "上海合作组织",
        "Шанхайская организация сотрудничества",
    )
    assert names["Kyrgyzstan"][0] == "吉尔吉斯斯坦"


def test_seed_cities_have_geonames_coordinates_provinces_and_capitals(store: ox.Store) -> None:
    rows = {r["name"]: r for r in run(store, "020")}
    assert set(rows) == {"Qingdao", "Wuhan", "Bishkek", "Osh", "Dushanbe", "Yerevan", "Samarkand"}
    assert (rows["Qingdao"]["geonamesId"], rows["Qingdao"]["lat"], rows["Qingdao"]["long"]) == (
        "1797929",
        "36.06488",
        "120.38042",
    )
    assert rows["Qingdao"]["provinceName"] == "Shandong"
    assert rows["Wuhan"]["provinceName"] == "Hubei"
    assert {n: r.get("capitalOf") for n, r in rows.items() if r.get("capitalOf")} == {
        "Bishkek": "Kyrgyzstan",
        "Dushanbe": "Tajikistan",
        "Yerevan": "Armenia",
    }


def test_wikidata_links_are_exactly_those_of_the_verified_list(store: ox.Store) -> None:
    links = {r["name"]: r["wikidata"].rsplit("/", 1)[1] for r in run(store, "021")}
    assert len(links) == 25
    assert links["Qingdao"] == "Q170322"
    assert links["Shanghai Cooperation Organisation"] == "Q485207"
    assert links["Xi Jinping"] == "Q15031"
    assert "Edil Baisalov" not in links


# ---------------------------------------------------------------------------
# Aggregates over the whole graph (kept by the server once per release)
# ---------------------------------------------------------------------------

SG = "https://w3id.org/scograph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: str) -> set[ox.NamedNode]:
    """The objects of ``subject predicate ?o`` in any graph (the union view)."""
    return {q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)}


def _english_label(store: ox.Store, thing: ox.NamedNode) -> str:
    [label] = {
        q.object.value
        for q in store.quads_for_pattern(thing, ox.NamedNode(SKOS_PREF_LABEL), None)
        if q.object.language == "en"
    }
    return label


def test_things_by_class_are_the_typed_things_of_each_class(store: ox.Store) -> None:
    counts = {r["class"].removeprefix(SG): int(r["things"]) for r in run(store, "104")}
    members: dict[str, set[ox.NamedNode]] = {}
    for quad in store.quads_for_pattern(None, RDF_TYPE, None):
        if quad.object.value.startswith(SG):
            members.setdefault(quad.object.value.removeprefix(SG), set()).add(quad.subject)
    assert counts == {name: len(things) for name, things in members.items()}
    # Every city is a place (inferred), and the twinnings of the sources are there.
    assert counts["Place"] >= counts["City"] > 0
    assert counts["Twinning"] > 0


def test_twinnings_per_country_pair_count_each_twinning_once(store: ox.Store) -> None:
    rows = run(store, "105")
    counts = {(r["countryA"], r["countryB"]): int(r["twinnings"]) for r in rows}
    established = {(r["countryA"], r["countryB"]): int(r["establishedTwinnings"]) for r in rows}
    expected: dict[tuple[str, str], set[str]] = {}
    expected_established: dict[tuple[str, str], set[str]] = {}
    status = SG + "twinningStatus"
    for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(SG + "Twinning")):
        twinning = quad.subject
        cities = sorted(_objects(store, twinning, SG + "twinnedCity"), key=lambda c: c.value)
        is_established = ox.NamedNode(SG + "Established") in _objects(store, twinning, status)
        for i, a in enumerate(cities):
            for b in cities[i + 1 :]:
                for country_a in _objects(store, a, SG + "country"):
                    for country_b in _objects(store, b, SG + "country"):
                        names = _english_label(store, country_a), _english_label(store, country_b)
                        pair = (min(names), max(names))
                        expected.setdefault(pair, set()).add(twinning.value)
                        if is_established:
                            expected_established.setdefault(pair, set()).add(twinning.value)
    assert counts == {pair: len(twinnings) for pair, twinnings in expected.items()}
    assert {p: n for p, n in established.items() if n} == {
        pair: len(twinnings) for pair, twinnings in expected_established.items()
    }
    # People's Daily: Qingdao and Bishkek are established sister cities since 2021.
    assert established[("China", "Kyrgyzstan")] >= 1
