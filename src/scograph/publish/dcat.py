"""The DCAT description of a release: the dataset, its distributions and the SPARQL service.

The dataset (``…/dataset``) has one version per release (``…/dataset/{version}``);
each dump file is a ``dcat:Distribution`` of that version with its size, SHA-256
checksum, media type, compression and licence; the SPARQL endpoint is a
``dcat:DataService`` that serves the dataset.
"""

from collections.abc import Iterable
from datetime import date

import pyoxigraph as ox

from scograph.namespaces import BASE
from scograph.publish.dumps import DumpFile
from scograph.publish.rdf import TripleList, integer, text
from scograph.publish.urls import PublicUrls
from scograph.publish.vocab import (
    DATASET,
    DATASET_LICENCE,
    DCAT,
    DCTERMS,
    FOAF,
    IANA_MEDIA_TYPES,
    LICENCE_TITLES,
    RDF_TYPE,
    SPDX,
    XSD,
)
from scograph.publish.void import DESCRIPTION, TITLE

SERVICE = DATASET + "#sparql"
CATALOG = DATASET + "#catalog"
KEYWORDS = ("SCO", "Shanghai Cooperation Organization", "sister cities", "twinning", "diplomacy")


def release_iri(version: str) -> str:
    """The IRI of one version of the dataset, e.g. ``…/dataset/0.1.0``."""
    return f"{DATASET}/{version}"


def distribution_iri(version: str, name: str) -> str:
    """The IRI of one distribution of a release, e.g. ``…/dataset/0.1.0#scograph.nt.gz``."""
    return f"{release_iri(version)}#{name}"


def release_description(
    version: str, dumps: Iterable[DumpFile], urls: PublicUrls, issued: date | None = None
) -> list[ox.Triple]:
    """Return the DCAT triples of one release.

    ``issued`` is left out unless given, so a release made twice from the same data
    is the same bytes.
    """
    out = TripleList()
    _dataset(out)
    _service(out, urls)
    release = release_iri(version)
    out.add(DATASET, DCAT + "hasVersion", release)
    out.add(release, RDF_TYPE, DCAT + "Dataset")
    out.add(release, DCTERMS + "title", text(f"{TITLE} {version}"))
    out.add(release, DCTERMS + "description", text(DESCRIPTION))
    out.add(release, DCAT + "version", ox.Literal(version))
    out.add(release, DCAT + "isVersionOf", DATASET)
    out.add(release, DCTERMS + "license", DATASET_LICENCE)
    out.add(release, DCAT + "landingPage", urls.release(version))
    if issued is not None:
        out.add(
            release,
            DCTERMS + "issued",
            ox.Literal(issued.isoformat(), datatype=ox.NamedNode(XSD + "date")),
        )
    for dump in dumps:
        _distribution(out, release, version, dump, urls)
    return out


def catalog_description(
    versions: list[str], current: str | None, urls: PublicUrls
) -> list[ox.Triple]:
    """Return the DCAT catalog of the releases (joined with each release's own ``dcat.ttl``)."""
    out = TripleList()
    _dataset(out)
    _service(out, urls)
    out.add(CATALOG, RDF_TYPE, DCAT + "Catalog")
    out.add(CATALOG, DCTERMS + "title", text(f"{TITLE} releases"))
    out.add(CATALOG, DCTERMS + "license", DATASET_LICENCE)
    out.add(CATALOG, FOAF + "homepage", urls.dumps)
    out.add(CATALOG, DCAT + "dataset", DATASET)
    out.add(CATALOG, DCAT + "service", SERVICE)
    for version in versions:
        out.add(CATALOG, DCAT + "dataset", release_iri(version))
    if current is not None:
        out.add(DATASET, DCAT + "hasCurrentVersion", release_iri(current))
    return out


def _dataset(out: TripleList) -> None:
    out.add(DATASET, RDF_TYPE, DCAT + "Dataset")
    out.add(DATASET, DCTERMS + "title", text(TITLE))
    out.add(DATASET, DCTERMS + "description", text(DESCRIPTION))
    out.add(DATASET, DCTERMS + "license", DATASET_LICENCE)
    out.add(DATASET, DCAT + "landingPage", BASE)
    for keyword in KEYWORDS:
        out.add(DATASET, DCAT + "keyword", text(keyword))


def _service(out: TripleList, urls: PublicUrls) -> None:
    out.add(SERVICE, RDF_TYPE, DCAT + "DataService")
    out.add(SERVICE, DCTERMS + "title", text(f"{TITLE} SPARQL endpoint"))
    out.add(SERVICE, DCAT + "endpointURL", urls.sparql)
    # A GET without a query returns the SPARQL Service Description.
    out.add(SERVICE, DCAT + "endpointDescription", urls.sparql)
    out.add(SERVICE, DCAT + "servesDataset", DATASET)
    out.add(SERVICE, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    out.add(SERVICE, DCTERMS + "license", DATASET_LICENCE)


def _distribution(
    out: TripleList, release: str, version: str, dump: DumpFile, urls: PublicUrls
) -> None:
    dist = distribution_iri(version, dump.name)
    checksum = dist + "-sha256"
    licence_title = LICENCE_TITLES.get(dump.view.licence, dump.view.licence)
    out.add(release, DCAT + "distribution", dist)
    out.add(dist, RDF_TYPE, DCAT + "Distribution")
    out.add(dist, DCTERMS + "title", text(f"{dump.name} ({licence_title})"))
    out.add(dist, DCTERMS + "description", text(f"{dump.view.title}: {dump.format.description}"))
    out.add(dist, DCAT + "downloadURL", urls.dump(version, dump.name))
    out.add(dist, DCAT + "accessURL", urls.release(version))
    out.add(dist, DCAT + "mediaType", IANA_MEDIA_TYPES + dump.format.media_type)
    if dump.format.gzipped:
        out.add(dist, DCAT + "compressFormat", IANA_MEDIA_TYPES + "application/gzip")
    out.add(dist, DCAT + "byteSize", integer(dump.byte_size, XSD + "nonNegativeInteger"))
    out.add(dist, DCAT + "version", ox.Literal(version))
    out.add(dist, DCTERMS + "license", dump.view.licence)
    out.add(dist, SPDX + "checksum", checksum)
    out.add(checksum, RDF_TYPE, SPDX + "Checksum")
    out.add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
    out.add(
        checksum,
        SPDX + "checksumValue",
        ox.Literal(dump.sha256, datatype=ox.NamedNode(XSD + "hexBinary")),
    )
