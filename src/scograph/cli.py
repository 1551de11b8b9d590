"""The ``scograph`` command line."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from scograph import resources
from scograph.importers.cli import import_app
from scograph.rdf_files import RdfFileError

app = typer.Typer(
    help="scograph: the knowledge graph of SCO people-to-people diplomacy.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Folder of the on-disk store.", file_okay=False)
]


@app.command()
def build(
    store: Annotated[Path, typer.Option(help="Folder to build the store in.")] = Path(
        "build/store"
    ),
) -> None:
    """Build the store from the ontology and the data, with the inferred graph."""
    from scograph.build import build_store

    with console.status("Building the store…"):
        try:
            report = build_store(store)
        except RdfFileError as error:
            console.print(f"[red]error[/red] {error}")
            raise typer.Exit(1) from error
    console.print(
        f"Built {store}: {report.asserted} asserted and {report.inferred} inferred triples "
        f"in {report.graphs} named graphs."
    )


@app.command()
def load(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="RDF files (.nq, .nt, .ttl, .trig, … optionally .gz) or release folders."
        ),
    ],
    store: Annotated[
        Path, typer.Option("--store", help="Folder of the new store.", file_okay=False)
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the store already in that folder.")
    ] = False,
) -> None:
    """Build a store from RDF files or a release's dumps, with a progress bar.

    The store is made beside the folder and moved into place when complete, so an
    interrupted load leaves nothing behind.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from scograph.load import LoadError, check_target, input_files, load_store

    try:
        found = input_files(files)
        check_target(store, replace)
    except LoadError as error:
        console.print(f"[red]error[/red] {error}", soft_wrap=True)
        raise typer.Exit(1) from error
    total = sum(file.stat().st_size for file in found)
    columns = (
        "{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"Loading {len(found)} file(s)", total=total)
        try:
            report = load_store(
                found, store, replace=replace, progress=lambda n: progress.advance(task, n)
            )
        except LoadError as error:
            progress.stop()
            console.print(f"[red]error[/red] {error}", soft_wrap=True)
            raise typer.Exit(1) from error
    console.print(
        f"Loaded {report.quads:,} triples from {len(found)} file(s) into {store} "
        f"in {report.seconds:.1f} s ({report.quads_per_second:,.0f} triples/s)."
    )


@app.command()
def validate() -> None:
    """Check the ontology and the data against the SHACL shapes and the ontology checks."""
    from scograph.validate import validate_project

    problems = validate_project(resources.ontology_dir(), resources.data_dir())
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        console.print(f"[red]{len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    console.print("[green]No problems.[/green]")


@app.command()
def release(
    out: Annotated[Path, typer.Option(help="Folder of the releases.")] = Path("build/releases"),
    version: Annotated[
        str | None, typer.Option(help="Name of the release (default: the package version).")
    ] = None,
    store: StoreOption = None,
    public_base_url: Annotated[
        str, typer.Option(help="Address the dumps will be downloaded from.")
    ] = "http://127.0.0.1:8000/",
) -> None:
    """Write a versioned release: dumps, VoID, DCAT and SHA256SUMS, with a `latest` alias."""
    from scograph.publish.release import ReleaseError
    from scograph.publish.release import release as write_release
    from scograph.server.stores import bundled_store

    with console.status("Writing the release…"):
        try:
            report = write_release(
                store or bundled_store(), out, version, public_base_url=public_base_url
            )
        except (ReleaseError, OSError) as error:
            console.print(f"[red]error[/red] {error}")
            raise typer.Exit(1) from error
    names = ", ".join(dump.name for dump in report.dumps)
    console.print(f"Wrote release {report.version} to {report.folder}: {names}.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="uvicorn processes (above 1: read-only only).")
    ] = 1,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Folder of the on-disk store, or sparql+http://HOST/PATH (or sparql+https://) "
            "of another SPARQL 1.1 engine's query URL to use as the store.",
        ),
    ] = None,
    update_url: Annotated[
        str | None,
        typer.Option(
            help="With a SPARQL engine as the store: its SPARQL Update URL "
            "(default: the query URL ending in /update instead, as Oxigraph's server)."
        ),
    ] = None,
    graph_store_url: Annotated[
        str | None,
        typer.Option(
            help="With a SPARQL engine as the store: its Graph Store URL, for writes "
            "(default: the query URL ending in /store instead, as Oxigraph's server)."
        ),
    ] = None,
    empty: Annotated[
        bool,
        typer.Option(
            "--empty",
            help="Serve an empty store whose default graph is its own (not the union), "
            "for conformance tests; with --store, that store as it is.",
        ),
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the SPARQL endpoint (the bundled graph unless --store or --empty).

    With --store sparql+http://HOST/PATH, another SPARQL 1.1 engine (Oxigraph,
    Fuseki, QLever, Virtuoso, GraphDB, Neptune...) holds the data and answers the
    queries; scograph keeps its protocol checks, limits, pages and dumps above it.

    Limits and the write token come from SCOGRAPH_* environment variables
    (SCOGRAPH_WRITE_TOKEN, SCOGRAPH_QUERY_TIMEOUT, SCOGRAPH_MAX_ROWS, ...).
    """
    import os

    from scograph.server.launch import LaunchError
    from scograph.server.launch import serve as launch
    from scograph.server.remote_engine import engine_url, is_remote_store

    folder = Path(store) if store is not None and not is_remote_store(store) else None
    if store is not None and folder is None:
        # The settings (of every uvicorn process) name the engine.
        os.environ["SCOGRAPH_REMOTE_QUERY_URL"] = engine_url(store)
    for name, url in (("UPDATE", update_url), ("GRAPH_STORE", graph_store_url)):
        if url is not None:
            os.environ[f"SCOGRAPH_REMOTE_{name}_URL"] = url
    try:
        launch(host, port, workers, folder, empty, access_log)
    except LaunchError as error:
        # One line however long, for logs and service managers.
        console.print(f"[red]error[/red] {error}", soft_wrap=True, markup=True, highlight=False)
        raise typer.Exit(2) from error


@app.command()
def query(
    file: Annotated[str, typer.Argument(help="File holding the query, or - to read stdin.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="json, xml, csv, tsv (SELECT, ASK); ttl, nt, nq, trig, jsonld, rdfxml "
            "(CONSTRUCT, DESCRIBE). Default: json or ttl.",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Run a query against the local store (the bundled graph unless --store) and print it."""
    import sys

    from scograph.server.local_query import LocalQueryError, run_query
    from scograph.server.stores import bundled_store

    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    try:
        run_query(text, store or bundled_store(), format, sys.stdout.buffer)
    except LocalQueryError as error:
        console.print(f"[red]error[/red] {error}")
        raise typer.Exit(1) from error


app.add_typer(import_app, name="import")

if __name__ == "__main__":
    app()
