"""The web front's pages and data over HTTP, checked against the server's own SPARQL answers."""

import hashlib
import json

from scograph import resources
from scograph.namespaces import ID
from scograph.web.examples import read_examples

from .conftest import ROOT, LiveServer

SG = "https://w3id.org/scograph/ontology#"
VENDOR = ROOT / "src" / "scograph" / "web" / "static" / "vendor"


def _count(server: LiveServer, query: str) -> int:
    return int(server.select(query)[0]["n"]["value"])


def test_home_counts_are_the_store_counts(server: LiveServer) -> None:
    page = server.client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    for what, cls in (
        ("cities", "City"),
        ("twinnings", "Twinning"),
        ("forums", "Forum"),
        ("organisations", "Organisation"),
        ("sources", "Source"),
    ):
        n = _count(server, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{SG}{cls}> }}")
        assert f'data-count="{what}"><span class="figure">{n}</span>' in page.text, what


def test_search_is_case_insensitive_in_every_language(server: LiveServer) -> None:
    qingdao = ID + "city/qingdao"
    for text in ("QINGDAO", "青岛", "ЦИНДАО", "ngda"):
        found = server.client.get("/search", params={"q": text, "format": "json"}).json()
        assert qingdao in [r["iri"] for r in found["results"]], text


def test_search_finds_misspellings_recorded_as_alternative_labels(server: LiveServer) -> None:
    found = server.client.get(
        "/search", params={"q": "qingdai"}, headers={"Accept": "application/json"}
    ).json()
    first = found["results"][0]
    assert first["iri"] == ID + "city/qingdao"
    assert first["matched"] == {"text": "Qingdai", "lang": "en", "property": "skos:altLabel"}
    assert first["page"] == "/doc/city/qingdao"


def test_search_answers_browsers_with_a_page_in_their_language(server: LiveServer) -> None:
    page = server.client.get(
        "/search", params={"q": "qingdao"}, headers={"Accept-Language": "ru", "Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in page.text
    assert ">Циндао</a>" in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_map_data_has_every_twinning_with_its_status(server: LiveServer) -> None:
    document = server.client.get("/map/data.json").json()
    twinnings = {t["iri"]: t for t in document["twinnings"]}
    sisters = server.select(
        f"""SELECT DISTINCT ?t WHERE {{
          ?t a <{SG}Twinning> ; <{SG}twinnedCity> ?a, ?b . ?a <{SG}sisterOf> ?b }}"""
    )
    established = {t for t, v in twinnings.items() if v["status"] == "established"}
    assert established == {row["t"]["value"] for row in sisters}
    assert twinnings[ID + "twinning/qingdao--samarkand"]["status"] == "intention"
    bishkek = twinnings[ID + "twinning/bishkek--qingdao"]
    assert bishkek["year"] == 2021
    assert bishkek["page"] == "/doc/twinning/bishkek--qingdao"
    for twinning in document["twinnings"]:
        for city in twinning["cities"]:
            assert {"lat", "long"} <= document["cities"][city].keys()


def test_map_data_credits_the_sources_of_the_twinnings_with_their_licences(
    server: LiveServer,
) -> None:
    document = server.client.get("/map/data.json").json()
    licences = {s["iri"]: s["licenceTitle"] for s in document["sources"]}
    assert licences[ID + "source/wikipedia-twin-town-lists"] == "CC BY-SA 4.0"


def test_map_page_starts_from_the_filters_in_its_address(server: LiveServer) -> None:
    page = server.client.get(
        "/map", params=[("status", "announced"), ("country", "country/china"), ("undated", "0")]
    ).text
    assert 'value="announced" checked' in page
    assert 'value="established" checked' not in page
    assert '<option value="country/china" selected>' in page


def test_query_page_lists_every_example_and_opens_the_one_asked_for(server: LiveServer) -> None:
    examples = read_examples(resources.queries_dir())
    page = server.client.get("/query", params={"example": examples[1].name}).text
    for example in examples:
        assert f'data-example="{example.name}"' in page
    data = _page_data(page, "query-page-data")
    assert data["query"] == examples[1].text
    assert data["endpoint"] == "/sparql"


def test_query_page_opens_a_shared_query(server: LiveServer) -> None:
    shared = "ASK { ?s ?p ?o }"
    page = server.client.get("/query", params={"query": shared}).text
    assert _page_data(page, "query-page-data")["query"] == shared


def test_example_queries_are_served_as_files(server: LiveServer) -> None:
    example = read_examples(resources.queries_dir())[0]
    answer = server.client.get(f"/queries/{example.name}.rq")
    assert answer.headers["content-type"].startswith("application/sparql-query")
    assert answer.text == example.text
    assert server.client.get("/queries/no-such-query.rq").status_code == 404


def test_pages_load_only_files_this_server_has(server: LiveServer) -> None:
    for path in ("/", "/query", "/queries", "/map", "/network", "/search?q=wuhan"):
        page = server.client.get(path)
        assert page.status_code == 200, path
        for url in _resource_urls(page.text):
            assert url.startswith("/"), f"{path} loads {url}"
            assert server.client.get(url).status_code == 200, url


def test_vendored_files_match_their_manifest_and_package_json() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    declared = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    assert {p["name"]: p["version"] for p in manifest["packages"]} == declared
    for entry in manifest["files"]:
        data = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]


def _page_data(page: str, element_id: str) -> dict[str, object]:
    start = page.index(f'<script type="application/json" id="{element_id}">')
    start = page.index(">", start) + 1
    return json.loads(page[start : page.index("</script>", start)])


def _resource_urls(page: str) -> list[str]:
    """The src of scripts and the href of style sheets and icons in a page."""
    urls = []
    for tag in ("script", "link"):
        for chunk in page.split(f"<{tag} ")[1:]:
            element = chunk.split(">", 1)[0]
            for attribute in ("src", "href"):
                marker = f'{attribute}="'
                if marker in element:
                    urls.append(element.split(marker, 1)[1].split('"', 1)[0])
    return [u for u in urls if not u.startswith("data:")]


def test_resource_scan_sees_the_editor_scripts(server: LiveServer) -> None:
    urls = _resource_urls(server.client.get("/query").text)
    assert "/static/vendor/yasgui/yasgui.min.js" in urls
    assert "/static/js/query.js" in urls
