"""The SPARQL endpoint: SPARQL 1.1 Protocol, Graph Store Protocol, service description.

Build the app with :func:`scograph.server.app.create_app`. The worker processes
import this package too, so it imports nothing itself.
"""
