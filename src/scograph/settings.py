"""Settings of the SPARQL endpoint, from ``SCOGRAPH_*`` environment variables or code.

Nothing is read at import time: build a :class:`Settings` where it is needed
(``Settings()`` reads the environment, ``Settings(query_timeout=2)`` overrides it).
List values in the environment are JSON, e.g.
``SCOGRAPH_CORS_ORIGINS='["https://example.org"]'``.
"""

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


class Settings(BaseSettings):
    """How the endpoint serves its store and which limits protect it."""

    model_config = SettingsConfigDict(env_prefix="SCOGRAPH_", extra="ignore")

    store: Path | None = Field(
        default=None,
        description="Folder of the on-disk pyoxigraph store to serve; a value "
        "sparql+http://HOST/PATH (or sparql+https://) sets remote_query_url instead.",
    )
    remote_query_url: str | None = Field(
        default=None,
        description="Query URL of another SPARQL 1.1 engine to use as the store, "
        "instead of an on-disk one.",
    )
    remote_update_url: str | None = Field(
        default=None,
        description="That engine's SPARQL Update URL (default: the query URL with its last "
        "path segment replaced by 'update', as Oxigraph's server has it).",
    )
    remote_graph_store_url: str | None = Field(
        default=None,
        description="That engine's Graph Store Protocol URL, for Graph Store writes "
        "(default: the query URL with its last path segment replaced by 'store').",
    )
    remote_union_parameter: str = Field(
        default="union-default-graph",
        description="Parameter asking the engine for the union of its graphs as the default "
        "graph (Oxigraph's); empty: the engine's default graph as it is configured.",
    )
    union_default_graph: bool = Field(
        default=True,
        description="Queries see the union of all graphs as their default graph "
        "(off for an empty conformance-test store, whose default graph is the real one).",
    )
    stored_union: bool = Field(
        default=True,
        description="A read-only endpoint answers from a copy of the store whose default "
        "graph holds the union of its graphs, each triple once (built once per store "
        "content into the user's cache); off: Oxigraph's union view, which repeats a "
        "triple stated in several graphs.",
    )
    write_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that allows SPARQL Update and Graph Store writes; "
        "none means the endpoint is read-only.",
    )
    query_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a query or update may run before it is killed (for a query, "
        "counted from its arrival, the wait for a free worker included).",
    )
    max_rows: int = Field(
        default=100_000, ge=1, description="Most solutions or triples a query answer carries."
    )
    readers: int = Field(
        default=1,
        ge=1,
        description="Query worker processes, each running several queries at once as threads "
        "that share its store caches (one shares them best; more limit what a killed "
        "runaway takes with it).",
    )
    reader_threads: int = Field(
        default=4,
        ge=1,
        description="Queries one worker process runs at once while short queries come, "
        "long-running ones not counted; more wait for a place (a few per core keep the CPU "
        "busy, more only stretch each query). Identical queries share one place, and a run "
        "of scans alone starts together, up to SCOGRAPH_MAX_LONG_QUERIES: run together, "
        "they read the same blocks.",
    )
    long_query_cpu: float = Field(
        default=0.25,
        gt=0,
        description="CPU seconds after which a query counts as long-running (the example "
        "queries use a fraction of that): its thread drops to the lowest CPU priority, so "
        "short queries keep the CPU.",
    )
    max_long_queries: int = Field(
        default=16,
        ge=0,
        description="Long-running queries allowed at once; one more is stopped (503) as "
        "soon as it turns long-running.",
    )
    spare_readers: int = Field(
        default=1,
        ge=0,
        description="Query worker processes started ahead and held back, to take the place "
        "of one killed (a query ran over its time limit) at once; starting one takes a "
        "fraction of a second.",
    )
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="Largest request body accepted."
    )
    max_query_length: int = Field(
        default=256 * 1024, ge=64, description="Longest query or update, in characters."
    )
    max_nesting: int = Field(
        default=128, ge=8, description="Deepest bracket nesting a query or update may use."
    )
    service_allowlist: list[str] = Field(
        default=[WIKIDATA_SPARQL],
        description="Endpoints a query may call with SERVICE (exact IRIs).",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000/",
        description="Where this service is reached by its users (behind a proxy, the "
        "proxy's address); links in pages, VoID and DCAT point there.",
    )
    releases_dir: Path | None = Field(
        default=None,
        description="Folder of the releases served at /dumps/ (written by `scograph release`).",
    )
    cors_origins: list[str] = Field(
        default=["*"], description="Origins allowed to read the endpoint from a browser."
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a client has to send a request's headers (on a new or kept-alive "
        "connection) before it gets 408 and is disconnected.",
    )
    body_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a client has to send a request's whole body once its headers "
        "are in, before it gets 408 and is disconnected.",
    )
    send_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a client may go without reading any of a large answer before "
        "it is disconnected.",
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle kept-alive connection stays open."
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        description="Open connections (and requests in progress) above which requests get 503.",
    )
    max_header_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Largest request line and headers accepted."
    )
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Memory for query answers kept until the data changes (0: no cache).",
    )
    response_cache_entry_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=0,
        description="Largest answer the response cache keeps (larger ones only get an ETag).",
    )
    response_max_age: int = Field(
        default=0,
        ge=0,
        description="Seconds clients may reuse a query answer without asking again "
        "(0: they revalidate every time, with If-None-Match).",
    )
    warm_at_start: bool = Field(
        default=True,
        description="After the start, compute in the background what users ask first: "
        "the example queries' answers (into the response cache), the home page's "
        "figures and the VoID statistics.",
    )

    @model_validator(mode="before")
    @classmethod
    def _remote_store(cls, data: Any) -> Any:
        """``store=sparql+http://...`` names a remote engine, not a folder."""
        if isinstance(data, dict):
            store = data.get("store")
            if isinstance(store, str) and store.startswith(("sparql+http://", "sparql+https://")):
                data = {**data, "store": None, "remote_query_url": store.removeprefix("sparql+")}
        return data

    @property
    def writable(self) -> bool:
        """Whether writes are possible at all (a write token is configured)."""
        return self.write_token is not None and bool(self.write_token.get_secret_value())

    @property
    def reads_stored_union(self) -> bool:
        """Whether queries read a copy of the store with the union of its graphs stored
        (``scograph.server.union_store``) rather than the union view of the store."""
        return self.stored_union and self.union_default_graph and not self.writable
