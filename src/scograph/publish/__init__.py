"""Publishing scograph like the best linked-data projects.

- :mod:`scograph.publish.release`: versioned releases (dumps, VoID, DCAT, checksums).
- :mod:`scograph.publish.routes`: the web side (resolvable IRIs, pages, ontology,
  ``/.well-known/void``, ``/dumps/``), added to an app by ``include_publishing``.
"""
