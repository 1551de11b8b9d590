"""Attacks on the running server: outbound connections, path traversal, HTML and header
injection, the write token, CORS.

Every test speaks HTTP to a real ``scograph serve`` on 127.0.0.1 (see ``conftest.py``),
except the one that shows what the engine itself does with a redirect.
"""

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from tests.server.helpers import Listener, Server, scograph_command

from scograph.server import dependencies

from .conftest import (
    CORS_ORIGIN,
    SECRET,
    LoggedServer,
    Published,
    RedirectingEndpoint,
    loopback_names,
    raw_request,
)

SPARQL_UPDATE = "application/sparql-update"
# How long a refused request is given to have (wrongly) reached the listener.
_SETTLE = 0.3


def _no_connection(listener: Listener, before: int) -> None:
    time.sleep(_SETTLE)
    assert listener.connections == before, "the server opened a connection to the listener"


# 1. Outbound connections: SERVICE, LOAD, and what else could fetch.

# {e} is the endpoint IRI, {b} the same IRI less its last segment ("sparql" or "unlisted").
SERVICE_FORMS = {
    "plain": "SELECT * WHERE { SERVICE <{e}> { ?s ?p ?o } }",
    "lower case": "select * where { service <{e}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{e}> { ?s ?p ?o } }",
    "in optional": "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE <{e}> { ?s ?p ?o } } }",
    "in union": "SELECT * WHERE { { ?x ?y ?z } UNION { SERVICE <{e}> { ?s ?p ?o } } }",
    "in graph": "SELECT * WHERE { GRAPH ?g { ?x ?y ?z SERVICE <{e}> { ?s ?p ?o } } }",
    "in minus": "SELECT * WHERE { ?x ?y ?z MINUS { SERVICE <{e}> { ?x ?p ?o } } }",
    "in exists": "SELECT * WHERE { ?x ?y ?z FILTER EXISTS { SERVICE <{e}> { ?s ?p ?o } } }",
    "in not exists": "ASK { FILTER NOT EXISTS { SERVICE <{e}> { ?s ?p ?o } } }",
    "in bind": "SELECT * WHERE { BIND(EXISTS { SERVICE <{e}> { ?s ?p ?o } } AS ?x) }",
    "in subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <{e}> { ?s ?p ?o } } } }",
    "in construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{e}> { ?s ?p ?o } }",
    "in describe": "DESCRIBE ?s WHERE { SERVICE <{e}> { ?s ?p ?o } }",
    "inside an allowed service": "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> "
    "{ SERVICE <{e}> { ?s ?p ?o } } }",
    "comment in between": "SELECT * WHERE { SERVICE #x\n <{e}> { ?s ?p ?o } }",
    "no spaces": "SELECT*{SERVICE<{e}>{?s?p?o}}",
    "prefixed name": "PREFIX e: <{b}> SELECT * WHERE { SERVICE e:{last} { ?s ?p ?o } }",
    "empty prefix": "PREFIX : <{b}> SELECT * WHERE { SERVICE :{last} { ?s ?p ?o } }",
    "relative to a base": "BASE <{b}> SELECT * WHERE { SERVICE <{last}> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }",
    "variable from values": "SELECT * WHERE { VALUES ?e { <{e}> } SERVICE ?e { ?s ?p ?o } }",
    "escaped iri": "SELECT * WHERE { SERVICE <{escaped}> { ?s ?p ?o } }",
    # The engine reads a keyword run into its neighbour as that keyword.
    "glued silent": "SELECT * WHERE { SERVICESILENT <{e}> { ?s ?p ?o } }",
    "glued to a boolean": "SELECT * WHERE { ?x ?y trueSERVICE <{e}> { ?s ?p ?o } }",
    "glued to a double": "SELECT * WHERE { ?x ?y 1e0SERVICE <{e}> { ?s ?p ?o } }",
    "glued to a prefixed name": "PREFIX : <{b}> SELECT * WHERE { SERVICE:{last} { ?s ?p ?o } }",
    "glued prefix": "PREFIX e: <{b}> SELECT * WHERE { SERVICEe:{last} { ?s ?p ?o } }",
}
# Forms rdflib (which tells a syntax error from a refusal) does not parse: 400, still no call.
_RDFLIB_REJECTS = {"glued silent", "glued to a boolean", "glued to a double", "glued prefix"}
# Refused without a name to give: the endpoint is not a literal IRI the scanner can read.
_UNNAMED = {"variable", "variable from values", "relative to a base", "escaped iri"}


def _service_query(form: str, endpoint: str) -> str:
    base, _, last = endpoint.rpartition("/")
    escaped = endpoint.replace("s", "\\u0073", 1)
    return (
        SERVICE_FORMS[form]
        .replace("{e}", endpoint)
        .replace("{b}", base + "/")
        .replace("{last}", last)
        .replace("{escaped}", escaped)
    )


@pytest.mark.parametrize("listed", [False, True], ids=["unlisted", "allow-listed"])
@pytest.mark.parametrize("form", list(SERVICE_FORMS))
def test_no_form_of_service_reaches_a_local_listener(
    attacked: LoggedServer, listener: Listener, client: httpx.Client, form: str, listed: bool
) -> None:
    """Unlisted endpoints are refused by name; listed ones because 127.0.0.1 is not public."""
    endpoint = listener.url if listed else listener.url.replace("/sparql", "/unlisted")
    before = listener.connections
    response = client.post(attacked.server.sparql, data={"query": _service_query(form, endpoint)})
    expected = 400 if form in _RDFLIB_REJECTS else 403
    assert response.status_code == expected, response.text
    if expected == 403 and form not in _UNNAMED:
        assert "glued" in form or "127.0.0.1" in response.text, response.text
    _no_connection(listener, before)


@pytest.mark.parametrize("name", range(len(loopback_names(1))))
def test_allow_listed_names_of_local_addresses_are_refused(
    attacked: LoggedServer, listener: Listener, client: httpx.Client, name: int
) -> None:
    """localhost, numeric and IPv6 forms, private and link-local hosts: listed, still refused."""
    endpoint = loopback_names(listener.port)[name]
    before = listener.connections
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    response = client.post(attacked.server.sparql, data={"query": query})
    assert response.status_code in (403, 502), response.text
    assert endpoint in response.text
    if response.status_code == 502:
        # A name that does not resolve here cannot be reached by the engine either.
        assert "cannot resolve" in response.text
    _no_connection(listener, before)


def test_a_name_that_resolves_to_loopback_is_refused_as_not_public(
    attacked: LoggedServer, listener: Listener, client: httpx.Client
) -> None:
    endpoint = f"http://localhost:{listener.port}/sparql"
    before = listener.connections
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    response = client.get(attacked.server.sparql, params={"query": query})
    assert response.status_code == 403
    assert "non-public address" in response.text
    _no_connection(listener, before)


LOAD_FORMS = {
    "plain": "LOAD <{e}>",
    "silent": "LOAD SILENT <{e}>",
    "into graph": "LOAD <{e}> INTO GRAPH <http://example.org/g>",
    "lower case": "load silent <{e}> into graph <http://example.org/g>",
    "after an insert": "INSERT DATA { <http://a/s> <http://a/p> 1 } ; LOAD <{e}>",
    "prefixed name": "PREFIX e: <{b}> LOAD e:{last}",
    "relative to a base": "BASE <{b}> LOAD <{last}>",
    "no spaces": "CLEAR SILENT DEFAULT;LOAD<{e}>",
    "glued silent": "LOADSILENT <{e}>",
    "glued to a prefixed name": "PREFIX : <{b}> LOAD:{last}",
    "a file": "LOAD <file:///etc/passwd>",
}


@pytest.mark.parametrize("form", list(LOAD_FORMS))
def test_load_is_refused_in_every_form(
    attacked: LoggedServer, listener: Listener, client: httpx.Client, form: str
) -> None:
    base, _, last = listener.url.rpartition("/")
    update = (LOAD_FORMS[form].replace("{e}", listener.url).replace("{b}", base + "/")).replace(
        "{last}", last
    )
    before = listener.connections
    response = client.post(
        attacked.server.sparql,
        content=update,
        headers={"Content-Type": SPARQL_UPDATE, **attacked.server.auth()},
    )
    # rdflib (which tells a syntax error from a refusal) does not read LOADSILENT: 400.
    assert response.status_code == (400 if form == "glued silent" else 403), response.text
    if response.status_code == 403:
        assert "LOAD" in response.text
    _no_connection(listener, before)
    # Nothing of the update ran: the insert before the LOAD is not in the store.
    ask = client.get(attacked.server.sparql, params={"query": "ASK { <http://a/s> ?p ?o }"})
    assert ask.json()["boolean"] is False


@pytest.mark.parametrize(
    ("description", "params"),
    [
        ("FROM", {"query": "SELECT * FROM <{e}> WHERE { ?s ?p ?o }"}),
        ("FROM NAMED", {"query": "SELECT * FROM NAMED <{e}> WHERE { GRAPH ?g { ?s ?p ?o } }"}),
        ("default-graph-uri", {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "{e}"}),
        (
            "named-graph-uri",
            {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": "{e}"},
        ),
        ("an IRI in the data", {"query": "DESCRIBE <{e}>"}),
    ],
)
def test_dataset_iris_are_names_never_fetched(
    attacked: LoggedServer,
    listener: Listener,
    client: httpx.Client,
    description: str,
    params: dict[str, str],
) -> None:
    """The engine treats FROM and the protocol's graph IRIs as names in the store."""
    before = listener.connections
    filled = {k: v.replace("{e}", listener.url) for k, v in params.items()}
    response = client.get(attacked.server.sparql, params=filled)
    assert response.status_code == 200, response.text
    _no_connection(listener, before)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/ld+json", '{"@context": "{e}", "@id": "http://a/x", "name": "y"}'),
        (
            "application/ld+json",
            '{"@context": {"@import": "{e}"}, "@id": "http://a/x", "http://a/p": "y"}',
        ),
        (
            "application/rdf+xml",
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{e}">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://a/x"><rdf:value>&x;</rdf:value>'
            "</rdf:Description></rdf:RDF>",
        ),
        (
            "application/rdf+xml",
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{e}">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        ),
    ],
    ids=["json-ld context", "json-ld import", "xml entity", "xml dtd"],
)
def test_uploaded_documents_never_fetch_what_they_name(
    attacked: LoggedServer, listener: Listener, client: httpx.Client, content_type: str, body: str
) -> None:
    """Remote JSON-LD contexts and XML external entities are not loaded (and not 500)."""
    before = listener.connections
    response = client.put(
        attacked.server.graph_store,
        params={"graph": "http://example.org/upload"},
        content=body.replace("{e}", listener.url),
        headers={"Content-Type": content_type, **attacked.server.auth()},
    )
    assert response.status_code in (201, 204, 400), response.text
    _no_connection(listener, before)
    assert "/etc" not in response.text


_HARMLESS_UPDATE = "DELETE { <http://a/none> ?p ?o } WHERE { <http://a/none> ?p ?o }"


@pytest.mark.parametrize(
    "where", ["using-graph-uri", "using-named-graph-uri", "graph-store PUT", "graph-store DELETE"]
)
def test_a_graph_iri_cannot_smuggle_a_load_into_an_update(
    attacked: LoggedServer, listener: Listener, client: httpx.Client, where: str
) -> None:
    """Graph IRIs the server writes into update text are checked, not pasted."""
    smuggled = f"http://a/g> }} ; LOAD <{listener.url}> ; INSERT DATA {{ <http://a/s> <http://a/p"
    server = attacked.server
    before = listener.connections
    if where.startswith("using"):
        response = client.post(
            server.sparql,
            data={
                "update": "DELETE { <http://a/none> ?p ?o } WHERE { <http://a/none> ?p ?o }",
                where: smuggled,
            },
            headers=server.auth(),
        )
    else:
        response = client.request(
            where.split()[1],
            server.graph_store,
            params={"graph": smuggled},
            content="<http://a/s> <http://a/p> 1 .",
            headers={"Content-Type": "application/n-triples", **server.auth()},
        )
    assert response.status_code == 400, response.text
    _no_connection(listener, before)


def test_the_engine_never_follows_a_redirect(redirecting: RedirectingEndpoint) -> None:
    """Why an allowed endpoint cannot bounce a SERVICE call to an address on the inside.

    pyoxigraph's HTTP client follows no redirect (its limit is 0): a 302 from the
    endpoint is an error, and the place it points to is never asked. If an upgrade
    changed that, this test would see the second server called.
    """
    store = ox.Store()
    query = f"SELECT * WHERE {{ SERVICE <{redirecting.url('first')}> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError, match="redirect"):
        list(store.query(query))
    with pytest.raises(OSError, match="redirect"):
        store.update(f"LOAD <{redirecting.url('first')}>")
    assert redirecting.requests == {"first": 2, "second": 0}


# 2. Path traversal

TRAVERSALS = [
    "../",
    "..%2f",
    "..%2F",
    "%2e%2e/",
    "%2e%2e%2f",
    ".%2e/",
    "%252e%252e%252f",
    "..\\",
    "..%5c",
    "%c0%ae%c0%ae/",
    "%c0%ae%c0%ae%c0%af",
    "....//",
    "..;/",
]
FOLDERS = [
    "/dumps/",
    f"/dumps/{'1.0.0'}/",
    "/dumps/latest/",
    "/doc/",
    "/doc/city/",
    "/id/city/",
    "/static/",
    "/static/js/",
    "/assets/",
    "/queries/",
    "/ontology/",
]
TARGETS = ["SECRET.txt", "etc/passwd", "store/CURRENT", "pages.py", "scograph/settings.py"]
_PASSWD = re.compile(rb"root:.*:0:0:")


def _traversal_targets() -> list[str]:
    found = []
    for folder in FOLDERS:
        for step in TRAVERSALS:
            for target in TARGETS:
                found.append(folder + step * 6 + target)
    # Absolute paths, NUL bytes, a link in a release pointing out of it.
    for folder in FOLDERS:
        found += [folder + "/etc/passwd", folder + "%2fetc%2fpasswd", folder + "SECRET.txt%00"]
    found += ["/dumps/1.0.0/SECRET", "/dumps/SECRET.txt", "/dumps/latest/SECRET", "//etc/passwd"]
    found += ["/static/%00/../../pages.py", "/queries/..%2f..%2fpyproject.rq", "/ontology%00.ttl"]
    return found


def test_no_url_serves_a_file_outside_its_folder(
    attacked: LoggedServer, published: Published
) -> None:
    secrets_seen = []
    server_errors = []
    neighbours = [
        (Path(__file__).parents[2] / "src/scograph/web/pages.py").read_bytes()[:200],
        (Path(__file__).parents[2] / "src/scograph/settings.py").read_bytes()[:200],
    ]
    targets = _traversal_targets()
    for target in targets:
        answer = raw_request(attacked.server.base, target)
        status = int(answer.split(b" ", 2)[1])
        if status >= 500:
            server_errors.append((target, status))
        if (
            SECRET.encode() in answer
            or _PASSWD.search(answer)
            or any(text in answer for text in neighbours)
        ):
            secrets_seen.append(target)
        assert status in (400, 404, 405, 307, 308), (target, answer[:300])
    assert server_errors == []
    assert secrets_seen == []
    assert len(targets) > 700


def test_the_trailing_slash_redirect_stays_on_the_site(attacked: LoggedServer) -> None:
    """A redirect the router adds must not lead to another host (``//evil.example``)."""
    for target in ("//evil.example/dumps", "/dumps//evil.example", "/%2f%2fevil.example/dumps"):
        answer = raw_request(attacked.server.base, target)
        location = re.search(rb"\r\nlocation: ([^\r]*)", answer, re.IGNORECASE)
        if location is not None:
            assert location.group(1).startswith(attacked.server.base.encode()), answer[:300]


# 3. HTML injection

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "cite"}


class _Page(HTMLParser):
    """Every element and attribute of a page, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _assert_nothing_injected(html: str, where: str) -> _Page:
    page = _Page()
    page.feed(html)
    for tag, attrs in page.elements:
        assert tag not in ("img", "svg", "iframe", "object", "embed"), (where, tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name, value)
            if name not in _URL_ATTRIBUTES:
                continue
            target = (value or "").strip().lower()
            assert not target.startswith(("javascript:", "vbscript:")), (where, tag, name)
            # The pages' own icon is an empty data: URL; a link to one is not.
            if tag != "link":
                assert not target.startswith("data:"), (where, tag, name)
    for attrs, text in page.scripts:
        # Scripts are either files of this site or JSON data, never inline code.
        if "src" in attrs:
            assert (attrs["src"] or "").startswith("/static/"), (where, attrs)
            assert text.strip() == ""
        else:
            assert attrs.get("type") in ("application/json", "application/ld+json"), (where, attrs)
            assert "</script" not in text.lower() and "<!--" not in text, where
            json.loads(text)
    return page


PAGES_WITH_HOSTILE_DATA = [
    "/doc/city/injected",
    "/doc/city/injected?lang=ru",
    "/doc/city/qingdao",
    "/doc/organisation/injector",
    "/ontology",
    "/search?q=alert",
    "/search?q=script",
    "/map",
    "/network",
    "/",
    "/dumps/",
    "/dumps/1.0.0/",
]


@pytest.mark.parametrize("path", PAGES_WITH_HOSTILE_DATA)
def test_hostile_labels_and_iris_are_shown_as_text(
    attacked: LoggedServer, client: httpx.Client, path: str
) -> None:
    response = client.get(attacked.server.base + path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    _assert_nothing_injected(response.text, path)


def test_the_page_of_a_hostile_thing_shows_its_labels_escaped(
    attacked: LoggedServer, client: httpx.Client
) -> None:
    response = client.get(
        attacked.server.base + "/doc/city/injected", headers={"Accept": "text/html"}
    )
    page = _assert_nothing_injected(response.text, "injected")
    assert "&lt;script&gt;alert(&#39;prefLabel&#39;)&lt;/script&gt;" in response.text
    assert "&lt;img src=x onerror=alert(&#39;quote&#39;)&gt;" in response.text
    # The JSON-LD in the page is the same data, with '<' escaped, not dropped.
    (_, jsonld), *_ = [(a, t) for a, t in page.scripts if a.get("type") == "application/ld+json"]
    assert "\\u003c/script\\u003e" in jsonld
    assert "</script><script>alert('altLabel')</script>" in json.dumps(json.loads(jsonld))
    # javascript: IRIs are shown, never linked.
    links = [attrs.get("href") or "" for tag, attrs in page.elements if tag == "a"]
    assert not [link for link in links if "alert" in link]
    assert "javascript:alert(&#39;seeAlso&#39;)" in response.text


REFLECTED = [
    '<script>alert("reflected")</script>',
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "<!--",
]


@pytest.mark.parametrize("payload", REFLECTED)
@pytest.mark.parametrize(
    "path",
    [
        "/query?query={p}",
        "/query?example={p}",
        "/search?q={p}",
        "/search?q=x&lang={p}",
        "/map?country={p}&from={p}&status={p}",
        "/doc/city/qingdao?lang={p}",
        "/doc/city/{p}",
        "/id/city/{p}",
        "/doc/{p}/x",
        "/dumps/{p}/",
        "/dumps/1.0.0/{p}",
        "/queries/{p}.rq",
        "/no-such-page/{p}",
        "/ontology?lang={p}",
    ],
)
def test_what_a_page_reflects_is_escaped(
    attacked: LoggedServer, client: httpx.Client, path: str, payload: str
) -> None:
    url = attacked.server.base + path.replace("{p}", quote(payload, safe=""))
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code < 500, response.text[:300]
    if response.headers.get("content-type", "").startswith("text/html"):
        _assert_nothing_injected(response.text, path)
        assert payload not in response.text or payload in ("javascript:alert(1)",)


@pytest.mark.parametrize(
    "accept",
    [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/xml",
        "application/rdf+xml",
    ],
)
def test_query_answers_a_browser_opens_cannot_carry_markup(
    attacked: LoggedServer, client: httpx.Client, accept: str
) -> None:
    """A link to /sparql with a query that builds XHTML: the XML answer escapes it."""
    markup = '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
    literal = json.dumps(markup) + "^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral>"
    construct = (
        f"CONSTRUCT {{ <http://a/s> <http://www.w3.org/1999/xhtml/script> {literal} }} WHERE {{}}"
    )
    select = f"SELECT ?x WHERE {{ BIND({literal} AS ?x) }}"
    for query in (construct, select):
        response = client.get(
            attacked.server.sparql, params={"query": query}, headers={"Accept": accept}
        )
        if query is select and accept == "application/rdf+xml":
            assert response.status_code == 406
            continue
        assert response.status_code == 200, response.text
        assert "html" not in response.headers["content-type"]
        assert "<h:script" not in response.text
        assert "&lt;h:script" in response.text


def test_no_dialog_opens_in_a_browser(attacked: LoggedServer) -> None:
    """Headless Chromium opens the hostile pages and reflected queries; no script of theirs runs."""
    from playwright.sync_api import sync_playwright
    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

    base = attacked.server.base
    markup = '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
    literal = json.dumps(markup) + "^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral>"
    construct = f"CONSTRUCT {{ <http://a/s> <http://a/p> {literal} }} WHERE {{}}"
    paths = [
        *PAGES_WITH_HOSTILE_DATA,
        "/search?q=" + quote(REFLECTED[1]),
        "/query?query=" + quote(REFLECTED[2]),
        "/doc/city/" + quote(REFLECTED[0], safe=""),
        "/sparql?query=" + quote(construct),
    ]
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
            # The editor runs a query whose answer holds hostile labels, and draws its table.
            page.goto(
                base
                + "/query?query="
                + quote(
                    "SELECT ?label WHERE { ?s ?p ?label FILTER(CONTAINS(STR(?label), 'alert')) }"
                )
            )
            page.locator(".yasqe_queryButton").click()
            page.wait_for_selector(".yasr td", timeout=20_000)
            page.wait_for_timeout(500)
            table = page.locator(".yasr").inner_text()
        finally:
            browser.close()
    assert dialogs == []
    assert "alert('prefLabel')" in table


# 4. Header injection

CRLF_PAYLOADS = ["%0d%0aX-Injected:%20yes", "%0aX-Injected:%20yes", "%0dX-Injected:%20yes"]


@pytest.mark.parametrize("payload", CRLF_PAYLOADS)
@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=ASK{}{p}",
        "/sparql?query=ASK%7B%7D&default-graph-uri=http://a/{p}",
        "/graph-store?graph=http://a/{p}",
        "/id/city/qingdao{p}",
        "/id/city/{p}",
        "/doc/city/qingdao{p}",
        "/dumps{p}",
        "/dumps/{p}",
        "/dumps/1.0.0{p}",
        "/dumps/1.0.0/SHA256SUMS{p}",
        "/search?q={p}",
        "/query?query={p}",
        "/map?country={p}",
        "/{p}",
        "/static/web.css{p}",
    ],
)
def test_no_header_can_be_injected_through_the_url(
    attacked: LoggedServer, target: str, payload: str
) -> None:
    answer = raw_request(attacked.server.base, target.replace("{p}", payload))
    head = answer.split(b"\r\n\r\n", 1)[0]
    status = int(head.split(b" ", 2)[1])
    assert status < 500, answer[:400]
    assert not re.search(rb"\r\nx-injected:", head, re.IGNORECASE), head


@pytest.mark.parametrize(
    "header",
    [
        "Accept: text/html%0d%0aX-Injected: yes\r\n",
        "Accept-Language: ru%0d%0aX-Injected: yes\r\n",
        "Origin: https://example.org%0d%0aX-Injected: yes\r\n",
        'If-None-Match: "x"%0d%0aX-Injected: yes\r\n',
    ],
)
def test_no_header_can_be_injected_through_request_headers(
    attacked: LoggedServer, header: str
) -> None:
    for target in ("/sparql?query=ASK%7B%7D", "/doc/city/qingdao", "/id/city/qingdao", "/sparql"):
        answer = raw_request(attacked.server.base, target, header)
        head = answer.split(b"\r\n\r\n", 1)[0]
        assert int(head.split(b" ", 2)[1]) < 500, answer[:400]
        assert not re.search(rb"\r\nx-injected:", head, re.IGNORECASE), head


def test_redirect_targets_are_built_from_checked_names(
    attacked: LoggedServer, client: httpx.Client
) -> None:
    """/id/ redirects only for keys of plain characters; /sparql sends browsers to /query."""
    ok = client.get(attacked.server.base + "/id/city/qingdao", follow_redirects=False)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/doc/city/qingdao"
    for key in ("qingdao%0d%0aX-Injected:%20yes", "qingdao%2f..%2f..%2fevil", "%2f%2fevil.example"):
        answer = raw_request(attacked.server.base, f"/id/city/{key}")
        assert int(answer.split(b" ", 2)[1]) == 404, answer[:300]
    browser = client.get(
        attacked.server.sparql, headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert browser.status_code == 303
    assert browser.headers["location"] == "/query"


# 5. The write token


def test_the_token_is_compared_in_constant_time() -> None:
    """The comparison is hmac.compare_digest (read in the code: timing is not measurable here)."""
    import inspect

    source = inspect.getsource(dependencies.authorised_writer)
    assert "hmac.compare_digest(" in source
    assert "==" not in source.split("compare_digest", 1)[1].split("\n", 1)[0]


def _insert(server: Server, client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    return client.post(
        server.sparql,
        content="INSERT DATA { <http://a/written> <http://a/p> 1 }",
        headers={"Content-Type": SPARQL_UPDATE, **headers},
    )


def test_writes_need_the_token(attacked: LoggedServer, client: httpx.Client) -> None:
    server, token = attacked.server, attacked.token
    wrong_same_length = token[:-1] + ("A" if token[-1] != "A" else "B")
    cases = [
        ({}, 401),
        ({"Authorization": ""}, 401),
        ({"Authorization": f"Bearer {wrong_same_length}"}, 403),
        ({"Authorization": f"Bearer {token[:8]}"}, 403),
        ({"Authorization": f"Bearer {token}x"}, 403),
        ({"Authorization": f"Basic {token}"}, 403),
        ({"Authorization": token}, 403),
        ({"Authorization": f"Bearer {token.upper()}"}, 403),
    ]
    for headers, status in cases:
        response = _insert(server, client, headers)
        assert response.status_code == status, (headers, response.text)
        assert token not in response.text
        graph = client.put(
            server.graph_store,
            params={"graph": "http://a/g"},
            content="<http://a/s> <http://a/p> 1 .",
            headers={"Content-Type": "application/n-triples", **headers},
        )
        assert graph.status_code == status
        deleted = client.delete(server.graph_store, params={"graph": "http://a/g"}, headers=headers)
        assert deleted.status_code == status
    unwritten = client.get(server.sparql, params={"query": "ASK { <http://a/written> ?p ?o }"})
    assert unwritten.json()["boolean"] is False
    assert _insert(server, client, server.auth()).status_code == 204
    written = client.get(server.sparql, params={"query": "ASK { <http://a/written> ?p ?o }"})
    assert written.json()["boolean"] is True
    assert "www-authenticate" in _insert(server, client, {}).headers


def test_the_token_is_never_logged_nor_shown(attacked: LoggedServer, client: httpx.Client) -> None:
    server, token = attacked.server, attacked.token
    # Writes with the right token, a wrong one, a failing update, and a crafted URL.
    _insert(server, client, server.auth())
    _insert(server, client, {"Authorization": f"Bearer {token}-wrong"})
    client.post(
        server.sparql,
        content="INSERT DATA { syntax error",
        headers={"Content-Type": SPARQL_UPDATE, **server.auth()},
    )
    client.get(server.sparql, params={"query": "ASK {}", "token": "x"}, headers=server.auth())
    for accept in ("text/turtle", "application/ld+json", "text/html"):
        description = client.get(server.sparql, headers={"Accept": accept})
        assert token not in description.text
    time.sleep(0.5)
    log = server.log_text()
    assert "POST /sparql" in log, "the access log is on"
    assert token not in log


@pytest.mark.parametrize(
    "bad", [{"SCOGRAPH_QUERY_TIMEOUT": "soon"}, {"SCOGRAPH_SERVICE_ALLOWLIST": "[not json"}]
)
def test_a_refused_start_does_not_print_the_token(
    published: Published, tmp_path: Path, bad: dict[str, str]
) -> None:
    import os
    import subprocess

    token = "start-token-" + "9d2e41b7"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCOGRAPH_")}
    environment |= {"SCOGRAPH_WRITE_TOKEN": token, **bad}
    finished = subprocess.run(
        [*scograph_command(), "serve", "--store", str(published.store_dir), "--port", "9"],
        env=environment,
        capture_output=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "SCOGRAPH_" in (finished.stdout + finished.stderr).decode()
    assert token.encode() not in finished.stdout + finished.stderr


def test_no_worker_process_holds_the_token(attacked: LoggedServer) -> None:
    server = attacked.server
    workers = server.workers()
    assert len(workers) >= 3  # two readers and the writer
    for pid in workers:
        environment = Path(f"/proc/{pid}/environ").read_bytes()
        assert attacked.token.encode() not in environment, pid
        assert b"SCOGRAPH_WRITE_TOKEN" not in environment, pid
        assert attacked.token.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


# 6. CORS


def test_a_wildcard_never_allows_credentials(open_cors: Server, client: httpx.Client) -> None:
    origin = {"Origin": "https://anywhere.example"}
    for response in (
        client.get(open_cors.sparql, params={"query": "ASK {}"}, headers=origin),
        client.get(open_cors.base + "/doc/city/qingdao", headers=origin),
        client.options(
            open_cors.sparql,
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        ),
    ):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("PUT", "content-type"),
        ("DELETE", ""),
        ("POST", "authorization"),
        ("POST", "content-type, authorization"),
        ("GET", "authorization"),
    ],
)
def test_cross_origin_writes_are_refused_at_preflight(
    attacked: LoggedServer, open_cors: Server, client: httpx.Client, method: str, headers: str
) -> None:
    for server, origin in ((attacked.server, CORS_ORIGIN), (open_cors, "https://evil.example")):
        request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers:
            request_headers["Access-Control-Request-Headers"] = headers
        for url in (server.sparql, server.graph_store):
            response = client.options(url, headers=request_headers)
            assert response.status_code == 400, (url, method, headers)
            assert "access-control-allow-credentials" not in response.headers


def test_configured_origins_only(attacked: LoggedServer, client: httpx.Client) -> None:
    server = attacked.server
    for origin in (
        "https://evil.example",
        "https://example.org.evil.example",
        "http://example.org",
        "null",
    ):
        for response in (
            client.get(server.sparql, params={"query": "ASK {}"}, headers={"Origin": origin}),
            client.options(
                server.sparql,
                headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
            ),
        ):
            assert "access-control-allow-origin" not in response.headers, origin
            assert "access-control-allow-credentials" not in response.headers
    allowed = client.get(server.sparql, params={"query": "ASK {}"}, headers={"Origin": CORS_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "access-control-allow-credentials" not in allowed.headers
