"""The OpenAPI description of the service, served at ``/openapi.json``.

FastAPI describes the publishing and web routes from their signatures; the SPARQL
Protocol and Graph Store routes are plain Starlette endpoints that read their own
parameters, so they are described here by hand, with the parameters, bodies and
statuses they really have. A few fixes make the generated part true to the app too:
each method gets its own operation id (a route serving GET and HEAD would otherwise
give both the same one), and invalid parameters are answered 400, not 422.
"""

import warnings
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_TEXT: Final = {"text/plain": {"schema": {"type": "string"}}}
_FORM: Final = "application/x-www-form-urlencoded"
_RDF_TYPES: Final = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
)
_RESULT_TYPES: Final = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _TEXT}


_ERRORS: Final = {
    "400": _error("Malformed request: syntax error, bad parameter, bad encoding, too deep."),
    "406": _error("None of the formats the Accept header names is offered."),
}
_WRITE_ERRORS: Final = {
    "401": _error("No write token."),
    "403": _error("Wrong write token, or a read-only endpoint."),
    "413": _error("Body or query over its size limit."),
    "415": _error("A body type the endpoint does not read, or a charset other than UTF-8."),
}


def _graph_list(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    }


_ACCEPT: Final = {
    "name": "Accept",
    "in": "header",
    "required": False,
    "description": "Result format: " + ", ".join(_RESULT_TYPES + _RDF_TYPES),
    "schema": {"type": "string"},
}
_DATASET: Final = [
    _graph_list("default-graph-uri", "Graphs whose merge is the default graph of the query."),
    _graph_list("named-graph-uri", "Graphs the query may name with GRAPH."),
]
_ANSWER: Final = {
    "200": {
        "description": "The answer, in the negotiated format.",
        "content": {kind: {"schema": {"type": "string"}} for kind in _RESULT_TYPES + _RDF_TYPES},
    },
    "403": _error("A SERVICE or LOAD the endpoint does not allow."),
    "413": _error("Query over its length limit."),
    "422": _error("Valid syntax the engine cannot carry out (an unknown function), or it crashed."),
    "503": _error("The query ran over the time limit, or every worker is busy."),
}


def _sparql_paths() -> dict[str, Any]:
    query = {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "A SPARQL 1.1 query; without one, the service description.",
        "schema": {"type": "string"},
    }
    form = {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "update": {"type": "string"},
            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
            "using-graph-uri": {"type": "array", "items": {"type": "string"}},
            "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "get": {
            "operationId": "sparql_get",
            "summary": "Query by GET (SPARQL 1.1 Protocol)",
            "tags": ["SPARQL"],
            "parameters": [query, *_DATASET, _ACCEPT],
            "responses": {**_ANSWER, **_ERRORS},
        },
        "post": {
            "operationId": "sparql_post",
            "summary": "Query or update by POST (updates need the write token)",
            "tags": ["SPARQL"],
            "parameters": [
                *_DATASET,
                _graph_list("using-graph-uri", "Graphs an update's WHERE reads by default."),
                _graph_list("using-named-graph-uri", "Graphs an update's WHERE may name."),
                _ACCEPT,
            ],
            "requestBody": {
                "required": True,
                "content": {
                    _FORM: {"schema": form},
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/sparql-update": {"schema": {"type": "string"}},
                },
            },
            "security": [{}, {"writeToken": []}],
            "responses": {
                **_ANSWER,
                "204": {"description": "The update was applied."},
                **_ERRORS,
                **_WRITE_ERRORS,
            },
        },
    }


def _graph_store_paths() -> dict[str, Any]:
    target = [
        {
            "name": "graph",
            "in": "query",
            "required": False,
            "description": "The graph's IRI (or ?default for the default graph).",
            "schema": {"type": "string", "format": "iri"},
        },
        {
            "name": "default",
            "in": "query",
            "required": False,
            "description": "Name the default graph.",
            "schema": {"type": "string"},
            "allowEmptyValue": True,
        },
    ]
    body = {
        "required": True,
        "content": {kind: {"schema": {"type": "string"}} for kind in _RDF_TYPES},
    }
    missing = {"404": _error("No such graph.")}
    graph = {kind: {"schema": {"type": "string"}} for kind in _RDF_TYPES}
    write = {"security": [{"writeToken": []}], "tags": ["Graph Store"]}
    return {
        "get": {
            "operationId": "graph_get",
            "summary": "A graph's triples (Graph Store HTTP Protocol)",
            "tags": ["Graph Store"],
            "parameters": [*target, _ACCEPT],
            "responses": {"200": {"description": "The graph.", "content": graph}}
            | missing
            | _ERRORS,
        },
        "head": {
            "operationId": "graph_head",
            "summary": "What GET would send, without the body",
            "tags": ["Graph Store"],
            "parameters": [*target, _ACCEPT],
            "responses": {"200": {"description": "The graph exists."}} | missing | _ERRORS,
        },
        "put": {
            "operationId": "graph_put",
            "summary": "Replace the graph",
            "parameters": target,
            "requestBody": body,
            "responses": {"201": {"description": "Created."}, "204": {"description": "Replaced."}}
            | _ERRORS
            | _WRITE_ERRORS,
            **write,
        },
        "post": {
            "operationId": "graph_post",
            "summary": "Add to the graph (to the store itself: make a new graph)",
            "parameters": target,
            "requestBody": body,
            "responses": {"201": {"description": "Created."}, "204": {"description": "Merged."}}
            | _ERRORS
            | _WRITE_ERRORS,
            **write,
        },
        "delete": {
            "operationId": "graph_delete",
            "summary": "Delete the graph",
            "parameters": target,
            "responses": {"204": {"description": "Deleted."}} | missing | _ERRORS | _WRITE_ERRORS,
            **write,
        },
    }


def _health_path() -> dict[str, Any]:
    state = {"application/json": {"schema": {"type": "object"}}}
    return {
        "get": {
            "operationId": "health",
            "summary": "Whether the query workers are up",
            "tags": ["Service"],
            "responses": {
                "200": {"description": "Up.", "content": state},
                "503": {"description": "No query worker is up.", "content": state},
            },
        }
    }


def _true_to_the_app(paths: dict[str, Any]) -> None:
    """One operation id per method, and 400 where the framework would say 422."""
    for path, operations in paths.items():
        for method, operation in operations.items():
            operation["operationId"] = f"{operation.get('operationId', path)}_{method}"
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses["400"] = _ERRORS["400"]


def describe(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app``: its FastAPI routes and the protocol routes."""
    with warnings.catch_warnings():
        # FastAPI warns that GET and HEAD of one route share an operation id; they get
        # their own just below.
        warnings.simplefilter("ignore", UserWarning)
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    _true_to_the_app(schema["paths"])
    schema["paths"] = {
        "/sparql": _sparql_paths(),
        "/graph-store": _graph_store_paths(),
        "/health": _health_path(),
        **schema["paths"],
    }
    schema.setdefault("components", {})["securitySchemes"] = {
        "writeToken": {"type": "http", "scheme": "bearer"}
    }
    # Validation errors are answered as plain text (400), never with these shapes.
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"].get("schemas", {}).pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json``) return :func:`describe`, built once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
