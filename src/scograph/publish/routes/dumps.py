"""``/dumps/``: the releases and their files, for people (HTML) and machines (DCAT).

Files are served from disk with validators, ranges and HEAD (see ``files.py``).
Names are checked against the releases folder, so ``..`` and encoded separators
never reach outside it: they get 404.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from scograph.publish.dcat import catalog_description
from scograph.publish.formats import HTML, METADATA_FORMATS
from scograph.publish.layout import LATEST
from scograph.publish.pages import render
from scograph.publish.rdf import serialise
from scograph.publish.releases import Release, dcat_of, latest_version, list_releases, resolve
from scograph.publish.routes.context import ContextDep, root_path
from scograph.publish.routes.files import file_response
from scograph.publish.routes.responses import negotiated, not_acceptable, not_found, rdf_response
from scograph.publish.vocab import LICENCE_TITLES

router = APIRouter(tags=["downloads"])

LISTING_FORMATS = (HTML, *METADATA_FORMATS)
# A version's files do not change once released; "latest" moves with each release.
_CACHE_RELEASE = "public, max-age=86400"
_CACHE_LATEST = "public, max-age=300"


@router.api_route("/dumps/", methods=["GET", "HEAD"], response_class=Response)
def list_all(request: Request, context: ContextDep) -> Response:
    """Every release: a page, or the DCAT catalog."""
    return _listing(request, context, list_releases(context.releases_dir))


@router.api_route("/dumps/{version}/", methods=["GET", "HEAD"], response_class=Response)
def list_one(version: str, request: Request, context: ContextDep) -> Response:
    """One release (``latest`` too): a page, or its DCAT."""
    folder = resolve(context.releases_dir, version)
    if folder is None:
        return not_found(request, f"dumps/{version}/")
    releases = [r for r in list_releases(context.releases_dir) if r.version == folder.name]
    return _listing(request, context, releases)


@router.api_route("/dumps/{version}/{name}", methods=["GET", "HEAD"], response_class=Response)
def download(version: str, name: str, request: Request, context: ContextDep) -> Response:
    """One file of a release, as stored."""
    path = resolve(context.releases_dir, version, name)
    if path is None:
        return not_found(request, f"dumps/{version}/{name}")
    return file_response(request, path, _CACHE_LATEST if version == LATEST else _CACHE_RELEASE)


def _listing(request: Request, context: ContextDep, releases: list[Release]) -> Response:
    fmt = negotiated(request, LISTING_FORMATS)
    if fmt is None:
        return not_acceptable(LISTING_FORMATS)
    headers = {"Vary": "Accept"}
    if fmt is HTML:
        page = render(
            "dumps.html",
            prefix=root_path(request),
            releases=releases,
            licence_titles=LICENCE_TITLES,
        )
        return HTMLResponse(page, headers=headers)
    assert fmt.rdf_format is not None
    triples = catalog_description(
        [r.version for r in releases], latest_version(context.releases_dir), context.urls
    )
    for release in releases:
        triples += dcat_of(release.folder, context.urls)
    return rdf_response(serialise(triples, fmt.rdf_format), fmt, headers)
