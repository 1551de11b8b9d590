"""The ``scograph serve`` and ``scograph query`` commands."""

import os
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from .helpers import (
    CITY,
    SG,
    TOKEN,
    csv_rows,
    scograph_command,
    start_server,
    stop_server,
    triples,
)

SISTERS = f"SELECT ?a ?b WHERE {{ ?a <{SG}sisterOf> ?b }}"


def _query(
    fixture_store: Path, *arguments: str, stdin: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*scograph_command(), "query", *arguments, "--store", str(fixture_store)],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_query_prints_csv(fixture_store: Path, tmp_path: Path) -> None:
    file = tmp_path / "sisters.rq"
    file.write_text(SISTERS)
    done = _query(fixture_store, str(file), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert csv_rows(done.stdout) == [{"a": CITY + "qingdao", "b": CITY + "bishkek"}]


def test_query_reads_stdin_and_defaults_to_json(fixture_store: Path) -> None:
    done = _query(fixture_store, "-", stdin=SISTERS)
    assert done.returncode == 0, done.stderr
    rows = list(ox.parse_query_results(done.stdout, ox.QueryResultsFormat.JSON))
    assert [(row["a"].value, row["b"].value) for row in rows] == [
        (CITY + "qingdao", CITY + "bishkek")
    ]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("nq", ox.RdfFormat.N_QUADS),
        ("trig", ox.RdfFormat.TRIG),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML),
    ],
)
def test_query_prints_graphs_in_every_format(
    fixture_store: Path, name: str, fmt: ox.RdfFormat
) -> None:
    query = f"CONSTRUCT WHERE {{ ?a <{SG}sisterOf> ?b }}"
    done = _query(fixture_store, "-", "--format", name, stdin=query)
    assert done.returncode == 0, done.stderr
    assert triples(done.stdout, fmt) == {(CITY + "qingdao", SG + "sisterOf", CITY + "bishkek")}


@pytest.mark.parametrize("name", ["xml", "tsv"])
def test_query_prints_results_in_other_formats(fixture_store: Path, name: str) -> None:
    done = _query(fixture_store, "-", "--format", name, stdin=SISTERS)
    assert done.returncode == 0
    fmt = ox.QueryResultsFormat.XML if name == "xml" else ox.QueryResultsFormat.TSV
    assert len(list(ox.parse_query_results(done.stdout, fmt))) == 1


def test_query_refuses_a_format_that_does_not_fit(fixture_store: Path) -> None:
    done = _query(fixture_store, "-", "--format", "ttl", stdin=SISTERS)
    assert done.returncode == 1
    assert b"json" in done.stderr


def test_query_reports_a_syntax_error_with_its_position(fixture_store: Path) -> None:
    done = _query(fixture_store, "-", stdin="SELECT * WHERE {\n ?s ?p }")
    assert done.returncode == 1
    assert b"2:" in done.stderr


def test_several_workers_refuse_a_write_token(fixture_store: Path) -> None:
    env = {**os.environ, "SCOGRAPH_WRITE_TOKEN": TOKEN}
    done = subprocess.run(
        [*scograph_command(), "serve", "--workers", "2", "--store", str(fixture_store)],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"read-only" in done.stderr


def test_several_workers_serve_read_only(fixture_store: Path, tmp_path: Path) -> None:
    server = start_server(
        ["--workers", "2", "--store", str(fixture_store)], {}, tmp_path, "workers"
    )
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(4):
                response = client.get(
                    server.sparql, params={"query": f"ASK {{ <{CITY}osh> ?p ?o }}"}
                )
                assert response.json()["boolean"] is True
    finally:
        stop_server(server)


def test_empty_with_a_store_reopens_it_as_it_is(tmp_path: Path) -> None:
    store = tmp_path / "kept"
    environment = {"SCOGRAPH_WRITE_TOKEN": TOKEN}
    first = start_server(["--empty", "--store", str(store)], environment, tmp_path, "first")
    try:
        response = httpx.post(
            first.sparql,
            content="INSERT DATA { <http://example.org/s> <http://example.org/p> 'kept' }",
            headers={"Content-Type": "application/sparql-update", **first.auth()},
        )
        assert response.status_code == 204
    finally:
        stop_server(first)
    second = start_server(["--empty", "--store", str(store)], environment, tmp_path, "second")
    try:
        answer = httpx.get(second.sparql, params={"query": "SELECT ?o WHERE { ?s ?p ?o }"})
        assert [b["o"]["value"] for b in answer.json()["results"]["bindings"]] == ["kept"]
    finally:
        stop_server(second)


def test_serve_without_a_store_serves_the_bundled_graph(tmp_path: Path) -> None:
    environment = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    server = start_server([], environment, tmp_path, "bundled")
    try:
        query = "ASK { GRAPH <https://w3id.org/scograph/graph/ontology> { ?s ?p ?o } }"
        response = httpx.get(server.sparql, params={"query": query}, timeout=30)
        assert response.json()["boolean"] is True
        union = httpx.get(
            server.sparql,
            params={"query": "ASK { ?class a <http://www.w3.org/2002/07/owl#Class> }"},
            timeout=30,
        )
        assert union.json()["boolean"] is True
    finally:
        stop_server(server)
    assert any((tmp_path / "cache" / "scograph" / "stores").iterdir())


def test_unknown_store_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*scograph_command(), "serve", "--store", str(tmp_path / "missing")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"not a pyoxigraph store" in done.stderr


def test_empty_without_a_store_leaves_nothing_behind(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environment = {"TMPDIR": str(scratch), "SCOGRAPH_WRITE_TOKEN": TOKEN}
    server = start_server(["--empty"], environment, tmp_path, "throw-away")
    try:
        response = httpx.post(
            server.sparql,
            content="INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
            headers={"Content-Type": "application/sparql-update", **server.auth()},
        )
        assert response.status_code == 204
        assert any(scratch.iterdir())
    finally:
        stop_server(server)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("SCOGRAPH_SERVICE_ALLOWLIST", "not a JSON list [", "service_allowlist"),
        ("SCOGRAPH_QUERY_TIMEOUT", "soon", "query_timeout"),
    ],
)
def test_serve_refuses_an_invalid_setting_in_one_line(
    variable: str, value: str, named: str, tmp_path: Path
) -> None:
    environment = {**os.environ, variable: value, "COLUMNS": "200"}
    done = subprocess.run(
        [*scograph_command(), "serve", "--empty", "--port", "0"],
        capture_output=True,
        timeout=60,
        env=environment,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    output = (done.stdout + done.stderr).decode()
    assert "Invalid SCOGRAPH_* setting" in output and named in output, output
    assert "Traceback" not in output, output
