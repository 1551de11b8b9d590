"""Writing a versioned release of the dataset: dumps, VoID, DCAT, ontology pages, checksums.

A release lives in ``OUT/{version}/``, beside a ``latest`` alias (a symbolic link,
or a copy where links cannot be made). It is written to a hidden folder first and
moved into place when complete, so a reader never sees half a release. Every file
is a function of the data, the version and the public base URL: the same inputs
give the same bytes.

    >>> release(Path("build/store"), Path("build/releases"), "0.1.0")  # doctest: +SKIP
"""

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from scograph import __version__
from scograph.publish import dcat, void
from scograph.publish.canonical import canonical_quads
from scograph.publish.checksums import write_sums
from scograph.publish.dumps import DumpFile, write_view
from scograph.publish.layout import DCAT_FILE, LATEST, ONTOLOGY_HTML_FILE, VOID_FILE
from scograph.publish.ontology_docs import OntologyDocsError, ontology_html
from scograph.publish.rdf import serialise
from scograph.publish.statistics import compute
from scograph.publish.urls import DEFAULT_PUBLIC_BASE_URL, PublicUrls
from scograph.publish.views import graph_infos, licence_views

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


class ReleaseError(ValueError):
    """A release that cannot be made as asked (e.g. an unusable version name)."""


@dataclass(frozen=True)
class ReleaseReport:
    """What a release wrote, and how long it took."""

    version: str
    folder: Path
    dumps: tuple[DumpFile, ...]
    files: tuple[str, ...]
    seconds: float
    notes: tuple[str, ...] = ()


def release(
    store: Path,
    out_dir: Path,
    version: str | None = None,
    *,
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
    issued: date | None = None,
) -> ReleaseReport:
    """Write a release of the store at ``store`` to ``out_dir/{version}``; point ``latest`` at it.

    ``version`` defaults to the package version. Raises :class:`ReleaseError` for a
    version that is not a plain name (letters, digits, ``.``, ``_``, ``+``, ``-``)
    or is ``latest``, and ``OSError`` when the store cannot be opened.
    """
    return write_release(
        ox.Store.read_only(str(store)),
        out_dir,
        version or __version__,
        urls=PublicUrls(public_base_url),
        issued=issued,
    )


def write_release(
    store: ox.Store,
    out_dir: Path,
    version: str,
    *,
    urls: PublicUrls,
    issued: date | None = None,
) -> ReleaseReport:
    """Write a release of an open store (see :func:`release`)."""
    if not _VERSION.fullmatch(version) or version == LATEST:
        raise ReleaseError(f"not a usable version name: {version!r}")
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=out_dir))
    try:
        # mkdtemp makes the folder private; a release is for everyone to read.
        staging.chmod(0o755)
        dumps, notes = _write_content(store, staging, version, urls, issued)
        write_sums(staging)
        files = tuple(sorted(p.name for p in staging.iterdir()))
        target = out_dir / version
        _replace(staging, target)
        _point_latest(out_dir, version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReleaseReport(version, target, dumps, files, time.perf_counter() - started, notes)


def _write_content(
    store: ox.Store, folder: Path, version: str, urls: PublicUrls, issued: date | None
) -> tuple[tuple[DumpFile, ...], tuple[str, ...]]:
    """Write dumps, VoID, DCAT and the ontology page; return the dumps and notes for the report."""
    graphs = graph_infos(store)
    quads = canonical_quads(store)
    dumps = tuple(f for view in licence_views(graphs) for f in write_view(view, quads, folder))
    description = void.description(compute(store), graphs, urls)
    void_triples = description + void.dump_links(dumps, version, urls)
    (folder / VOID_FILE).write_bytes(serialise(void_triples, ox.RdfFormat.TURTLE))
    dcat_triples = dcat.release_description(version, dumps, urls, issued)
    (folder / DCAT_FILE).write_bytes(serialise(dcat_triples, ox.RdfFormat.TURTLE))
    try:
        (folder / ONTOLOGY_HTML_FILE).write_text(ontology_html(store), encoding="utf-8")
    except OntologyDocsError as error:
        # The data is worth releasing even when its ontology cannot be documented.
        return dumps, (f"no {ONTOLOGY_HTML_FILE}: {error}",)
    return dumps, ()


def _replace(staging: Path, target: Path) -> None:
    """Move the finished release into place, replacing an earlier release of the same version."""
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old)
    else:
        staging.rename(target)


def _point_latest(out_dir: Path, version: str) -> None:
    """Make ``latest`` name the new release: a relative symbolic link, else a copy."""
    link = out_dir / LATEST
    temporary = out_dir / f".{LATEST}-{os.getpid()}"
    _remove(temporary)
    try:
        temporary.symlink_to(version, target_is_directory=True)
    except (OSError, NotImplementedError):
        # Some file systems (and Windows without the right) cannot hold links.
        shutil.copytree(out_dir / version, temporary)
    if link.is_dir() and not link.is_symlink():
        # os.replace cannot put a file or link over a folder.
        _remove(link)
    os.replace(temporary, link)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
