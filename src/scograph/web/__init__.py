"""The web front: home page, search, query editor, map and network of the graph.

Add it to an app with :func:`include_web`; it shares the publishing pages' design
and serves every script, style sheet and map it uses itself (nothing from a CDN).
"""

from scograph.web.routes import include_web

__all__ = ["include_web"]
