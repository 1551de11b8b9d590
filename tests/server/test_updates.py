"""SPARQL Update on ``/sparql``: only with the write token, and all or nothing."""

import uuid

import httpx
import pyoxigraph as ox
import pytest

from .helpers import TOKEN, Server, select

JSON = ox.QueryResultsFormat.JSON
UPDATE = "application/sparql-update"


def _graph() -> str:
    return f"http://example.org/test/{uuid.uuid4().hex}"


def _count(server: Server, client: httpx.Client, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    return int(select(response.content, JSON)[0]["n"])


def _insert(graph: str, n: int = 1) -> str:
    triples = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(n))
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}"


def test_update_with_the_token_is_applied(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    response = client.post(
        writable_server.sparql,
        content=_insert(graph, 3),
        headers={"Content-Type": UPDATE, **writable_server.auth()},
    )
    assert response.status_code == 204, response.text
    assert _count(writable_server, client, graph) == 3


def test_form_update_with_the_token_is_applied(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    response = client.post(
        writable_server.sparql, data={"update": _insert(graph, 2)}, headers=writable_server.auth()
    )
    assert response.status_code == 204, response.text
    assert _count(writable_server, client, graph) == 2


def test_update_with_charset_parameter_is_accepted(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    response = client.post(
        writable_server.sparql,
        content=_insert(graph),
        headers={"Content-Type": UPDATE + "; charset=utf-8", **writable_server.auth()},
    )
    assert response.status_code == 204
    assert _count(writable_server, client, graph) == 1


def test_update_without_token_is_401_and_changes_nothing(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    response = client.post(
        writable_server.sparql, content=_insert(graph), headers={"Content-Type": UPDATE}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _count(writable_server, client, graph) == 0


@pytest.mark.parametrize(
    "authorization", ["Bearer wrong", "Basic dGVzdDp0ZXN0", f"Bearer {TOKEN}x"]
)
def test_update_with_a_wrong_token_is_403_and_changes_nothing(
    writable_server: Server, client: httpx.Client, authorization: str
) -> None:
    graph = _graph()
    response = client.post(
        writable_server.sparql,
        data={"update": _insert(graph)},
        headers={"Authorization": authorization},
    )
    assert response.status_code == 403
    assert _count(writable_server, client, graph) == 0


def test_read_only_endpoint_refuses_every_update(server: Server, client: httpx.Client) -> None:
    response = client.post(
        server.sparql,
        content="CLEAR ALL",
        headers={"Content-Type": UPDATE, "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 403
    assert "read-only" in response.text
    ask = client.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"})
    assert ask.json()["boolean"] is True


def test_update_sent_by_get_is_refused(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    response = client.get(
        writable_server.sparql, params={"update": _insert(graph)}, headers=writable_server.auth()
    )
    assert response.status_code == 400
    assert "POST" in response.text
    assert _count(writable_server, client, graph) == 0


def test_failed_update_changes_nothing(writable_server: Server, client: httpx.Client) -> None:
    graph, missing = _graph(), _graph()
    update = f"{_insert(graph, 5)} ; DROP GRAPH <{missing}>"
    response = client.post(
        writable_server.sparql,
        content=update,
        headers={"Content-Type": UPDATE, **writable_server.auth()},
    )
    assert response.status_code == 409
    assert "nothing was changed" in response.text
    assert _count(writable_server, client, graph) == 0


def test_update_syntax_error_is_400_with_line_and_column(
    writable_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        writable_server.sparql,
        content="INSERT DATA {\n  <http://example.org/s> <http://example.org/p> }",
        headers={"Content-Type": UPDATE, **writable_server.auth()},
    )
    assert response.status_code == 400
    assert "line 2, column" in response.text


def test_using_graph_uri_sets_the_update_dataset(
    writable_server: Server, client: httpx.Client
) -> None:
    source, target = _graph(), _graph()
    headers = {"Content-Type": UPDATE, **writable_server.auth()}
    client.post(writable_server.sparql, content=_insert(source, 2), headers=headers)
    update = f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(
        writable_server.sparql,
        params={"using-graph-uri": source},
        content=update,
        headers=headers,
    )
    assert response.status_code == 204, response.text
    assert _count(writable_server, client, target) == 2


def test_using_graph_uri_with_using_in_the_update_is_400(
    writable_server: Server, client: httpx.Client
) -> None:
    update = "INSERT { ?s ?p ?o } USING <http://example.org/g> WHERE { ?s ?p ?o }"
    response = client.post(
        writable_server.sparql,
        params={"using-named-graph-uri": "http://example.org/other"},
        content=update,
        headers={"Content-Type": UPDATE, **writable_server.auth()},
    )
    assert response.status_code == 400


def test_written_data_is_read_back_at_once(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    headers = {"Content-Type": UPDATE, **writable_server.auth()}
    for n in range(1, 4):
        client.post(writable_server.sparql, content=_insert(graph, n), headers=headers)
        assert _count(writable_server, client, graph) == n


def test_load_is_refused_even_with_the_token(writable_server: Server, client: httpx.Client) -> None:
    response = client.post(
        writable_server.sparql,
        content="LOAD <http://127.0.0.1:9/data.ttl>",
        headers={"Content-Type": UPDATE, **writable_server.auth()},
    )
    assert response.status_code == 403
    assert "LOAD" in response.text
