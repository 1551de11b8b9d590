"""The web front in a real browser (headless Chromium), against the real server.

Each test fails if the page sends a request off 127.0.0.1 or a script fails
(see the ``visit`` fixture); each saves a screenshot to look at the design.
"""

import re

from scograph.namespaces import ID

from .conftest import LiveServer, Visit

SG = "https://w3id.org/scograph/ontology#"

ESTABLISHED_TWINNINGS = f"""PREFIX sg: <{SG}>
SELECT DISTINCT ?twinning WHERE {{
  ?twinning a sg:Twinning ; sg:twinnedCity ?a, ?b .
  ?a sg:sisterOf ?b .
}}"""

ALL_TWINNINGS = f"""PREFIX sg: <{SG}>
SELECT DISTINCT ?twinning WHERE {{ ?twinning a sg:Twinning }}"""


def _iris(rows: list[dict[str, dict[str, str]]], name: str) -> set[str]:
    return {row[name]["value"] for row in rows}


def test_home_page_says_what_the_graph_holds_with_live_counts(
    visit: Visit, server: LiveServer
) -> None:
    cities = server.select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{SG}City> }}")
    visit.open("/")
    lead = visit.page.inner_text("#what-it-holds")
    assert f"{cities[0]['n']['value']} cities" in lead
    figure = visit.page.inner_text("[data-count='cities'] .figure")
    assert figure == cities[0]["n"]["value"]
    for target in ("/query", "/queries", "/map", "/network", "/dumps/", "/ontology"):
        assert visit.page.locator(f"main a[href='{target}']").count() >= 1, target
    visit.screenshot("home")


def test_search_box_finds_a_city_by_its_russian_name(visit: Visit) -> None:
    visit.open("/")
    visit.page.fill("#home-search-q", "циндао")
    visit.page.press("#home-search-q", "Enter")
    visit.page.wait_for_url(re.compile(r"/search\?"))
    first = visit.page.locator(".results li").first
    assert first.get_attribute("data-iri") == ID + "city/qingdao"
    visit.screenshot("search")


def test_example_query_runs_in_the_editor_and_its_rows_fill_the_table(
    visit: Visit, server: LiveServer
) -> None:
    name = "006-sco-observers-june-2023"
    text = server.client.get(f"/queries/{name}.rq").text
    expected = server.select(text)
    visit.open("/query")
    visit.page.click(f"[data-example='{name}']")
    editor_text = visit.page.evaluate(
        "document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()"
    )
    assert editor_text == text
    visit.page.click(".yasqe_queryButton")
    visit.page.wait_for_selector(".yasr table.dataTable tbody tr")
    rows = visit.page.locator(".yasr table.dataTable tbody tr").all_inner_texts()
    assert len(rows) == len(expected) > 0
    countries = sorted(row["country"]["value"].rsplit("/", 1)[-1] for row in expected)
    shown = sorted(re.search(r"country:([a-z-]+)", row).group(1) for row in rows)
    assert shown == countries
    visit.screenshot("query-results")


def test_editor_keeps_nothing_in_local_storage_and_asks_no_vocabulary_service(
    visit: Visit,
) -> None:
    visit.open("/query")
    completers = visit.page.evaluate("Yasgui.Yasqe.defaults.autocompleters")
    assert sorted(completers) == ["scograph-prefixes", "variables"]
    in_use = visit.page.evaluate("scographYasgui.getTab().getYasqe().config.autocompleters")
    assert "property" not in in_use and "class" not in in_use and "prefixes" not in in_use
    visit.page.click(".yasqe_queryButton")
    visit.page.wait_for_selector(".yasr table.dataTable tbody tr")
    assert visit.page.evaluate("Object.keys(localStorage)") == []


def test_shared_link_opens_its_query_in_the_editor(visit: Visit) -> None:
    query = "SELECT ?city WHERE { ?city a <https://w3id.org/scograph/ontology#City> } LIMIT 3"
    visit.open("/query")
    visit.page.evaluate(
        "q => document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(q)", query
    )
    visit.page.click("#share-button")
    link = visit.page.input_value("#share-link")
    assert link.startswith(visit.base + "/query?query=")
    visit.page.goto(link)
    opened = visit.page.evaluate(
        "document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()"
    )
    assert opened == query
    visit.page.goto(visit.base + "/query#query=" + "ASK%20%7B%7D")
    hashed = visit.page.evaluate(
        "document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()"
    )
    assert hashed == "ASK {}"


def test_entity_page_switches_to_chinese_and_russian(visit: Visit) -> None:
    visit.open("/doc/city/qingdao")
    assert visit.page.inner_text("h1") == "Qingdao"
    visit.page.click(".languages a[hreflang='zh']")
    assert visit.page.inner_text("h1") == "青岛"
    visit.page.click(".languages a[hreflang='ru']")
    assert visit.page.inner_text("h1") == "Циндао"
    visit.screenshot("entity-ru")


def test_pages_of_the_front_switch_language_and_keep_it_in_links(visit: Visit) -> None:
    visit.open("/")
    visit.page.click(".language-switch a[hreflang='zh']")
    assert visit.page.inner_text("h1") == "上合组织友好关系图谱"
    visit.page.click("header nav a[href^='/map']")
    assert visit.page.inner_text("h1") == "友好城市地图"
    assert "lang=zh" in visit.page.url


def test_map_draws_one_arc_per_established_twinning(visit: Visit, server: LiveServer) -> None:
    established = _iris(server.select(ESTABLISHED_TWINNINGS), "twinning")
    visit.open("/map")
    visit.page.wait_for_selector("#map[data-ready='true']")
    drawn = visit.page.eval_on_selector_all(
        "[data-twinning]", "arcs => arcs.map(a => a.dataset.twinning)"
    )
    assert len(drawn) == len(established) > 0
    assert set(drawn) == established
    visit.screenshot("map")


def test_map_filters_add_announced_twinnings_and_intentions(
    visit: Visit, server: LiveServer
) -> None:
    every = _iris(server.select(ALL_TWINNINGS), "twinning")
    visit.open("/map")
    visit.page.wait_for_selector("#map[data-ready='true']")
    visit.page.check("input[name='status'][value='announced']")
    visit.page.check("input[name='status'][value='intention']")
    assert visit.page.locator("[data-twinning]").count() == len(every)
    assert "status=intention" in visit.page.url
    visit.page.select_option("#map-country", "country/kyrgyzstan")
    kyrgyz = visit.page.eval_on_selector_all(
        "[data-twinning]", "arcs => arcs.map(a => a.dataset.twinning)"
    )
    assert ID + "twinning/bishkek--qingdao" in kyrgyz
    assert len(kyrgyz) < len(every)
    visit.screenshot("map-kyrgyzstan")


def test_an_arc_opens_its_twinning_page_from_the_keyboard(visit: Visit) -> None:
    visit.open("/map?country=country/kyrgyzstan")
    visit.page.wait_for_selector("#map[data-ready='true']")
    arc = visit.page.locator(f"a:has([data-twinning='{ID}twinning/bishkek--qingdao'])")
    arc.focus()
    assert visit.page.evaluate("document.activeElement.matches('a.arc-link')")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url(re.compile(r"/doc/twinning/bishkek--qingdao"))
    assert "Bishkek" in visit.page.inner_text("h1")


def test_skip_link_is_the_first_stop_of_the_keyboard(visit: Visit) -> None:
    visit.open("/map")
    visit.page.keyboard.press("Tab")
    assert visit.page.evaluate("document.activeElement.classList.contains('skip-link')")
    visit.page.keyboard.press("Enter")
    assert visit.page.evaluate("document.activeElement.id") == "content"


def test_network_links_organisations_forums_and_cities(visit: Visit, server: LiveServer) -> None:
    data = server.client.get("/network/data.json").json()
    visit.open("/network")
    visit.page.wait_for_selector("#network[data-ready='true']")
    assert visit.page.locator("svg.network a.node").count() == len(data["nodes"])
    assert visit.page.locator("svg.network line.link").count() == len(data["links"])
    kinds = {node["kind"] for node in data["nodes"]}
    assert {"organisation", "forum", "city"} <= kinds
    visit.screenshot("network")


def test_the_page_of_a_place_draws_it_on_a_small_map(visit: Visit) -> None:
    visit.open("/doc/city/qingdao")
    visit.page.wait_for_selector("scograph-small-map[data-ready='true']")
    assert visit.page.locator("scograph-small-map svg circle.place").count() == 1
    assert visit.page.text_content("scograph-small-map svg text") == "Qingdao"
    visit.screenshot("small-map")
    # A thing that is not a place has no map.
    visit.open("/doc/organisation/sco")
    assert visit.page.locator("scograph-small-map").count() == 0
