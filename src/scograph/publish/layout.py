"""The names of things in a releases folder, shared by the writer and the readers."""

from typing import Final

LATEST: Final = "latest"
VOID_FILE: Final = "void.ttl"
DCAT_FILE: Final = "dcat.ttl"
ONTOLOGY_HTML_FILE: Final = "ontology.html"
