"""``scograph import …``: the command-line face of the importers."""

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scograph import resources
from scograph.importers.twinnings import (
    DEFAULT_IMPORT_DATE,
    LINKS_FILE,
    REPORT_FILE,
    TWINNINGS_FILE,
    Inputs,
    run_import,
)

import_app = typer.Typer(
    help="Import public lists into named graphs of their own.",
    no_args_is_help=True,
    add_completion=False,
)
_console = Console(stderr=True)


@import_app.callback()
def _importers() -> None:
    """Import public lists into named graphs of their own."""


class _RichProgress:
    """Shows each stage of an import as a line with a progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def stage(self, description: str, total: int | None = None) -> Callable[[int], None]:
        task = self._progress.add_task(description, total=total or 1)
        return lambda steps: self._progress.advance(task, steps)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-22") from error


@import_app.command()
def twinnings(
    twin_cities_csv: Annotated[
        Path | None,
        typer.Option(
            help="Wikipedia's pairs (twin_cities_raw.csv); default: the copy in data/third_party."
        ),
    ] = None,
    names_tsv: Annotated[
        Path | None, typer.Option(help="Labels of the 2016 Wikidata P190 crawl (names.tsv).")
    ] = None,
    relations_tsv: Annotated[
        Path | None, typer.Option(help="Pairs of the 2016 Wikidata P190 crawl (relations.tsv).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="The project's data, read for SCO countries, cities and twinnings."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(help="Where to write the graphs and the report; default data/twinnings."),
    ] = None,
    import_date: Annotated[
        str,
        typer.Option(
            help="The import date recorded in the graphs (fixed, so reruns give the same bytes)."
        ),
    ] = DEFAULT_IMPORT_DATE.isoformat(),
) -> None:
    """Import the twinnings between cities of SCO countries from Wikipedia's lists."""
    when = _parse_date(import_date)
    data_dir = data_dir or resources.data_dir()
    bundled = Inputs.bundled(data_dir)
    inputs = Inputs(
        twin_cities_csv or bundled.twin_cities_csv,
        names_tsv or bundled.names_tsv,
        relations_tsv or bundled.relations_tsv,
    )
    missing = [
        str(p)
        for p in (inputs.twin_cities_csv, inputs.names_tsv, inputs.relations_tsv)
        if not p.is_file()
    ]
    if missing:
        _console.print(f"[red]error[/red] input not found: {', '.join(missing)}")
        raise typer.Exit(1)
    out_dir = out_dir or data_dir / "twinnings"
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_console) as progress:
        result = run_import(inputs, data_dir, out_dir, when, _RichProgress(progress))
    table = Table(title="scograph import twinnings", show_header=False)
    for figure, count in result.summary.items():
        table.add_row(figure, str(count))
    _console.print(table)
    written = ", ".join(str(out_dir / name) for name in (TWINNINGS_FILE, LINKS_FILE, REPORT_FILE))
    _console.print(f"Wrote {written} in {time.perf_counter() - started:.1f} s.")
