"""The Graph Store HTTP Protocol at ``/graph-store``: reads for all, writes with the token."""

import uuid

import httpx
import pyoxigraph as ox
import pytest

from .helpers import CITIES_GRAPH, CITY, Server, triples

TURTLE = ox.RdfFormat.TURTLE
EX = "http://example.org/"


def _graph() -> str:
    return f"{EX}gsp/{uuid.uuid4().hex}"


def _put(server: Server, client: httpx.Client, graph: str | None, body: str) -> httpx.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return client.put(
        server.graph_store,
        params=params,
        content=body.encode(),
        headers={"Content-Type": "text/turtle; charset=utf-8", **server.auth()},
    )


def _get(server: Server, client: httpx.Client, graph: str) -> httpx.Response:
    return client.get(
        server.graph_store, params={"graph": graph}, headers={"Accept": "text/turtle"}
    )


def test_put_creates_then_replaces_a_graph(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    created = _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 'one' .")
    assert created.status_code == 201, created.text
    assert triples(_get(writable_server, client, graph).content, TURTLE) == {
        (EX + "a", EX + "p", "one")
    }
    replaced = _put(writable_server, client, graph, f"<{EX}b> <{EX}p> 'two' .")
    assert replaced.status_code == 204
    assert triples(_get(writable_server, client, graph).content, TURTLE) == {
        (EX + "b", EX + "p", "two")
    }


def test_post_merges_into_a_graph(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    headers = {"Content-Type": "application/n-triples", **writable_server.auth()}
    first = client.post(
        writable_server.graph_store,
        params={"graph": graph},
        content=f'<{EX}a> <{EX}p> "1" .\n',
        headers=headers,
    )
    second = client.post(
        writable_server.graph_store,
        params={"graph": graph},
        content=f'<{EX}a> <{EX}p> "2" .\n',
        headers=headers,
    )
    assert (first.status_code, second.status_code) == (201, 204)
    assert {o for _, _, o in triples(_get(writable_server, client, graph).content, TURTLE)} == {
        "1",
        "2",
    }


def test_multipart_post_merges_every_part(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    files = [
        ("first.ttl", ("first.ttl", f"<{EX}a> <{EX}name> 'Ann' .", "text/turtle")),
        ("second.ttl", ("second.ttl", f"<{EX}a> <{EX}family> 'Doe' .", "text/turtle")),
    ]
    response = client.post(
        writable_server.graph_store,
        params={"graph": graph},
        files=files,
        headers=writable_server.auth(),
    )
    assert response.status_code == 201, response.text
    assert triples(_get(writable_server, client, graph).content, TURTLE) == {
        (EX + "a", EX + "name", "Ann"),
        (EX + "a", EX + "family", "Doe"),
    }


def test_post_to_the_store_creates_a_new_graph(
    writable_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        writable_server.graph_store,
        content=f"<{EX}new> <{EX}p> 'x' .",
        headers={"Content-Type": "text/turtle", **writable_server.auth()},
    )
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(writable_server.graph_store + "/")
    assert triples(_get(writable_server, client, location).content, TURTLE) == {
        (EX + "new", EX + "p", "x")
    }
    direct = client.get(location, headers={"Accept": "application/n-triples"})
    assert triples(direct.content, ox.RdfFormat.N_TRIPLES) == {(EX + "new", EX + "p", "x")}


def test_delete_removes_the_graph_then_404(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 1 .")
    first = client.delete(
        writable_server.graph_store, params={"graph": graph}, headers=writable_server.auth()
    )
    assert first.status_code == 204
    assert _get(writable_server, client, graph).status_code == 404
    again = client.delete(
        writable_server.graph_store, params={"graph": graph}, headers=writable_server.auth()
    )
    assert again.status_code == 404


def test_head_has_the_headers_of_get_and_no_body(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 1 .")
    response = client.head(
        writable_server.graph_store, params={"graph": graph}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert response.content == b""


def test_head_of_a_missing_graph_is_404_without_body(
    writable_server: Server, client: httpx.Client
) -> None:
    response = client.head(writable_server.graph_store, params={"graph": _graph()})
    assert response.status_code == 404
    assert response.content == b""
    # The kept-alive connection still works.
    assert client.get(writable_server.base + "/health").status_code == 200


def test_default_graph_round_trip(writable_server: Server, client: httpx.Client) -> None:
    assert _put(writable_server, client, None, f"<{EX}d> <{EX}p> 'default' .").status_code in (
        201,
        204,
    )
    response = client.get(
        writable_server.graph_store,
        params={"default": ""},
        headers={"Accept": "application/n-triples"},
    )
    assert triples(response.content, ox.RdfFormat.N_TRIPLES) == {(EX + "d", EX + "p", "default")}
    query = client.get(writable_server.sparql, params={"query": f"ASK {{ <{EX}d> ?p ?o }}"})
    assert query.json()["boolean"] is True


def test_put_of_broken_turtle_is_400_and_keeps_the_graph(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 'kept' .")
    response = _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 'new' .\n<{EX}b> <{EX}p> .")
    assert response.status_code == 400
    assert "line 2" in response.text
    assert triples(_get(writable_server, client, graph).content, TURTLE) == {
        (EX + "a", EX + "p", "kept")
    }


@pytest.mark.parametrize("authorization", [None, "Bearer wrong"])
def test_writes_need_the_token(
    writable_server: Server, client: httpx.Client, authorization: str | None
) -> None:
    graph = _graph()
    headers = {"Content-Type": "text/turtle"}
    if authorization:
        headers["Authorization"] = authorization
    expected = 403 if authorization else 401
    body = f"<{EX}a> <{EX}p> 1 ."
    assert (
        client.put(
            writable_server.graph_store, params={"graph": graph}, content=body, headers=headers
        ).status_code
        == expected
    )
    assert (
        client.post(
            writable_server.graph_store, params={"graph": graph}, content=body, headers=headers
        ).status_code
        == expected
    )
    assert (
        client.delete(
            writable_server.graph_store, params={"graph": graph}, headers=headers
        ).status_code
        == expected
    )
    assert _get(writable_server, client, graph).status_code == 404


def test_read_only_server_serves_graphs_and_refuses_writes(
    server: Server, client: httpx.Client
) -> None:
    response = client.get(
        server.graph_store,
        params={"graph": CITIES_GRAPH},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert len(triples(response.content, ox.RdfFormat.N_TRIPLES)) == 21
    refused = client.delete(
        server.graph_store, params={"graph": CITIES_GRAPH}, headers={"Authorization": "Bearer x"}
    )
    assert refused.status_code == 403


def test_union_default_graph_is_what_get_default_sends(
    server: Server, client: httpx.Client
) -> None:
    response = client.get(
        server.graph_store, params={"default": ""}, headers={"Accept": "application/n-triples"}
    )
    found = triples(response.content, ox.RdfFormat.N_TRIPLES)
    assert (
        CITY + "qingdao",
        "https://w3id.org/scograph/ontology#sisterOf",
        CITY + "bishkek",
    ) in found


def test_unreadable_body_type_is_415(writable_server: Server, client: httpx.Client) -> None:
    response = client.put(
        writable_server.graph_store,
        params={"graph": _graph()},
        content=b"{}",
        headers={"Content-Type": "application/x-unknown", **writable_server.auth()},
    )
    assert response.status_code == 415


def test_naming_no_graph_is_400(writable_server: Server, client: httpx.Client) -> None:
    assert client.get(writable_server.graph_store).status_code == 400
    both = client.get(writable_server.graph_store, params={"graph": _graph(), "default": ""})
    assert both.status_code == 400


def test_graph_in_another_format(writable_server: Server, client: httpx.Client) -> None:
    graph = _graph()
    _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 'x'@en .")
    response = client.get(
        writable_server.graph_store,
        params={"graph": graph},
        headers={"Accept": "application/ld+json"},
    )
    assert response.headers["content-type"] == "application/ld+json"
    assert triples(response.content, ox.RdfFormat.JSON_LD) == {(EX + "a", EX + "p", "x")}


def test_service_description_lists_a_graph_just_written(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _graph()
    _put(writable_server, client, graph, f"<{EX}a> <{EX}p> 1 .")
    response = client.get(writable_server.sparql, headers={"Accept": "application/n-triples"})
    names = {
        o for _, p, o in triples(response.content, ox.RdfFormat.N_TRIPLES) if p.endswith("#name")
    }
    assert graph in names
