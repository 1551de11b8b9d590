"""Where published things can be fetched: links on the public host.

The IRIs of things stay ``https://w3id.org/scograph/…``; what changes with the
host that serves them (a local run, a public server) is only where files and the
SPARQL endpoint are downloaded from. That host is the *public base URL*.
"""

from dataclasses import dataclass

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class PublicUrls:
    """The public URLs of the endpoint, the dumps and the dataset description."""

    base: str = DEFAULT_PUBLIC_BASE_URL

    def __post_init__(self) -> None:
        # A missing final slash would glue paths onto the host name.
        if not self.base.endswith("/"):
            object.__setattr__(self, "base", self.base + "/")

    @property
    def sparql(self) -> str:
        return self.base + "sparql"

    @property
    def dumps(self) -> str:
        return self.base + "dumps/"

    @property
    def void(self) -> str:
        return self.base + ".well-known/void"

    def release(self, version: str) -> str:
        """The folder of one release, e.g. ``…/dumps/0.1.0/``."""
        return f"{self.dumps}{version}/"

    def dump(self, version: str, name: str) -> str:
        """The download URL of one file of a release."""
        return self.release(version) + name
