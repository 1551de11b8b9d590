"""The ``scograph`` command line."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from scograph import resources
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
    store: Annotated[Path, typer.Option(help="Folder to build the store in.")] = Path("build/store"),
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
def serve() -> None:
    """Serve the SPARQL endpoint (filled in by the server module)."""
    raise typer.Exit(2)


@app.command()
def query() -> None:
    """Run a query against the local store (filled in by the server module)."""
    raise typer.Exit(2)
